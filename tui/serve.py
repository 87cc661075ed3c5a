"""``talvix console --serve``: the same console in a browser, for operators who cannot SSH in.

``textual-serve`` runs one console process per browser tab (the Textual web driver in a subprocess)
and relays its terminal over a websocket. Bound to loopback by default. Bound anywhere else, every
request needs the token printed at start (``?token=...`` once; then a same-site, HTTP-only cookie),
and the index page no longer asks a third-party font server for its font (nothing leaves for Google).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import secrets
import shlex
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

COOKIE = "talvix_console_token"
#: Set in the served console's environment: it runs under the web driver, not a terminal.
SERVED_ENV = "TALVIX_CONSOLE_SERVED"
#: The server's pid, in the served console's environment: a console outlives a stopped server otherwise
#: (textual-serve starts it through a shell and does not end it when the server is killed).
SERVER_PID_ENV = "TALVIX_CONSOLE_SERVER_PID"
_FONT_LINK = re.compile(rb"<link[^>]*fonts\.googleapis\.com[^>]*>\s*", re.I)


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def console_command(global_args: Sequence[str], console_args: Sequence[str]) -> str:
    """The shell command that starts one served console (this Python, this Talvix, same options)."""
    return shlex.join([sys.executable, "-m", "cli.main", *global_args, "console", *console_args])


def make_server(command: str, host: str, port: int, *, token: str | None, public_url: str | None = None) -> Any:
    """A textual-serve ``Server`` for ``command``, guarded by ``token`` when one is given."""
    from aiohttp import web
    from textual_serve.server import Server

    class TalvixServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def on_startup(self, app: web.Application) -> None:
            print(f"talvix console served at {url}" + ("" if token else " (loopback only)"), flush=True)

    @web.middleware
    async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
        given = request.query.get("token")
        if token is not None:
            offered = given or request.cookies.get(COOKIE) or ""
            if not hmac.compare_digest(offered.encode(), token.encode()):
                return web.Response(status=403, text="talvix: this console needs its token (?token=... as printed "
                                                     "when it was started)\n")
        response = await handler(request)
        if request.path == "/" and isinstance(response, web.Response) and response.body:
            body = response.body if isinstance(response.body, bytes) else bytes(response.body)  # type: ignore[arg-type]
            response.body = _FONT_LINK.sub(b"", body)
        if token is not None and given:
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
        return response

    shown_host = f"[{host}]" if ":" in host else host
    base = public_url or f"http://{shown_host}:{port}"
    url = base.rstrip("/") + "/" + (f"?token={token}" if token else "")
    server = TalvixServer(command, host=host, port=port, title="Talvix console", public_url=base.rstrip("/"))
    server.url = url  # type: ignore[attr-defined]
    return server


def serve(global_args: Sequence[str], console_args: Sequence[str], *, host: str = "127.0.0.1", port: int = 8765,
          public_url: str | None = None) -> int:
    """Serve the console until interrupted. A token is made (and required) unless bound to loopback."""
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    os.environ[SERVED_ENV] = "1"
    os.environ[SERVER_PID_ENV] = str(os.getpid())
    server = make_server(console_command(global_args, console_args), host, port, token=token, public_url=public_url)
    server.serve()
    return 0


def watch_server(on_gone: Callable[[], None], interval_s: float = 1.0) -> threading.Thread | None:
    """In a served console, call ``on_gone`` once the server that started it has stopped (checked every
    ``interval_s``). Outside a served console (no server pid in the environment) nothing is watched."""
    raw = os.environ.get(SERVER_PID_ENV, "")
    if not raw.isdigit():
        return None
    pid = int(raw)

    def run() -> None:
        while True:
            time.sleep(interval_s)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                on_gone()
                return
            except PermissionError:  # alive, under another user
                continue

    thread = threading.Thread(target=run, name="talvix-served-watch", daemon=True)
    thread.start()
    return thread
