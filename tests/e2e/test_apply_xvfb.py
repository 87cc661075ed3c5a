"""Headed Chromium under a private Xvfb (``apply.headless = false`` on a machine with no ``$DISPLAY``).

Each session starts its own virtual display, Chromium draws real pixels on it, and when the session ends
(or its owner is killed) the display server is gone too: no process, no socket file, no used-up number.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from PIL import Image

from core.apply_engine.browser import Browser, BrowserConfig
from core.apply_engine.xvfb import XVFB_DISPLAYS, clear_display_files
from sandbox import SandboxServer
from tests.support.apply_helpers import PROFILE_TOML, PageServer, page
from tests.support.common import REPO, talvix_cmd, wait_for

pytestmark = pytest.mark.serial

FORM = page("Form", "<h1>Headed</h1><form><label for=q>Why us?</label><input id=q name=q size=40></form>")


@pytest.fixture(autouse=True)
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """The execution server has no desktop: nothing to borrow, so the session must bring its own."""
    monkeypatch.delenv("DISPLAY", raising=False)


@pytest.fixture
def server() -> Iterator[PageServer]:
    srv = PageServer({"/form": FORM})
    yield srv
    srv.close()


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _display_number(display: str) -> int:
    match = re.fullmatch(r":(\d+)", display)
    assert match, display
    return int(match.group(1))


def _display_files(n: int) -> list[Path]:
    return [p for p in (Path(f"/tmp/.X{n}-lock"), Path(f"/tmp/.X11-unix/X{n}")) if p.exists()]


def _chromium_display(browser: Browser) -> set[str]:
    """The DISPLAY the session's Chromium browser process (the one that draws windows) runs with."""
    seen = set()
    for proc in browser.processes():
        try:
            cmd = proc.cmdline()
            if "--user-data-dir=" + str(browser.profile) in cmd and not any(a.startswith("--type=") for a in cmd):
                seen.add(proc.environ().get("DISPLAY", ""))
                assert not any(a.startswith("--headless") for a in cmd), cmd
        except psutil.NoSuchProcess:  # a short-lived helper (utility, renderer) may end meanwhile
            continue
    return seen


