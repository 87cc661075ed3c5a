"""Overview: queue depth per agent and state, the oldest waiting task, throughput, runners, pauses."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Sparkline, Static

from core import queue
from core.browse import pages
from tui.keys import OVERVIEW_BINDINGS
from tui.screens.base import BaseView
from tui.screens.dialogs import PromptScreen
from tui.text import age, lit, status
from tui.widgets.keyed_table import KeyedTable

HUMAN = ("awaiting_approval", "needs_human")
BARS = "▁▂▃▄▅▆▇█"
LABEL_W = len("done/min 9999  last 30m 99999 ") + 2  # the throughput label's width (padding 1 each side)


def rate_spark(buckets: list[tuple[int, int]], width: int) -> Text:
    """The failure rate over time in ``width`` cells, oldest left: each cell is the share of the tasks
    that ended in its span that ended failed or dead, on a fixed 0-100% scale (``▁`` none failed, ``█``
    all failed, blank when nothing ended). With room, the peak rate follows (``▁▁█ 40%``)."""
    out = Text()
    if width <= 0:
        return out
    peak_w = 5 if width >= 10 else 0
    cells = width - peak_w
    n = len(buckets)
    peak: float | None = None
    for i in range(cells):
        lo, hi = i * n // cells, max(i * n // cells + 1, (i + 1) * n // cells)
        bad = sum(b for b, _ in buckets[lo:hi])
        total = sum(t for _, t in buckets[lo:hi])
        if not total:
            out.append(" ")
            continue
        rate = bad / total
        peak = rate if peak is None else max(peak, rate)
        out.append(BARS[min(len(BARS) - 1, int(rate * (len(BARS) - 1) + 0.5))],
                   style="bold red" if rate >= 0.5 else "yellow" if rate > 0 else "green")
    if peak_w:
        out.append(f" {peak * 100:>3.0f}%" if peak is not None else "     ", style="bold" if peak else "dim")
    return out


class OverviewView(BaseView):
    VIEW = "overview"
    TITLE_TEXT = "Overview"
    BINDINGS = [*OVERVIEW_BINDINGS]

    def body(self) -> ComposeResult:
        with Horizontal(id="throughput"):
            yield Static(id="throughput-label")
            yield Sparkline([0], id="sparkline")
        yield Static(id="throughput-axis")
        yield KeyedTable([("agent", "agent", 14), ("queued", "queued", 6), ("running", "run", 5),
                          ("human", "human", 5), ("failed", "failed", 6), ("dead", "dead", 5),
                          ("succeeded", "done", 5), ("oldest", "oldest", 6), ("state", "state", 6),
                          ("fail", "fail% 30m", 9)], id="agents")
        yield KeyedTable([("runner", "runner", 24), ("mode", "mode", 8), ("status", "status", 8),
                          ("beat", "beat", 5), ("agents", "agents", 20)], id="runners-mini")
        yield Static(id="paused-sites")
        yield Static(id="alerts")

    def on_mount(self) -> None:
        self.query_one("#agents", KeyedTable).focus()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Every column on screen at 80 columns, wider names and agent lists when there is room."""
        width = self.size.width - 2
        widths = self.query_one("#agents", KeyedTable).fit(width, {"agent": (10, 1), "fail": (4, 2)})
        self.query_one("#runners-mini", KeyedTable).fit(width, {"runner": (14, 2), "agents": (10, 3)})
        if widths.get("fail") != self._fail_w:
            self._fail_w = widths.get("fail", 5)
            if self._data is not None:
                self.show(self._data)

    _fail_w = 5
    _data: Any = None

    def axis(self, data: dict[str, Any]) -> Text:
        """Under the throughput sparkline: its time range (left ``-30m``, right ``now``), its max, and
        the scale of the failure-rate column (0-100% over the same span)."""
        minutes = len(data["throughput"]) * data.get("bucket_s", 60) // 60
        top = max(data["throughput"] or [0])
        width = max(20, self.size.width - LABEL_W)
        right = f"max {top}/min · now"
        left = f"-{minutes}m"
        mid = f"fail% {minutes}m: 0-100% per agent"
        gap = width - len(left) - len(right)
        line = Text(" " * LABEL_W, style="dim")
        if gap >= len(mid) + 2:
            pad = gap - len(mid)
            line.append(left + " " * (pad // 2) + mid + " " * (pad - pad // 2) + right, style="dim")
        else:
            line.append(left + " " * max(1, gap) + right, style="dim")
        return line

    def focus_main(self) -> None:
        self.query_one("#agents", KeyedTable).focus()

    def fetch(self, req: Any) -> Any:
        data = pages.overview(self.tapp.db, self.tapp.clock_now())
        data["attention"] = pages.attention(self.tapp.db, now=self.tapp.clock_now(), stale_s=self._stale_s())
        return data

    def _stale_s(self) -> float:
        return float(self.tapp.settings.queue.runner_stale_seconds)

    def alerts(self, data: dict[str, Any]) -> Text:
        """One line naming what needs a person: agents with work and no runner, stale sessions,
        paused sites, the oldest approval's age."""
        stale_s = self._stale_s()
        served: set[str] = set()
        for r in data["runners"]:
            if r["status"] == "running" and (r["heartbeat_age_s"] or 0) <= stale_s:
                served.update(r["agents"] or [])
        unserved = sorted(a for a, c in data["counts"].items()
                          if c.get("queued", 0) and a not in served and a not in data["paused_agents"])
        att = data.get("attention") or {}
        parts: list[Text] = []
        if unserved:
            t = Text("no runner for: ", style="bold red")
            t.append_text(lit(", ".join(unserved)))
            parts.append(t)
        if att.get("stale_sessions"):
            parts.append(Text(f"{att['stale_sessions']} stale session(s) (runner gone)", style="bold yellow"))
        if data["paused_sites"]:
            t = Text(f"{len(data['paused_sites'])} paused site(s)", style="bold yellow")
            parts.append(t)
        if att.get("oldest_approval_s") is not None:
            parts.append(Text(f"oldest approval waiting {age(att['oldest_approval_s'])}", style="bold magenta"))
        out = Text()
        if parts:
            out.append("! ", style="bold red")
        for i, p in enumerate(parts):
            if i:
                out.append("  ·  ", style="dim")
            out.append_text(p)
        return out

    _paused: set[str] = set()
    _controls: dict[str, Any] = {}

    def show(self, data: Any) -> None:
        self._data = data
        self._paused = set(data["paused_agents"])
        self._controls = data.get("controls") or {}
        counts: dict[str, dict[str, int]] = data["counts"]
        agents = sorted(set(counts) | set(data["paused_agents"]))
        rows = []
        totals = {"queued": 0, "running": 0, "human": 0, "failed": 0, "dead": 0}
        for a in agents:
            c = counts.get(a, {})
            human = sum(c.get(s, 0) for s in HUMAN)
            for k in ("queued", "running", "failed", "dead"):
                totals[k] += c.get(k, 0)
            totals["human"] += human
            paused = a in data["paused_agents"]
            oldest = data["oldest_s"].get(a)
            rows.append((a, (
                lit(a, max_len=14),
                Text(str(c.get("queued", 0) or ""), style="cyan"),
                Text(str(c.get("running", 0) or ""), style="green"),
                Text(str(human or ""), style="bold magenta"),
                Text(str(c.get("failed", 0) or ""), style="yellow"),
                Text(str(c.get("dead", 0) or ""), style="red"),
                Text(str(c.get("succeeded", 0) or "")),
                Text(age(oldest) if oldest is not None else ""),
                Text("PAUSED", style="bold yellow") if paused else Text("on", style="dim"),
                rate_spark(data.get("failures", {}).get(a) or [], self._fail_w),
            )))
        self.query_one("#agents", KeyedTable).sync(rows)
        series = data["throughput"]
        self.query_one("#sparkline", Sparkline).data = series or [0]
        self.query_one("#throughput-label", Static).update(
            Text(f"done/min {series[-1] if series else 0:>4}  last {len(series)}m {sum(series):>5} ", style="bold"))
        self.query_one("#throughput-axis", Static).update(self.axis(data))
        rrows = []
        for r in data["runners"]:
            rrows.append((r["id"], (
                lit(r["id"], max_len=60), lit(r["mode"]), status(r["status"]),
                Text(age(r["heartbeat_age_s"]) if r["status"] != "gone" else "-"),
                lit(",".join(r["agents"] or []), max_len=200),
            )))
        self.query_one("#runners-mini", KeyedTable).sync(rrows)
        sites = data["paused_sites"]
        line = Text()
        if sites:
            line.append("paused sites: ", style="bold yellow")
            for i, s in enumerate(sites):
                line.append_text(lit(s["site"]))
                if s["pause_reason"]:
                    line.append(" (")
                    line.append_text(lit(s["pause_reason"], max_len=40))
                    line.append(")")
                if i < len(sites) - 1:
                    line.append(", ")
        self.query_one("#paused-sites", Static).update(line)
        live = sum(1 for r in data["runners"] if r["status"] == "running")
        self.query_one("#alerts", Static).update(self.alerts(data))
        head = Text(f"waiting {totals['queued']:,} · running {totals['running']:,} · ")
        for label, key, style in (("human", "human", "bold white on magenta"),
                                  ("failed", "failed", "bold black on yellow"),
                                  ("dead", "dead", "bold white on red")):
            n = totals[key]
            head.append(f"{label} {n:,}", style=style if n else "")  # counts that need a person stand out
            head.append(" · ")
        head.append(f"runners {live}")
        self.set_status(head)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        """enter on an agent: the queue filtered to it; on a runner: the runners view on it."""
        event.stop()
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "agents":
            self.app.run_worker(self.tapp.open_view("queue", f"agent:{key}"), exclusive=False)
        else:
            self.app.run_worker(self._open_runner(key), exclusive=False)

    async def _open_runner(self, runner_id: str) -> None:
        await self.tapp.open_view("runners")
        view: Any = self.tapp.base_view()
        if view is not None and not view.table.move_to_key(runner_id):
            view.focus_runner = runner_id

    def action_sites(self) -> None:
        """``s``: employer sites (pauses, budgets, next session allowed in); resume one there."""
        from tui.screens.sites import SitesScreen

        self.app.push_screen(SitesScreen())

    def action_set_cap(self) -> None:
        """``c``: the agent's global concurrency cap on every runner (blank removes it), as talvix cap."""
        agent = self.query_one("#agents", KeyedTable).cursor_key
        if agent is None:
            return
        app = self.tapp
        current = (self._controls.get(agent) or {}).get("max_concurrency")

        def done(text: str | None) -> None:
            if text is None:
                return
            text = text.strip()
            if text and not (text.isdigit() and int(text) <= 2_147_483_647):
                app.notify(f"a cap is a whole number of tasks (0 or more), got {text!r}", severity="error",
                           markup=False)
                return
            cap = int(text) if text else None
            def set_cap() -> str:
                queue.set_agent_cap(app.db, agent, cap, who=app.who)
                return f"{agent}: " + (f"at most {cap} running on every runner" if cap is not None
                                       else "no global cap")

            app.act("cap", set_cap)

        app.push_screen(PromptScreen(f"Global cap for {agent}", "" if current is None else str(current),
                                     placeholder="tasks running at once on all runners (blank: no cap)",
                                     note="The same as talvix cap: every runner on every host obeys it."), done)

    def action_toggle_agent(self) -> None:
        """Pause (asks why: the reason is shown to every operator and in the audit log) or resume."""
        agent = self.query_one("#agents", KeyedTable).cursor_key
        if agent is None:
            return
        app = self.tapp
        paused = agent in self._paused

        def run(reason: str) -> str:
            queue.set_agent_paused(app.db, agent, not paused, reason, who=app.who)
            return f"{'resumed' if paused else 'paused'} {agent} on every runner"

        if paused:
            app.act("resume", lambda: run("from the console"))
            return

        def reason(text: str | None) -> None:
            if text and text.strip():
                app.act("pause", lambda: run(text.strip()))

        app.push_screen(PromptScreen(f"Pause {agent} on every runner: reason", placeholder="why (shown to operators)",
                                     required=True, note="Running tasks finish; nothing new is claimed until resumed."),
                        reason)
