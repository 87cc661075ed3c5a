"""Command palette (ctrl+p): open any view, or run any action valid on the current screen."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.keys import VIEW_KEYS, VIEWS


class ConsoleCommands(Provider):
    def _commands(self) -> list[tuple[str, Any, str]]:
        app: Any = self.app
        out: list[tuple[str, Any, str]] = []
        for name in VIEWS:
            out.append((f"Open {name}", partial(app.run_action, f"view('{name}')"),
                        f"view {name} (key {VIEW_KEYS[name]}, or :{name})"))
        screen = self.screen
        seen = set()
        for active in screen.active_bindings.values():
            bnd = active.binding
            if not active.enabled or not bnd.description or bnd.action.startswith("view(") or bnd.id in seen:
                continue
            seen.add(bnd.id)
            out.append((bnd.description, partial(self.app.run_action, bnd.action, active.node),
                        f"{bnd.tooltip or bnd.description} (key {bnd.key_display or bnd.key})"))
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
