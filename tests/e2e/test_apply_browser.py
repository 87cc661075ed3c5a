"""Chromium sessions: fresh, proxied with authentication, and never left running behind Talvix."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.request import urlopen

import psutil
import pytest

from core.apply_engine.browser import Browser, BrowserConfig
from core.apply_engine.watchdog import reap_orphans
from core.errors import BrowserError
from tests.support.apply_helpers import PageServer, page
from tests.support.common import REPO, wait_for


def _alive(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.Error:
            continue
    return out


def test_close_ends_every_browser_process_and_removes_the_fresh_profile():
    b = Browser().start()
    pids = [p.pid for p in b.processes()]
    profile = b.profile
    assert len(pids) >= 2 and profile is not None and profile.is_dir()
    b.close()
    wait_for(lambda: not _alive(pids), timeout=10, message="browser processes to end")
    assert not profile.exists()


def test_a_session_keeps_no_address_bar_popup_renderer():
    """Chromium preloads its address bar's WebUI popups, each in a renderer of its own (~50 MB a session);
    a form-filling session never types into an address bar, so none is kept."""
    b = Browser().start()
    try:
        targets = b.driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]
        assert [t["url"] for t in targets if t["type"] == "page"], "the session's own page is listed"
        assert [t["url"] for t in targets if "omnibox-popup" in t["url"]] == []
    finally:
        b.close()


def test_a_missing_chromium_is_a_clear_error():
    with pytest.raises(BrowserError, match="apply.chromium_path"):
        Browser(BrowserConfig(chromium_path="/nonexistent/chromium")).start()


OWNER = """
import sys, time
sys.path.insert(0, {repo!r})
from core.apply_engine.browser import Browser
b = Browser().start()
print(" ".join(str(p.pid) for p in b.processes()), flush=True)
time.sleep(600)
"""


def _owner() -> tuple[subprocess.Popen[str], list[int]]:
    repo = str(REPO)
    proc = subprocess.Popen([sys.executable, "-c", OWNER.format(repo=repo)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    return proc, [int(x) for x in line.split()]


def test_browser_dies_with_its_owner_even_on_sigkill():
    proc, pids = _owner()
    assert _alive(pids)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    wait_for(lambda: not _alive(pids), timeout=15, message="the watchdog to end the orphaned browser")


def test_reap_orphans_ends_browsers_whose_owner_and_watchdog_are_gone():
    proc, pids = _owner()
    watchdogs = [c.pid for c in psutil.Process(proc.pid).children() if c.pid not in pids]
    for pid in watchdogs:  # take the watchdog away first: the sweep is the last line of defence
        os.kill(pid, signal.SIGKILL)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert _alive(pids)
    assert reap_orphans() >= 1
    wait_for(lambda: not _alive(pids), timeout=15, message="reap_orphans to end the browser")


class _AuthProxy:
    """An upstream HTTP proxy that demands Basic credentials, then fetches plain-HTTP URLs itself."""

    def __init__(self, user: str, password: str) -> None:
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.seen: list[tuple[str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                auth = self.headers.get("Proxy-Authorization")
                outer.seen.append((self.path, auth))
                if auth != outer.expected:
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                try:
                    body = urlopen(self.path, timeout=5).read()  # noqa: S310 - loopback only
                except OSError:
                    body = b"<p>unreachable</p>"
                body = body.replace(b"</body>", b"<p id=via>via test proxy</p></body>")
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def site() -> Iterator[PageServer]:
    srv = PageServer({"/hello": page("Hello", "<h1 id=hi>hello through the proxy</h1>")})
    yield srv
    srv.close()


def _cmdline(proc) -> list[str]:
    """A process's command line; a short-lived helper that ended (or is a zombie) meanwhile has none."""
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def test_authenticated_proxy_carries_every_request(site):
    proxy = _AuthProxy("cand-7", "s3cret:pw")
    try:
        with Browser(proxy=f"http://cand-7:s3cret%3Apw@127.0.0.1:{proxy.port}") as b:
            assert b.open(site.url("/hello"), 15)
            wait_for(lambda: "via test proxy" in b.driver.page_source, timeout=10, message="the proxied page")
            args = " ".join(" ".join(_cmdline(p)) for p in b.processes())
            assert "s3cret" not in args  # credentials never reach a command line
    finally:
        proxy.httpd.shutdown()
    assert proxy.seen and all(auth == proxy.expected for _, auth in proxy.seen)
    assert any(path.endswith("/hello") for path, _ in proxy.seen)


def _png_size(data: bytes | None) -> tuple[int, int]:
    assert data is not None and data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.fixture
def tall_page() -> Iterator[str]:
    srv = PageServer({"/tall": page("Tall", "<div style='height:3000px'>top</div><p>bottom</p>")})
    yield srv.url("/tall")
    srv.close()


def test_background_screenshot_is_the_whole_page_while_webdriver_keeps_working(tall_page):
    with Browser() as b:
        b.open(tall_page, 10)
        shot = b.capture()
        assert b.driver.execute_script("return document.title") == "Tall"  # WebDriver is not held up
        width, height = _png_size(shot.png())
        assert height >= 3000 > b.driver.execute_script("return window.innerHeight")
        assert width > 300


def test_screenshots_still_come_when_the_devtools_socket_breaks(tall_page):
    with Browser() as b:
        b.open(tall_page, 10)
        _png_size(b.capture().png())
        assert b._devtools is not None
        b._devtools.close()  # the socket dies mid-session
        _, height = _png_size(b.capture().png())  # this one falls back to WebDriver
        assert height >= 3000
        assert b._devtools is None
        _png_size(b.capture().png())  # and so do the next ones
