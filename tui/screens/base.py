"""What every console view shares: a status line, the filter/command bar, and the fetch loop.

Dolphie's loop: a thread worker fetches from Postgres, the main thread renders, and a fetch never
overlaps the previous one (a refresh asked for during a fetch runs once, after it). Nothing is fetched
while a modal is open, because the app only refreshes the screen on top.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from core.browse.filters import Filter, FilterError, Spec, parse_filter
from core.safetext import clean
from tui.keys import VIEW_BINDINGS, WRITE_ACTIONS, YANK_BINDINGS
from tui.widgets.command_bar import CommandBar
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.app import TalvixApp


class Fetching:
    """Mixin: ``reload()`` runs ``fetch(request())`` in a thread and ``show(data)`` on the main thread.

    The fetch goes to the app's fetch lane (a small thread pool, ``TalvixApp.fetch_lane``) and its
    result comes back with one ``call_soon_threadsafe``: no Textual worker object, state messages or
    blocking ``call_from_thread`` round trip per refresh (those were most of a refresh's fixed cost).
    """

    _loading = False
    _again = False
    last_load_ms = 0.0
    _load_started = 0.0
    loads = 0  # how many fetches have been shown (tests and the benchmark wait on it)
    show_errors: list[BaseException]  # set per instance by reload()

    def request(self) -> Any:
        return None

    def fetch(self, req: Any) -> Any:  # runs in a thread: database only, no widgets
        return None

    def show(self, data: Any) -> None:
        pass

    def reload(self) -> None:
        if "show_errors" not in self.__dict__:
            self.show_errors = []
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._load_started = time.perf_counter()
        app = self.app  # type: ignore[attr-defined]
        req = self.request()
        loop = asyncio.get_running_loop()
        # The fetch runs in the lane's thread with the app's context (``self.app`` works there), and
        # its result is handed back to the main loop, also in that context.
        ctx = contextvars.copy_context()
        try:
            future = app.fetch_lane().submit(contextvars.copy_context().run, self.fetch, req)
        except RuntimeError:  # the app is closing: the lane no longer takes work
            self._loading = False
            return
        app.fetches_pending += 1

        def done(fut: Future[Any]) -> None:
            err = fut.exception()
            data = None if err is not None else fut.result()
            try:
                loop.call_soon_threadsafe(self._fetched, data, err, context=ctx)
            except RuntimeError:
                pass  # the loop is closed: the app has exited

        future.add_done_callback(done)

    def _fetched(self, data: Any, err: BaseException | None) -> None:
        self.app.fetches_pending -= 1  # type: ignore[attr-defined]
        self._loading = False
        if not self.is_attached:  # type: ignore[attr-defined]
            return  # the screen went away while its fetch ran
        if err is not None:
            self.app.report_error("refresh failed", err)  # type: ignore[attr-defined]
        else:
            try:
                self.show(data)
            except Exception as exc:  # a rendering bug must show, not vanish into the worker
                self.app.log.error(f"show failed: {exc!r}")  # type: ignore[attr-defined]
                self.app.report_error("display failed", exc)  # type: ignore[attr-defined]
                self.show_errors.append(exc)
            finally:
                self.loads += 1
                #: Fetch + render of the last refresh, in ms (the benchmark reads it).
                self.last_load_ms = (time.perf_counter() - self._load_started) * 1000
        if self._again:
            self._again = False
            self.reload()


def readonly_refusal(screen: Any, event: events.Key) -> None:
    """In read-only mode the changing keys are hidden; pressing one says so instead of doing nothing."""
    app = screen.app
    if not getattr(app, "readonly", False):
        return
    for binding in screen._bindings.key_to_bindings.get(event.key, []):
        action = binding.action.split("(", 1)[0]
        if action in WRITE_ACTIONS:
            event.stop()
            app.notify(f"read-only console: {binding.description or action} is not allowed", severity="warning",
                       markup=False)
            return


def yank(app: Any, what: str, text: str | None) -> None:
    """``y``: put ``text`` on the clipboard with OSC 52 (works over SSH and tmux) and say what it was."""
    if not text:
        app.notify(f"nothing to copy here ({what})", markup=False)
        return
    app.copy_to_clipboard(clean(text))
    shown = clean(text)
    app.notify(f"copied {what}: {shown[:80]}{'...' if len(shown) > 80 else ''}", markup=False)


class ReadonlyKeys:
    """Mixin for screens with changing keys: in read-only mode a press of one says "read-only";
    ``y`` copies what :meth:`yank_text` names."""

    def on_key(self, event: events.Key) -> None:
        readonly_refusal(self, event)

    def yank_text(self) -> tuple[str, str | None]:
        return "nothing", None

    def action_yank(self) -> None:
        what, text = self.yank_text()
        yank(self.app, what, text)  # type: ignore[attr-defined]


class BaseView(ReadonlyKeys, Fetching, Screen[None]):
    """A top-level view (one per mode): overview, queue, sessions, approvals, logs, jobs, ..."""

    VIEW = "view"
    TITLE_TEXT = "View"
    SPEC: Spec | None = None
    BINDINGS = [*VIEW_BINDINGS, *YANK_BINDINGS]

    def __init__(self) -> None:
        super().__init__()
        self.filter: Filter = Filter()

    @property
    def tapp(self) -> TalvixApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield from self.body()
        yield CommandBar(id="bar")
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.tapp.readonly:
            return False
        return True

    # -- status line -----------------------------------------------------------------------------
    def set_status(self, detail: Any = "") -> None:
        flags = []
        if self.tapp.readonly:
            flags.append("READ-ONLY")
        if self.tapp.live_warning:
            flags.append(self.tapp.live_warning)
        self.query_one(StatusLine).show(self.TITLE_TEXT, detail, self.filter.text, flags)

    # -- filter and command line ---------------------------------------------------------------
    def action_filter(self) -> None:
        if self.SPEC is None:
            self.notify("this view has no filter", severity="warning", markup=False)
            return
        self.query_one(CommandBar).open("filter", self.filter.text, words=self.filter_words(),
                                        history=self.tapp.bar_history("filter:" + self.VIEW))

    def filter_words(self) -> list[str]:
        """What ``tab`` completes in this view's filter: its keys (``status:``) and enum values."""
        spec = self.SPEC
        if spec is None:
            return []
        words = [f"{k}:" for k in sorted(spec.fields)]
        for key, fld in sorted(spec.fields.items()):
            words += [f"{key}:{c}" for c in fld.choices]
        return words

    def open_command_line(self, value: str = "") -> None:
        from tui.keys import VIEWS

        self.query_one(CommandBar).open("command", value, words=[*VIEWS, "quit", "help"],
                                        history=self.tapp.bar_history("command"))

    def apply_filter_text(self, text: str) -> bool:
        """Set the filter from what the operator typed; False (and a one-line error) if it is wrong."""
        if self.SPEC is None:
            return True
        try:
            self.filter = parse_filter(text, self.SPEC)
        except FilterError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return False
        self.filter_changed()
        return True

    def filter_changed(self) -> None:
        self.reload()

    @on(CommandBar.Done)
    def _bar_done(self, event: CommandBar.Done) -> None:
        event.stop()
        self.focus_main()
        if event.value is None:
            return
        if event.mode == "filter":
            if not self.apply_filter_text(event.value):
                self.query_one(CommandBar).open("filter", event.value)
        else:
            self.tapp.run_command_line(event.value)

    def focus_main(self) -> None:
        pass

    def action_back(self) -> None:
        if self.filter:
            self.filter = Filter()
            self.filter_changed()
            return
        self.tapp.go_back()

    def action_reload(self) -> None:
        self.reload()
