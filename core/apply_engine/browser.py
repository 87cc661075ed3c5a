"""One Chromium per apply session, driven by Selenium, that never outlives Talvix.

Why it is built this way:

* **No download at run time.** chromedriver is started from the configured path through a Selenium
  ``Service`` (Debian's ``/usr/bin/chromedriver`` by default), so Selenium Manager is never consulted.
* **A fresh profile per session** (a temporary ``--user-data-dir``): no cookie, autofill entry or login of
  one candidate can leak into another candidate's application.
* **No orphans.** chromedriver is started in its own process group (``start_new_session``) and every
  Chromium process it launches stays in that group, so one ``killpg`` ends them all. Three layers make
  sure it happens: :meth:`Browser.close` (normal end, exceptions, SIGTERM turned into an exception by
  :func:`install_sigterm_cleanup`), a tiny watchdog process per Talvix process that kills registered
  groups when the pipe from its parent closes (the parent crashed or was SIGKILLed), and
  :func:`reap_orphans`, a psutil sweep for browsers whose owning Talvix process is gone.
* **Authenticated proxies without an extension.** Chromium cannot take ``user:pass`` in
  ``--proxy-server``; a small local forwarder (:class:`AuthForwarder`) listens on 127.0.0.1, adds the
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
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import psutil

from core.errors import TalvixError

BASE_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--password-store=basic",
    "--window-size=1280,1600",
)
PROFILE_PREFIX = "talvix-chrome-"


class BrowserError(TalvixError):
    """The browser could not be started or stopped; the message says what to check."""


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


# --------------------------------------------------------------------------------------------------
# Watchdog: kills our browsers if this process dies without cleaning up (SIGKILL, OOM, segfault).
# --------------------------------------------------------------------------------------------------
_WATCHDOG_CODE = r"""
import os, signal, sys, shutil
groups = {}
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
for line in sys.stdin:
    parts = line.split(" ", 2)
    if parts[0] == "add" and len(parts) == 3:
        groups[int(parts[1])] = parts[2].strip()
    elif parts[0] == "del" and len(parts) >= 2:
        groups.pop(int(parts[1]), None)
for pgid, profile in groups.items():
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass
    if profile:
        shutil.rmtree(profile, ignore_errors=True)
"""


class _Watchdog:
    """One helper process per Talvix process; EOF on its stdin means we are gone."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-S", "-c", _WATCHDOG_CODE], stdin=subprocess.PIPE, text=True,
                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
            )
        return self._proc

    def _send(self, line: str) -> None:
        with self._lock:
            try:
                proc = self._ensure()
                assert proc.stdin is not None
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
            except (OSError, ValueError):
                self._proc = None

    def add(self, pgid: int, profile: Path | None) -> None:
        self._send(f"add {pgid} {profile or ''}")

    def remove(self, pgid: int) -> None:
        self._send(f"del {pgid}")

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None


WATCHDOG = _Watchdog()
_LIVE: weakref.WeakSet[Browser] = weakref.WeakSet()


def _close_all_live() -> None:
    for browser in list(_LIVE):
        browser.close()


atexit.register(_close_all_live)


def install_sigterm_cleanup() -> None:
    """Turn SIGTERM into ``SystemExit`` in the main thread, so ``finally`` blocks close browsers.

    For one-off commands; the headless runner has its own graceful SIGTERM handling.
    """
    if threading.current_thread() is not threading.main_thread():
        return

    def _handler(signum: int, frame: Any) -> None:
        _close_all_live()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _handler)


def _profile_root() -> Path:
    return Path(tempfile.gettempdir())


