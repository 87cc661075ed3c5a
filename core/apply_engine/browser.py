"""One Chromium per apply session, driven by Selenium, that never outlives Talvix.

Why it is built this way:

* **No download at run time.** chromedriver is started from the configured path through a Selenium
  ``Service`` (Debian's ``/usr/bin/chromedriver`` by default), so Selenium Manager is never consulted.
* **A fresh profile per session** (a temporary ``--user-data-dir``): no cookie, autofill entry or login of
  one candidate can leak into another candidate's application.
* **No orphans.** chromedriver is started in its own process group (``start_new_session``) and every
  Chromium process it launches stays in that group, so one ``killpg`` ends them all. Three layers make
  sure it happens: :meth:`Browser.close` (normal end, exceptions, SIGTERM turned into an exception by
  :func:`core.apply_engine.watchdog.install_sigterm_cleanup`), a tiny watchdog process per Talvix process that kills registered
  groups when the pipe from its parent closes (the parent crashed or was SIGKILLed), and
  :func:`core.apply_engine.watchdog.reap_orphans`, a psutil sweep for browsers whose owning Talvix process is gone.
* **Authenticated proxies without an extension.** Chromium cannot take ``user:pass`` in
  ``--proxy-server``; a small local forwarder (:class:`core.apply_engine.forwarder.AuthForwarder`) listens on 127.0.0.1, adds the
  ``Proxy-Authorization`` header and relays to the upstream proxy. Credentials stay in this process.
* **Headless or Xvfb.** ``headless = true`` uses ``--headless=new``; otherwise an existing ``$DISPLAY`` is
  used, or an ``Xvfb`` server is started for the session when the binary is installed.
* **Screenshots off the critical path.** A full-page PNG costs Chromium about as much as filling a form.
  :meth:`Browser.capture` asks for it over the browser's own DevTools socket (loopback, the port
  chromedriver opened) in a background thread, so the engine can go on reading the page while Chromium
  paints and encodes; the engine collects the image before it changes anything on the page.
"""

from __future__ import annotations

import atexit
import base64
import concurrent.futures
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from core.apply_engine.forwarder import AuthForwarder
from core.apply_engine.watchdog import LIVE, PROFILE_PREFIX, WATCHDOG, close_all_live, profile_root, reap_orphans
from core.apply_engine.xvfb import start_xvfb, stop_xvfb
from core.errors import BrowserError, RetryLater

#: Chromium flags for form filling, chosen for memory per session (issue 16) without changing what a page
#: sees: no GPU process work (no GPU, no SwiftShader, no WebGL: forms draw in software), no crash reporter
#: processes, no extensions or component apps, no spare renderer kept warm, no preloaded address-bar popup
#: renderer, no back/forward cache holding the previous page, the network service inside the browser
#: process, and a 1 MB disk/media cache (every session has a fresh profile that is thrown away, so a cache
#: is never reused anyway).
BASE_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-software-rasterizer",
    "--disable-3d-apis",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-component-extensions-with-background-pages",
    "--disable-default-apps",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,BackForwardCache,"
    "SpareRendererForSitePerProcess,InterestFeedContentSuggestions,DialMediaRouteProvider,HeavyAdIntervention,"
    # The address bar's WebUI popups (Chromium 149+ keeps one preloaded, with its own renderer: ~50 MB a
    # session) and the "AI mode" behind one of them: no address bar is ever typed into here.
    "WebUIOmniboxPopup,WebUIOmniboxAimPopup,AimEnabled",
    "--enable-features=NetworkServiceInProcess2",
    "--disk-cache-size=1048576",
    "--media-cache-size=1048576",
    "--password-store=basic",
    "--window-size=1280,1600",
)


class LowMemory(RetryLater):
    """Too little memory is available to start a browser session now; ``delay_s`` says when to try again."""


