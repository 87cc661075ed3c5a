"""A Talvix process killed while Chromium is still starting leaves no chromedriver and no Chromium behind.

The browser's process group is handed to the watchdog the moment chromedriver is spawned, before Chromium
starts. Here "Chromium" is a stand-in that writes its pid and never answers, so the owner is killed exactly
while the session is being created; the watchdog must then kill chromedriver and the stand-in.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys

import psutil

from tests.support.common import REPO, wait_for

OWNER = """
import sys
sys.path.insert(0, {repo!r})
from core.apply_engine.browser import Browser, BrowserConfig
Browser(BrowserConfig(chromium_path={chromium!r}, headless=True)).start()
"""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_killed_while_chromium_starts_leaves_nothing_running(tmp_path):
    pid_file = tmp_path / "chromium.pid"
    fake = tmp_path / "chromium"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 600\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    owner = subprocess.Popen([sys.executable, "-c", OWNER.format(repo=str(REPO), chromium=str(fake))],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    group = None
    try:
        chromium_pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), timeout=60,
                                    message="the stand-in Chromium to start"))
        group = os.getpgid(chromium_pid)
        driver = psutil.Process(group)
        assert "chromedriver" in " ".join(driver.cmdline())  # the stand-in runs in chromedriver's own group
        os.kill(owner.pid, signal.SIGKILL)  # while webdriver.Chrome() is still waiting for the session
        owner.wait(timeout=30)
        wait_for(lambda: not _alive(chromium_pid) and not _alive(group), timeout=30,
                 message="the watchdog to kill chromedriver and Chromium")
    finally:
        if owner.poll() is None:
            owner.kill()
        if group is not None and _alive(group):  # only when the test failed: leave nothing behind
            os.killpg(group, signal.SIGKILL)