def _is_drawn(png: bytes) -> bool:
    """A PNG with real contrast in it (a blank or failed capture is one flat colour)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    low, high = image.getextrema()
    return high - low > 100


def test_a_headed_session_brings_its_own_xvfb_fills_a_form_and_leaves_nothing_behind(server):
    browser = Browser(BrowserConfig(headless=False)).start()
    try:
        xvfb = browser._xvfb
        assert xvfb is not None and _running(xvfb.pid)
        display = xvfb.args[1]
        assert _chromium_display(browser) == {display}
        browser_pids = [p.pid for p in browser.processes()]

        assert browser.open(server.url("/form"))
        field = browser.driver.find_element("id", "q")
        field.send_keys("Your data platform")
        assert field.get_attribute("value") == "Your data platform"
        png = browser.screenshot_png()
        assert png.startswith(b"\x89PNG") and _is_drawn(png)
    finally:
        browser.close()
    assert not _running(xvfb.pid) and xvfb.returncode is not None  # ended and reaped, not a zombie
    assert not _display_files(_display_number(display))
    wait_for(lambda: not [p for p in browser_pids if _running(p)], timeout=10, message="browser processes to end")


def test_a_display_left_locked_by_a_killed_xvfb_is_reused_not_used_up():
    first = Browser(BrowserConfig(headless=False)).start()
    n = _display_number(_chromium_display(first).pop())
    os.kill(first._xvfb.pid, signal.SIGKILL)  # a crash: Xvfb gets no chance to remove its socket
    wait_for(lambda: not _running(first._xvfb.pid), timeout=10, message="the killed Xvfb to end")
    assert _display_files(n), "a SIGKILLed Xvfb leaves its socket behind"
    first.close()
    # A lower number may have come free meanwhile (an earlier session's display still going away when the
    # first one started): such displays are held open, so the next session has to get past them to n.
    # Under a loaded parallel run a start can also pass n over for a moment (Xvfb slower to come up than the
    # readiness deadline): up to three sessions are tried, and one of them must get n itself.
    held: list[Browser] = []
    try:
        tries = 0
        for _ in range(n - min(XVFB_DISPLAYS) + 3):
            second = Browser(BrowserConfig(headless=False)).start()
            got = _display_number(_chromium_display(second).pop())
            if got < n:
                held.append(second)
                continue
            tries += 1
            if got == n or tries == 3:
                break
            second.close()
        try:
            assert got == n, f"display :{n} was used up by its stale socket (the next session got :{got})"
            second.driver.get("data:text/html,<h1>again</h1>")
            assert _is_drawn(second.screenshot_png())
        finally:
            second.close()
    finally:
        for b in held:
            b.close()
    assert not _display_files(n)


def test_clearing_a_dead_servers_display_files_leaves_a_live_server_alone():
    with Browser(BrowserConfig(headless=False)) as live:
        n = _display_number(live._xvfb.args[1])
        sock = Path(f"/tmp/.X11-unix/X{n}")
        assert sock.is_socket()
        # The number's earlier server (any pid but the live one's) has ended: its clean-up comes late.
        clear_display_files(n, dead_pid=live._xvfb.pid + 100_000)
        assert sock.is_socket(), "a live server's socket was removed"
        live.driver.get("data:text/html,<h1>still drawn</h1>")
        assert _is_drawn(live.screenshot_png())


def test_closing_a_session_whose_xvfb_was_killed_clears_the_display_files():
    browser = Browser(BrowserConfig(headless=False)).start()
    xvfb = browser._xvfb
    n = _display_number(xvfb.args[1])
    os.kill(xvfb.pid, signal.SIGKILL)  # the watchdog's way, or an OOM kill: no chance to tidy up
    wait_for(lambda: not _running(xvfb.pid), timeout=10, message="the killed Xvfb to end")
    assert _display_files(n)
    browser.close()
    assert not _display_files(n)


def test_two_headed_sessions_at_once_get_separate_displays():
    with Browser(BrowserConfig(headless=False)) as a, Browser(BrowserConfig(headless=False)) as b:
        assert a._xvfb.pid != b._xvfb.pid
        assert _chromium_display(a) != _chromium_display(b)


OWNER = """
import os, sys, time
sys.path.insert(0, {repo!r})
os.environ.pop("DISPLAY", None)
from core.apply_engine.browser import Browser, BrowserConfig
b = Browser(BrowserConfig(headless=False)).start()
print(b._xvfb.pid, " ".join(str(p.pid) for p in b.processes()), flush=True)
time.sleep(600)
"""


def test_xvfb_dies_with_its_owner_even_on_sigkill():
    repo = str(REPO)
    proc = subprocess.Popen([sys.executable, "-c", OWNER.format(repo=repo)], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        pids = [int(x) for x in line.split()]
        assert len(pids) >= 3 and _running(pids[0]) and _running(pids[1]), line  # Xvfb, chromedriver
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    wait_for(lambda: not [p for p in pids if _running(p)], timeout=15,
             message="the watchdog to end the orphaned Xvfb and browser")


def test_talvix_apply_dry_run_headed_under_xvfb_on_a_sandbox_form(talvix_env, data_dir, tmp_path):
    # Xvfb is found on PATH; this one records its pid and then becomes the real server (exec keeps the pid).
    bindir = tmp_path / "bin"
    bindir.mkdir()
    started = tmp_path / "xvfb-started"
    wrapper = bindir / "Xvfb"
    wrapper.write_text(f"#!/bin/sh\necho $$ \"$@\" >> {started}\nexec /usr/bin/Xvfb \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    profile = tmp_path / "asha.toml"
    profile.write_text(PROFILE_TOML)
    resume = tmp_path / "asha-resume.pdf"
    resume.write_bytes(b"%PDF-1.4\n% resume\n")
    shots = tmp_path / "shots"
    env = {k: v for k, v in talvix_env.items() if k != "DISPLAY"}
    env.update({"PATH": f"{bindir}{os.pathsep}{env.get('PATH', '')}", "TALVIX_APPLY__HEADLESS": "false",
                "TALVIX_SITES": json.dumps({"default": {"min_interval_seconds": 0}}),
                "TALVIX_APPLY__FORM_TIMEOUT_S": "4", "TALVIX_APPLY__CONFIRM_TIMEOUT_S": "5"})
    with SandboxServer(port=0) as sandbox:
        res = subprocess.run(talvix_cmd("apply", "--url", sandbox.apply_url("generic-python"), "--resume",
                                        str(resume), "--profile", str(profile), "--dry-run", "--json",
                                        "--screenshots", str(shots)),
                             env=env, cwd=str(data_dir), capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        out = json.loads(res.stdout)
        assert out["outcome"] == "dry_run" and out["ats"] == "generic" and out["unanswered"] == []
        assert {f["label"]: f["value"] for f in out["fields"]}["Email address"] == "asha@example.com"
        assert sandbox.state.submissions("generic-python") == []
    assert out["screenshots"] and all(_is_drawn(Path(p).read_bytes()) for p in out["screenshots"])
    launches = started.read_text().splitlines()
    assert launches, "talvix apply never started Xvfb"
    # One launch, or more when another X server on this machine held a display first: the last one served.
    assert all(not _running(int(line.split()[0])) for line in launches)
    display = launches[-1].split()[1]
    assert not _display_files(_display_number(display))