def check_memory_for_browser(min_free_mb: int, retry_s: float = 60.0) -> None:
    """Raise :class:`LowMemory` unless the machine has ``min_free_mb`` MiB available (0: no check).

    Available is the kernel's MemAvailable: free memory plus what it can reclaim at once, the figure the
    OOM killer's pressure follows. Checked before a session starts, never during one.
    """
    if min_free_mb <= 0:
        return
    available_mb = psutil.virtual_memory().available / 2**20
    if available_mb < min_free_mb:
        raise LowMemory(f"not enough memory to start a browser: {available_mb:.0f} MiB available, "
                        f"apply.min_free_memory_mb is {min_free_mb}", retry_s)


@dataclass(frozen=True)
class BrowserConfig:
    """What a session needs from :class:`core.config.ApplySettings` (kept small so tests can vary it)."""

    chromium_path: str = "/usr/bin/chromium"
    chromedriver_path: str = "/usr/bin/chromedriver"
    headless: bool = True
    page_timeout_s: float = 30.0
    script_timeout_s: float = 20.0
    window: tuple[int, int] = (1280, 1600)

    @classmethod
    def from_settings(cls, apply: Any) -> BrowserConfig:
        return cls(chromium_path=apply.chromium_path, chromedriver_path=apply.chromedriver_path,
                   headless=apply.headless, page_timeout_s=apply.page_timeout_s,
                   script_timeout_s=getattr(apply, "script_timeout_s", 20.0))


atexit.register(close_all_live)


def _no_command_retries(driver: Any) -> None:
    """Never let the WebDriver HTTP client repeat a command that timed out (a repeated click submits twice)."""
    import urllib3

    executor = getattr(driver, "command_executor", None)
    if executor is not None and hasattr(executor, "_conn"):
        executor._conn = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=120), retries=False)


class _DevTools:
    """A second DevTools client on the page chromedriver drives: only for screenshots, one call at a time.

    Chromium serves several DevTools clients at once, so a capture here runs while chromedriver executes
    a script. The page's target id is chromedriver's window handle; the socket is on loopback.
    """

    def __init__(self, address: str, target: str, timeout_s: float) -> None:
        import websocket  # websocket-client, a dependency of Selenium

        self._ws = websocket.create_connection(f"ws://{address}/devtools/page/{target}", timeout=timeout_s,
                                               suppress_origin=True, http_no_proxy=["localhost", "127.0.0.1"])
        self._next = 0
        self.lock = threading.Lock()

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        import json

        with self.lock:
            self._next += 1
            ident = self._next
            self._ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
            while True:
                msg = json.loads(self._ws.recv())
                if msg.get("id") == ident:
                    if "error" in msg:
                        raise RuntimeError(f"{method}: {msg['error'].get('message')}")
                    return dict(msg.get("result") or {})

    def close(self) -> None:
        try:
            self._ws.close()
        except Exception:
            pass


class Shot:
    """A screenshot being taken: :meth:`png` waits for it.

    If the background capture failed, ``fallback`` (a WebDriver screenshot) is taken at collection time,
    which is still before the caller changes the page; None only if that fails too.
    """

    def __init__(self, future: concurrent.futures.Future[bytes | None] | None = None, png: bytes | None = None,
                 fallback: Callable[[], bytes] | None = None) -> None:
        self._future = future
        self._png = png
        self._fallback = fallback

    def png(self) -> bytes | None:
        if self._future is not None:
            try:
                self._png = self._future.result()
            except Exception:
                self._png = None
            self._future = None
            if self._png is None and self._fallback is not None:
                try:
                    self._png = self._fallback()
                except Exception:
                    self._png = None
        return self._png


