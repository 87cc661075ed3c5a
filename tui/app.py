"""The Talvix console: the Textual app that owns the state and the live loop.

The app holds the database pool, the in-process runners, the clock and the read-only flag; screens
fetch in thread workers and render on the main thread. Live refresh: a thread listens on
``talvix_tasks`` / ``talvix_events`` / ``talvix_done`` (NOTIFY is only a hint), marks the view dirty, and a timer
refreshes the screen on top at most once per ``console.refresh_seconds``; with no LISTEN (a
transaction pooler, a lost connection) it polls every ``queue.poll_seconds`` and says so.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.worker import get_current_worker

from core import queue
from core.browse import pages
from core.config import Settings
from core.db import Database, Listener, redact
from core.errors import TalvixError
from core.safetext import clean
from core.storage import Storage
from tui.commands import ConsoleCommands
from tui.keys import APP_BINDINGS, VIEWS
from tui.screens import VIEW_CLASSES
from tui.screens.base import BaseView
from tui.screens.dialogs import HelpScreen

CSS_FILE = Path(__file__).resolve().parent.parent / "talvix.tcss"


class TalvixApp(App[None]):
    TITLE = "Talvix"
    CSS_PATH = str(CSS_FILE)
    BINDINGS = [*APP_BINDINGS]
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    MODES = {name: cls for name, cls in VIEW_CLASSES.items()}
    DEFAULT_MODE = "overview"

    def __init__(self, settings: Settings, db: Database, *, readonly: bool | None = None,
                 clock: Callable[[], datetime] | None = None, live: bool = True, image_mode: str = "halfblock",
                 start_view: str = "overview", who: str | None = None, demo: bool = False,
                 runner_agents: list[str] | None = None, listen_url: str | None = None) -> None:
        # Open straight on the start view: mounting the default view first would run its fetch too
        # (the overview counts every task), delaying the first paint of the view asked for.
        self.DEFAULT_MODE = start_view if start_view in VIEWS else "overview"  # type: ignore[misc]  # read by App.__init__
        super().__init__()
        self.settings = settings
        self.db = db
        self.readonly = settings.console.readonly if readonly is None else readonly
        self.clock = clock
        self.live = live
        self.image_mode = image_mode
        self.start_view = start_view if start_view in VIEWS else "overview"
        self.who = who or queue.actor()
        self.demo = demo
        self.runner_agents = runner_agents
        self.listen_url = listen_url or db.url
        self.storage = Storage.from_settings(settings)
        self._cipher: Any = None
        self.page_size = settings.console.page_size
        self.local_runners: dict[str, Any] = {}
        self._pipeline: Any = None
        self.live_warning: str | None = None
        self.refreshes = 0
        self._dirty = False
        self._last_refresh = 0.0
        self._history: list[str] = []
        self._bar_history: dict[str, list[str]] = {}
        self._console_closing = threading.Event()
        self._ppid = os.getppid()
        self._signals: list[int] = []
        self._fetch_lane: ThreadPoolExecutor | None = None
        #: Fetches submitted to the lane and not yet shown (tests wait for 0).
        self.fetches_pending = 0

    @property
    def cipher(self) -> Any:
        """The key that opens the sealed answers of approvals (loaded on first use)."""
        if self._cipher is None:
            from core.crypto import load_cipher

            self._cipher = load_cipher(self.settings)
        return self._cipher

    # -- time ---------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The console's clock (frozen in snapshot tests)."""
        return self.clock() if self.clock is not None else datetime.now(UTC)

    def clock_now(self) -> datetime | None:
        """The frozen clock for SQL, or None for the database's own ``now()``."""
        return self.clock() if self.clock is not None else None

    # -- lifecycle ----------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.apply_keymap(self.settings.console.keys)
        if self.start_view != self.current_mode:
            self.switch_mode(self.start_view)
        if self.live:
            self._listen()
            self.set_interval(0.25, self._tick, name="live-refresh")
        if not self.is_headless:
            self._install_signal_handlers()

    def apply_keymap(self, keys: dict[str, str]) -> None:
        from tui import keys as keymod

        known = {b.id for name in dir(keymod) if name.endswith("BINDINGS")
                 for b in getattr(keymod, name) if getattr(b, "id", None)}
        unknown = sorted(set(keys) - known)
        if unknown:
            self.notify(f"[console.keys] unknown binding id(s): {', '.join(unknown)}; see ? for the ids",
                        severity="warning", markup=False)
        self.set_keymap({k: v for k, v in keys.items() if k in known})

    def _install_signal_handlers(self) -> None:
        """A dropped SSH session (SIGHUP) or SIGTERM exits cleanly: runners stop, tasks go back."""
        import asyncio

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._lost_terminal)
                self._signals.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def _lost_terminal(self) -> None:
        self._console_closing.set()
        self.exit(return_code=0)

    def on_unmount(self) -> None:
        self._console_closing.set()
        lane, self._fetch_lane = self._fetch_lane, None
        if lane is not None:
            lane.shutdown(wait=False, cancel_futures=True)
        self.stop_all_runners()

    def fetch_lane(self) -> ThreadPoolExecutor:
        """The threads where views fetch from the database (never the UI thread).

        A plain pool rather than a Textual worker per refresh: handing a fetch to a waiting thread and
        its result back with ``call_soon_threadsafe`` costs tens of microseconds, a worker about a
        millisecond (object, task, state messages, blocking ``call_from_thread``). A view never
        overlaps its own fetches (``Fetching.reload``), so a few threads serve every screen.
        """
        if self._fetch_lane is None:
            if self._console_closing.is_set():
                raise RuntimeError("the console is closing")
            self._fetch_lane = ThreadPoolExecutor(max_workers=4, thread_name_prefix="talvix-fetch")
        return self._fetch_lane

    def stop_all_runners(self) -> None:
        grace = min(5.0, self.settings.runner.grace_seconds)
        for rid in list(self.local_runners):
            runner = self.local_runners.pop(rid)
            try:
                runner.stop(grace_s=grace)
            except Exception:
                pass
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            try:
                pipeline.stop()
            except Exception:
                pass

    def start_demo_pipeline(self, port: int = 0) -> None:
        """``talvix demo``: the real pipeline on the local sandbox job board, run by in-process runners."""
        from demo.pipeline import start_demo_pipeline

        def run() -> str:
            handle = start_demo_pipeline(self.settings, self.db, port=port)
            self._pipeline = handle
            for runner in handle.runners(mode="console", on_change=self.mark_dirty):
                runner.start()
                self.local_runners[runner.id] = runner
            return (f"demo pipeline running: sandbox job board at {handle.url}, "
                    f"{len(handle.candidates)} candidates, discovery of {len(handle.sources)} boards queued")

        self.act("start the demo pipeline", run)

    # -- live refresh ---------------------------------------------------------------------------
    @work(thread=True, group="listen", exit_on_error=False)
    def _listen(self) -> None:
        worker = get_current_worker()
        listener = Listener(self.listen_url, [queue.CHANNEL_TASKS, queue.CHANNEL_EVENTS, queue.CHANNEL_DONE])
        try:
            while not worker.is_cancelled and not self._console_closing.is_set():
                got = listener.wait(1.0)
                if got and listener.available:  # on a pooler notifications are unreliable: poll only
                    self._dirty = True
                warning = listener.warning
                if not listener.available:
                    warning = warning or "LISTEN unavailable (transaction pooler): polling"
                if warning != self.live_warning:
                    self.live_warning = clean(redact(warning)) if warning else None
                    self._dirty = True
        finally:
            listener.close()

    def mark_dirty(self) -> None:
        """Something changed (NOTIFY, an in-process runner, an action): refresh at the next tick."""
        self._dirty = True

    def _tick(self) -> None:
        if os.getppid() != self._ppid and not self.is_headless:
            self._lost_terminal()  # our parent (the SSH session's shell) is gone
            return
        now = time.monotonic()
        since = now - self._last_refresh
        listening = self.live_warning is None
        poll = self.settings.queue.poll_seconds if not listening else max(10.0, self.settings.queue.poll_seconds)
        if (self._dirty and since >= self.settings.console.refresh_seconds) or since >= poll:
            self._dirty = False
            self.refresh_now()

    def refresh_now(self) -> None:
        self._last_refresh = time.monotonic()
        screen = self.screen
        if hasattr(screen, "reload") and not screen.is_modal:
            self.refreshes += 1
            screen.reload()

    # -- views --------------------------------------------------------------------------------
    def base_view(self) -> BaseView | None:
        stack = self.screen_stack
        return stack[0] if stack and isinstance(stack[0], BaseView) else None

    async def action_view(self, name: str) -> None:
        await self.open_view(name)

    async def open_view(self, name: str, filter_text: str | None = None) -> None:
        if name not in VIEWS:
            self.notify(f"no view {name!r}; views: {', '.join(VIEWS)}", severity="error", markup=False)
            return
        if self.current_mode != name:
            self._history.append(self.current_mode)
            del self._history[:-20]
            await self.switch_mode(name)
        view = self.base_view()
        if view is not None and filter_text is not None:
            view.apply_filter_text(filter_text)

    def bar_history(self, name: str) -> list[str]:
        """What was typed in ``:`` (``command``) or a view's ``/`` (``filter:<view>``), newest last."""
        return self._bar_history.setdefault(name, [])

    def go_back(self) -> None:
        if self._history:
            self.switch_mode(self._history.pop())

    def action_command_line(self) -> None:
        view = self.base_view()
        if view is not None and self.screen is view:
            view.open_command_line()

    def run_command_line(self, text: str) -> None:
        """``:queue status:failed`` opens a view with a filter; ``:q`` quits; ``:help`` shows the keys."""
        words = text.strip().split(maxsplit=1)
        if not words:
            return
        name, rest = words[0].lower(), (words[1] if len(words) > 1 else None)
        if name in ("q", "quit", "exit"):
            self.exit()
            return
        if name in ("help", "h", "?"):
            self.action_help()
            return
        matches = [v for v in VIEWS if v.startswith(name)]
        if len(matches) != 1:
            self.notify(f"unknown command {name!r}; try one of: {', '.join(VIEWS)}, quit", severity="error",
                        markup=False)
            return
        self.run_worker(self.open_view(matches[0], rest), exclusive=False)

    def action_help(self) -> None:
        """``?``: the keys valid here, grouped by purpose (act, look, move, views). Only Talvix's own
        bindings (they have ids); the table widget's internal keys are left out. Enter runs one."""
        from tui.keys import purpose

        screen = self.screen
        rows: list[tuple[str, str, str, str, Callable[[], Any]]] = []
        seen: set[str] = set()
        for _key, active in screen.active_bindings.items():
            bnd = active.binding
            if not active.enabled or not bnd.description or not bnd.id or bnd.id in seen:
                continue
            seen.add(bnd.id)
            keys = [k for k, a in screen.active_bindings.items() if a.binding.id == bnd.id]
            shown = bnd.key_display or ",".join(self.get_key_display(screen.active_bindings[k].binding) for k in keys)
            node, action = active.node, bnd.action
            rows.append((purpose(bnd.id), shown, bnd.description, bnd.id,
                         partial(self.call_later, self.run_action, action, node)))
        order = ["Act", "Look", "Move", "Views", "Other"]
        rows.sort(key=lambda r: (order.index(r[0]), r[3]))
        name = getattr(screen, "TITLE_TEXT", type(screen).__name__.replace("Screen", ""))
        self.push_screen(HelpScreen(name, rows))

    # -- actions --------------------------------------------------------------------------------
    def act(self, label: str, fn: Callable[[], str | None], *, after: Callable[[], None] | None = None,
            write: bool = True) -> None:
        """Run an operator action in a worker, then say what happened and refresh."""
        if write and self.readonly:
            self.notify("read-only console: no changes allowed", severity="warning", markup=False)
            return
        self._act_worker(label, fn, after)

    @work(thread=True, group="act", exit_on_error=False)
    def _act_worker(self, label: str, fn: Callable[[], str | None], after: Callable[[], None] | None) -> None:
        try:
            msg, severity = fn() or f"{label}: done", "information"
        except TalvixError as exc:
            msg, severity = str(exc), "error"
        except Exception as exc:
            msg, severity = f"{label} failed: {type(exc).__name__}: {redact(str(exc))}", "error"
        try:
            self.call_from_thread(self._acted, msg, severity, after)
        except RuntimeError:
            pass

    def _acted(self, msg: str, severity: str, after: Callable[[], None] | None) -> None:
        self.notify(clean(msg), severity=severity, markup=False)  # type: ignore[arg-type]
        if after is not None:
            after()
        self.refresh_now()

    def fetch_then(self, fn: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Read something in a worker, then hand it to ``then`` on the main thread."""
        self._fetch_then_worker(fn, then)

    @work(thread=True, group="read", exit_on_error=False)
    def _fetch_then_worker(self, fn: Callable[[], Any], then: Callable[[Any], None]) -> None:
        try:
            value = fn()
        except Exception as exc:
            self.call_from_thread(self.report_error, "read failed", exc)
            return
        try:
            self.call_from_thread(then, value)
        except RuntimeError:
            pass

    def report_error(self, what: str, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, TalvixError) else f"{type(exc).__name__}: {exc}"
        self.notify(clean(f"{what}: {redact(text)}"), severity="error", markup=False)

    # -- in-process runners --------------------------------------------------------------------
    def start_runner(self, agents: list[str] | None = None, concurrency: int | None = None) -> None:
        if self.readonly:
            self.notify("read-only console: no changes allowed", severity="warning", markup=False)
            return
        from runners.runner import Runner

        def run() -> str:
            runner = Runner(self.settings, self.db, agents=agents or self.runner_agents, concurrency=concurrency,
                            mode="console", on_change=self.mark_dirty).start()
            self.local_runners[runner.id] = runner
            pages.record_action(self.db, "runner.start", target_type="runner",
                                 details={"runner": runner.id, "agents": list(runner.agents)}, who=self.who)
            return f"started runner {runner.id} ({', '.join(runner.agents)})"

        self.act("start runner", run)

    def stop_runner(self, runner_id: str) -> None:
        runner = self.local_runners.get(runner_id)
        if runner is None:
            return

        def run() -> str:
            released = runner.stop(grace_s=min(5.0, self.settings.runner.grace_seconds))
            self.local_runners.pop(runner_id, None)
            pages.record_action(self.db, "runner.stop", target_type="runner",
                                 details={"runner": runner_id, "released": released}, who=self.who)
            return f"stopped runner {runner_id}" + (f"; {released} task(s) back in the queue" if released else "")

        self.act("stop runner", run)

    def toggle_runner_pause(self, runner_id: str) -> None:
        runner = self.local_runners.get(runner_id)
        if runner is None:
            return

        def run() -> str:
            if runner.paused:
                runner.resume()
            else:
                runner.pause()
            pages.record_action(self.db, "runner.pause" if runner.paused else "runner.resume", target_type="runner",
                                 details={"runner": runner_id}, who=self.who)
            return f"runner {runner_id} {'paused' if runner.paused else 'resumed'}"

        self.act("pause runner", run)