def reap_orphans() -> int:
    """Kill Chromium/chromedriver processes whose Talvix owner is gone; returns how many were killed.

    A profile directory is named ``talvix-chrome-<owner pid>-...``: if that pid no longer runs, the
    browser is an orphan of a crashed process.
    """
    killed = 0
    marker = "--user-data-dir=" + str(_profile_root() / PROFILE_PREFIX)
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            cmd = proc.info.get("cmdline") or []
            arg = next((a for a in cmd if a.startswith(marker)), None)
            if arg is None:
                continue
            owner = int(arg[len(marker):].split("-", 1)[0])
            if psutil.pid_exists(owner) and owner != proc.pid:
                continue
            try:
                pgid = os.getpgid(proc.pid)
            except OSError:
                pgid = None
            if pgid is not None and pgid != os.getpgrp() and pgid > 1:
                os.killpg(pgid, signal.SIGKILL)  # chromedriver and every Chromium process of that session
            else:
                proc.kill()
            killed += 1
            shutil.rmtree(arg.split("=", 1)[1], ignore_errors=True)
        except (psutil.Error, ValueError, IndexError, OSError):
            continue
    return killed


# --------------------------------------------------------------------------------------------------
# Authenticated upstream proxy through a local forwarder
# --------------------------------------------------------------------------------------------------
class AuthForwarder:
    """A local HTTP proxy on 127.0.0.1 that relays to ``upstream`` with ``Proxy-Authorization`` added.

    ``CONNECT`` tunnels (HTTPS) are relayed byte for byte after the authenticated CONNECT; plain HTTP
    requests are sent one per connection (``Connection: close``) so every request carries the header.
    """

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme not in ("http", "") or not parts.hostname:
            raise BrowserError(f"proxy must be an http://[user:pass@]host:port URL (got scheme {parts.scheme!r})")
        self.upstream = (parts.hostname, parts.port or 8080)
        self.auth: bytes | None = None
        if parts.username is not None:
            token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.auth = b"Proxy-Authorization: Basic " + base64.b64encode(token)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="talvix-proxy", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed.set()
        try:
            self._sock.close()
        except OSError:
            pass

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _read_head(self, conn: socket.socket) -> tuple[bytes, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > 1 << 20:
                break
        head, _, rest = data.partition(b"\r\n\r\n")
        return head, rest

    def _rewrite(self, head: bytes, connect: bool) -> bytes:
        lines = head.split(b"\r\n")
        keep = [lines[0]]
        for line in lines[1:]:
            name = line.split(b":", 1)[0].strip().lower()
            if name in (b"proxy-authorization", b"proxy-connection") or (not connect and name == b"connection"):
                continue
            keep.append(line)
        if self.auth:
            keep.append(self.auth)
        if not connect:
            keep.append(b"Connection: close")
        return b"\r\n".join(keep) + b"\r\n\r\n"

    def _handle(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            head, rest = self._read_head(client)
            if not head:
                return
            connect = head.split(b" ", 1)[0].upper() == b"CONNECT"
            upstream = socket.create_connection(self.upstream, timeout=30)
            upstream.sendall(self._rewrite(head, connect) + rest)
            self._pipe(client, upstream)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        a.settimeout(None)
        b.settimeout(None)
        socks = [a, b]
        while not self._closed.is_set():
            readable, _, _ = select.select(socks, [], [], 1.0)
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)


# --------------------------------------------------------------------------------------------------
# Xvfb (only when headless is off and there is no display)
# --------------------------------------------------------------------------------------------------
XVFB_DISPLAYS = range(90, 190)


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Start a private Xvfb for one headed session; returns the process and its ``DISPLAY``.

    Xvfb itself decides whether a display number is free (it honours live lock files and clears stale
    ones left by a killed server), and ``-displayfd`` tells us the moment it accepts connections, so two
    sessions starting at once never share a display and a crashed run never uses a number up.
    """
    binary = shutil.which("Xvfb")
    if binary is None:
        raise BrowserError("apply.headless is false but there is no $DISPLAY and no Xvfb installed "
                           "(install the xvfb package, or set apply.headless = true)")
    for n in XVFB_DISPLAYS:
        read_fd, write_fd = os.pipe()
        try:
            proc = subprocess.Popen([binary, f":{n}", "-screen", "0", "1280x1600x24", "-nolisten", "tcp",
                                     "-displayfd", str(write_fd)], pass_fds=(write_fd,),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
        except OSError as exc:
            os.close(read_fd)
            os.close(write_fd)
            raise BrowserError(f"could not run {binary}: {exc.strerror}") from None
        os.close(write_fd)
        try:
            ready = _read_display(read_fd, proc, timeout_s=10.0)
        finally:
            os.close(read_fd)
        if ready:
            WATCHDOG.add(proc.pid, None)  # its own process group: killed with our browsers if we die
            return proc, f":{n}"
        _stop_xvfb(proc)  # display taken (Xvfb exited) or it never became ready
    raise BrowserError(f"could not start Xvfb on a free display :{XVFB_DISPLAYS.start}-:{XVFB_DISPLAYS.stop - 1} "
                       "(check for leftover Xvfb processes, or set $DISPLAY)")


def _read_display(fd: int, proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """True once Xvfb writes its display number to ``-displayfd``; False if it exits or times out first."""
    deadline = time.monotonic() + timeout_s
    data = b""
    while time.monotonic() < deadline:
        readable, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not readable:
            break
        chunk = os.read(fd, 64)
        if not chunk:  # every writer closed: Xvfb exited without becoming ready
            return False
        data += chunk
        if data.endswith(b"\n"):
            return proc.poll() is None
    return False


def _stop_xvfb(proc: subprocess.Popen[bytes]) -> None:
    """End a session's Xvfb and reap it.

    SIGTERM first, because Xvfb then removes its ``/tmp/.X<n>-lock`` and socket itself; SIGKILL only if
    it does not exit in time. Waiting on it leaves no zombie behind in a long-running runner.
    """
    WATCHDOG.remove(proc.pid)
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    else:
        proc.wait()


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
        from selenium.webdriver.chrome.service import Service

        cfg = self.config
        for path, what in ((cfg.chromium_path, "apply.chromium_path"), (cfg.chromedriver_path, "apply.chromedriver_path")):
            if not os.access(path, os.X_OK):
                raise BrowserError(f"{what} {path} is not an executable file (install chromium and chromium-driver, "
                                   f"or set {what})")
        reap_orphans()
        self.profile = Path(tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-", dir=_profile_root()))
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
            self._xvfb, env["DISPLAY"] = _start_xvfb()
        if self.proxy:
            self._forwarder = AuthForwarder(self.proxy)
            options.add_argument(f"--proxy-server=http://{self._forwarder.address}")
            # Chromium bypasses proxies for loopback by default; a configured proxy must see everything.
            options.add_argument("--proxy-bypass-list=<-loopback>")
        service = Service(cfg.chromedriver_path, popen_kw={"start_new_session": True}, env=env)
        try:
            self.driver = webdriver.Chrome(service=service, options=options)
        except WebDriverException as exc:
            if getattr(service, "process", None) is not None:
                self.pgid = service.process.pid
            self.close()
            text = (exc.msg or str(exc) or type(exc).__name__).strip()
            raise BrowserError(f"could not start Chromium: {text.splitlines()[0]}") from None
        self.pgid = service.process.pid
        WATCHDOG.add(self.pgid, self.profile)
        _no_command_retries(self.driver)
        try:  # lets the engine wait for "idle" in the page instead of polling (see core.apply_engine.settle)
            from core.apply_engine.settle import install

            install(self.driver)
        except WebDriverException:
            pass  # settle() falls back to watching DOM quiet
        self.driver.set_page_load_timeout(cfg.page_timeout_s)
        self.driver.set_script_timeout(cfg.script_timeout_s)
        _LIVE.add(self)
        return self

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
        _LIVE.discard(self)
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
            _stop_xvfb(self._xvfb)

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