def _clip(metrics: dict[str, Any]) -> dict[str, Any]:
    """The whole page, within sane bounds (an endless feed must not make a 100 MB PNG)."""
    size = metrics.get("cssContentSize") or metrics.get("contentSize") or {}
    width = int(min(max(size.get("width", 1280), 320), 2000))
    height = int(min(max(size.get("height", 1600), 200), 8000))
    return {"format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}


# --------------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------------

def _watched_service(path: str, env: dict[str, str], on_spawn: Callable[[int], None]) -> Any:
    """chromedriver's Selenium service in its own process group, reporting the process the instant it is spawned."""
    from selenium.webdriver.chrome.service import Service

    class WatchedService(Service):
        def _start_process(self, path: str) -> None:
            super()._start_process(path)
            if self.process is not None:
                on_spawn(self.process.pid)

    return WatchedService(path, popen_kw={"start_new_session": True}, env=env)


class Browser:
    """A Chromium session: ``with Browser(config) as b: b.driver.get(url)``."""

    def __init__(self, config: BrowserConfig | None = None, *, proxy: str | None = None) -> None:
        self.config = config or BrowserConfig()
        self.proxy = proxy
        self.driver: Any = None
        self.profile: Path | None = None
        self.pgid: int | None = None
        self._forwarder: AuthForwarder | None = None
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._closed = False
        self._devtools: _DevTools | None = None
        self._devtools_failed = False
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> Browser:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException

        cfg = self.config
        for path, what in ((cfg.chromium_path, "apply.chromium_path"), (cfg.chromedriver_path, "apply.chromedriver_path")):
            if not os.access(path, os.X_OK):
                raise BrowserError(f"{what} {path} is not an executable file (install chromium and chromium-driver, "
                                   f"or set {what})")
        reap_orphans()
        self.profile = Path(tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-", dir=profile_root()))
        options = webdriver.ChromeOptions()
        options.binary_location = cfg.chromium_path
        for flag in BASE_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--window-size={cfg.window[0]},{cfg.window[1]}")
        options.add_argument(f"--user-data-dir={self.profile}")
        # Commands never block on a navigation (a dropped submit response would hold a click for the whole
        # page timeout); :meth:`open` and the engine wait for what they need themselves.
        options.page_load_strategy = "none"
        options.add_experimental_option("prefs", {"credentials_enable_service": False,
                                                  "profile.password_manager_enabled": False,
                                                  "autofill.profile_enabled": False})
        from core.netguard import chromium_args

        for arg in chromium_args():
            options.add_argument(arg)
        env = dict(os.environ)
        if cfg.headless:
            options.add_argument("--headless=new")
        elif not env.get("DISPLAY"):
            self._xvfb, env["DISPLAY"] = start_xvfb()
        if self.proxy:
            self._forwarder = AuthForwarder(self.proxy)
            options.add_argument(f"--proxy-server=http://{self._forwarder.address}")
            # Chromium bypasses proxies for loopback by default; a configured proxy must see everything.
            options.add_argument("--proxy-bypass-list=<-loopback>")
        service = _watched_service(cfg.chromedriver_path, env, self._watch)
        try:
            self.driver = webdriver.Chrome(service=service, options=options)
        except WebDriverException as exc:
            self.close()  # the group was handed to the watchdog at spawn (self._watch): close kills it
            text = (exc.msg or str(exc) or type(exc).__name__).strip()
            raise BrowserError(f"could not start Chromium: {text.splitlines()[0]}") from None
        _no_command_retries(self.driver)
        try:  # lets the engine wait for "idle" in the page instead of polling (see core.apply_engine.settle)
            from core.apply_engine.settle import install

            install(self.driver)
        except WebDriverException:
            pass  # settle() falls back to watching DOM quiet
        self.driver.set_page_load_timeout(cfg.page_timeout_s)
        self.driver.set_script_timeout(cfg.script_timeout_s)
        LIVE.add(self)
        return self

    def _watch(self, pgid: int) -> None:
        """Watched from the moment chromedriver is spawned (before Chromium starts): if this process dies while
        Chromium is still starting, the watchdog kills the whole group."""
        self.pgid = pgid
        WATCHDOG.add(pgid, self.profile)

    def __enter__(self) -> Browser:
        return self.start() if self.driver is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def processes(self) -> list[psutil.Process]:
        """chromedriver and every Chromium process of this session (for memory figures and tests)."""
        if self.pgid is None:
            return []
        try:
            root = psutil.Process(self.pgid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def memory_bytes(self) -> int:
        """Proportional set size of the whole browser (PSS where the kernel offers it, else RSS)."""
        total = 0
        for p in self.processes():
            try:
                info = p.memory_full_info()
                total += getattr(info, "pss", info.rss)
            except psutil.Error:
                continue
        return total

    def close(self) -> None:
        """Quit politely, then kill whatever is left of the process group, then remove the profile."""
        if self._closed:
            return
        self._closed = True
        LIVE.discard(self)
        if self.driver is not None:
            done = threading.Event()

            def _quit() -> None:
                try:
                    self.driver.quit()
                except Exception:
                    pass
                done.set()

            threading.Thread(target=_quit, daemon=True).start()
            done.wait(5.0)
        if self.pgid is not None:
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except OSError:
                pass
            WATCHDOG.remove(self.pgid)
        if self.profile is not None:
            marker = f"--user-data-dir={self.profile}"
            for proc in psutil.process_iter(["cmdline"]):
                try:
                    if marker in (proc.info.get("cmdline") or []):
                        proc.kill()
                except psutil.Error:
                    continue
            shutil.rmtree(self.profile, ignore_errors=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._devtools is not None:
            self._devtools.close()
        if self._forwarder is not None:
            self._forwarder.close()
        if self._xvfb is not None:
            stop_xvfb(self._xvfb)

    # -- helpers used by the engine ----------------------------------------------------------------
    def open(self, url: str, timeout_s: float | None = None) -> bool:
        """Navigate and wait until the new document is parsed. False if it is still loading at the timeout."""
        from core.netguard import check_url

        check_url(url)
        d = self.driver
        timeout = self.config.page_timeout_s if timeout_s is None else timeout_s
        try:
            d.switch_to.default_content()
            d.execute_script("window.__talvixOld = true;")
        except Exception:
            pass
        d.get(url)
        return self.wait_ready(timeout)

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait for a new document (not the one before the navigation) to reach 'interactive'."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                state = self.driver.execute_script(
                    "return window.__talvixOld ? 'old' : document.readyState;")
                if state in ("interactive", "complete"):
                    return True
            except Exception:
                pass
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def screenshot_png(self) -> bytes:
        """A full-page PNG when the page allows it (CDP metrics), else the viewport."""
        d = self.driver
        try:
            d.switch_to.default_content()
            return base64.b64decode(d.execute_cdp_cmd("Page.captureScreenshot",
                                                      _clip(d.execute_cdp_cmd("Page.getLayoutMetrics", {})))["data"])
        except Exception:
            return d.get_screenshot_as_png()

    def capture(self) -> Shot:
        """Start a full-page screenshot of the page as it is now; collect it with :meth:`Shot.png`.

        Taken over a separate DevTools connection in a background thread, so WebDriver commands (reading
        the page) can run meanwhile. The caller collects it before changing the page. Without that
        connection (a remote browser, an old Chromium) the screenshot is taken here and now instead.
        """
        devtools = self._devtools_client()
        if devtools is None:
            try:
                return Shot(png=self.screenshot_png())
            except Exception:
                return Shot()
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="talvix-shot")

        def take() -> bytes | None:
            try:
                return base64.b64decode(devtools.call("Page.captureScreenshot",
                                                      _clip(devtools.call("Page.getLayoutMetrics")))["data"])
            except Exception:  # the socket is unusable from now on: WebDriver takes the screenshots
                self._devtools_failed = True
                self._devtools = None
                devtools.close()
                return None

        return Shot(self._pool.submit(take), fallback=self.screenshot_png)

    def _devtools_client(self) -> _DevTools | None:
        if self._devtools is not None or self._devtools_failed or self.driver is None:
            return self._devtools
        try:
            address = (self.driver.capabilities.get("goog:chromeOptions") or {}).get("debuggerAddress")
            host = (address or "").rsplit(":", 1)[0]
            if not address or host not in ("localhost", "127.0.0.1", "[::1]"):
                raise RuntimeError("no local DevTools address")
            self._devtools = _DevTools(address, self.driver.current_window_handle, self.config.page_timeout_s)
        except Exception:
            self._devtools_failed = True
        return self._devtools

    def response_status(self) -> int | None:
        """HTTP status of the current document (Navigation Timing), None when unknown."""
        try:
            value = self.driver.execute_script(
                "const e = performance.getEntriesByType('navigation')[0]; return e ? (e.responseStatus || null) : null;")
            return int(value) if value else None
        except Exception:
            return None
