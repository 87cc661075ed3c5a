"""``talvix console --serve``: the real command serves the console to real headless Chromium over
loopback; the page loads the console, a key press changes the view; bound elsewhere, the token is
required."""

from __future__ import annotations

import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.common import talvix_cmd, wait_for

CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,800",
                # Nothing past loopback, whatever the page asks for.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

#: Records what the console sends to the page (the terminal is drawn on a canvas, not in the DOM).
RECORD_SOCKET = """
(() => {
  const Orig = window.WebSocket;
  window.__talvix = [];
  function Recorded(url, protocols) {
    const ws = protocols === undefined ? new Orig(url) : new Orig(url, protocols);
    ws.addEventListener("message", async (e) => {
      let d = e.data;
      if (d instanceof Blob) d = await d.text();
      else if (d instanceof ArrayBuffer) d = new TextDecoder().decode(d);
      window.__talvix.push(String(d));
    });
    return ws;
  }
  Recorded.prototype = Orig.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Recorded[k] = Orig[k];
  window.WebSocket = Recorded;
})();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serve(env: dict[str, str], cwd, *args: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = _free_port()
    proc = subprocess.Popen(talvix_cmd("console", "--serve", "--port", str(port), *args), env=env, cwd=str(cwd),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: _listening(port) or proc.poll() is not None, timeout=30, message="the server to listen")
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _served_consoles(server_pid: int) -> list[int]:
    """Pids of the console processes a server started (their environment names it), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"TALVIX_CONSOLE_SERVER_PID={server_pid}".encode() in env and int(entry.name) != server_pid:
            found.append(int(entry.name))
    return found


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def chrome() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    drv = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    drv.set_page_load_timeout(20)
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_SOCKET})
    try:
        yield drv
    finally:
        drv.quit()


def _received(drv: webdriver.Chrome) -> str:
    return "".join(drv.execute_script("return window.__talvix || []"))


def test_the_served_console_loads_in_chromium_and_a_key_changes_the_view(demo, talvix_env, data_dir, chrome):
    with _serve(talvix_env, data_dir) as (proc, port):
        chrome.get(f"http://127.0.0.1:{port}/")
        assert "fonts.googleapis.com" not in chrome.page_source  # nothing asked of a third party
        WebDriverWait(chrome, 60).until(lambda d: "Overview" in _received(d) and "waiting" in _received(d))
        seen = len(_received(chrome))
        chrome.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys("2")
        WebDriverWait(chrome, 30).until(lambda d: "shown of" in _received(d)[seen:] and "Queue" in _received(d)[seen:])
        assert _served_consoles(proc.pid), "the browser's console runs under this server"
    # The server stopped: the console it started for the browser ends too, not left running on its own.
    wait_for(lambda: not _served_consoles(proc.pid), timeout=30, message="the served console to end with its server")


def test_bound_beyond_loopback_the_console_needs_its_token(talvix_env, data_dir):
    with _serve(talvix_env, data_dir, "--host", "0.0.0.0") as (proc, port):
        line = wait_for(lambda: proc.stdout.readline(), timeout=30, message="the URL line")  # type: ignore[union-attr]
        while "served at" not in line:
            line = proc.stdout.readline()  # type: ignore[union-attr]
        url = line.split("served at ", 1)[1].split()[0]
        assert "?token=" in url
        token = url.split("?token=", 1)[1]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        assert refused.value.code == 403
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/?token=wrong{token}", timeout=10)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=10) as ok:
            assert ok.status == 200 and "talvix_console_token" in (ok.headers.get("Set-Cookie") or "")
