"""Overview: queue depth per agent and state, the oldest waiting task, throughput, runners, pauses."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Sparkline, Static

from core import queue
from core.browse import pages
from tui.keys import OVERVIEW_BINDINGS
from tui.screens.base import BaseView
from tui.text import age, lit, status
from tui.widgets.keyed_table import KeyedTable

HUMAN = ("awaiting_approval", "needs_human")


class OverviewView(BaseView):
    VIEW = "overview"
    TITLE_TEXT = "Overview"
    BINDINGS = OVERVIEW_BINDINGS

    def body(self) -> ComposeResult:
        with Horizontal(id="throughput"):
            yield Static(id="throughput-label")
            yield Sparkline([0], id="sparkline")
        yield KeyedTable([("agent", "agent", 14), ("queued", "queued", 7), ("running", "run", 5),
                          ("human", "human", 6), ("failed", "failed", 6), ("dead", "dead", 6),
                          ("succeeded", "done", 7), ("oldest", "oldest", 7), ("state", "state", 8)],
                         id="agents")
        yield KeyedTable([("runner", "runner", 24), ("mode", "mode", 8), ("status", "status", 8),
                          ("beat", "beat", 6), ("agents", "agents", None)], id="runners-mini")
        yield Static(id="paused-sites")

    def on_mount(self) -> None:
        self.query_one("#agents", KeyedTable).focus()

    def focus_main(self) -> None:
        self.query_one("#agents", KeyedTable).focus()

    def fetch(self, req: Any) -> Any:
        return pages.overview(self.tapp.db, self.tapp.clock_now())

    def show(self, data: Any) -> None:
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
                Text("PAUSED", style="bold yellow") if paused else Text("active", style="dim"),
            )))
        self.query_one("#agents", KeyedTable).sync(rows)
        series = data["throughput"]
        self.query_one("#sparkline", Sparkline).data = series or [0]
        self.query_one("#throughput-label", Static).update(
            Text(f"done/min {series[-1] if series else 0:>4}  last {len(series)}m {sum(series):>5} ", style="bold"))
        rrows = []
        for r in data["runners"]:
            rrows.append((r["id"], (
                lit(r["id"], max_len=24), lit(r["mode"]), status(r["status"]),
                Text(age(r["heartbeat_age_s"]) if r["status"] != "gone" else "-"),
                lit(",".join(r["agents"] or []), max_len=60),
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
        self.set_status(f"waiting {totals['queued']:,} · running {totals['running']:,} · human {totals['human']:,}"
                        f" · failed {totals['failed']:,} · dead {totals['dead']:,} · runners {live}")

    def action_toggle_agent(self) -> None:
        agent = self.query_one("#agents", KeyedTable).cursor_key
        if agent is None:
            return
        app = self.tapp

        def run() -> str:
            paused = bool((queue.agent_controls(app.db).get(agent) or {}).get("paused"))
            queue.set_agent_paused(app.db, agent, not paused, "from the console", who=app.who)
            return f"{'resumed' if paused else 'paused'} {agent} on every runner"

        app.act("pause", run)
