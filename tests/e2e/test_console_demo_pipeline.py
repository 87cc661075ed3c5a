"""`talvix demo`: the console runs the real pipeline on the local sandbox job board, loopback only."""

from __future__ import annotations

import asyncio

from tests.support.common import wait_for
from tui.app import TalvixApp


def test_demo_pipeline_discovers_and_applies_inside_the_console(settings, db, monkeypatch):
    from core import netguard

    monkeypatch.setenv(netguard.ENV, "1")
    seen: dict = {}

    def submitted() -> bool:
        row = db.one("SELECT count(*) AS n FROM applications WHERE status = 'submitted'")
        return bool(row and row["n"] >= 1)

    async def main() -> TalvixApp:
        app = TalvixApp(settings, db, live=False, demo=True)
        async with app.run_test(size=(120, 40)) as pilot:
            app.start_demo_pipeline()
            await pilot.pause()
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: wait_for(submitted, timeout=240, message="a submitted application"))
            seen["url"] = app._pipeline.url
            seen["runners"] = [r.mode for r in app.local_runners.values()]
            seen["jobs"] = db.one("SELECT count(*) AS n FROM jobs")["n"]
        return app

    app = asyncio.run(main())
    assert seen["url"].startswith("http://127.0.0.1:")
    assert seen["runners"] == ["console", "console"]
    assert seen["jobs"] >= 10
    # leaving the console stops its runners and the sandbox
    assert app.local_runners == {} and app._pipeline is None
    assert db.one("SELECT count(*) AS n FROM runners WHERE mode = 'console' AND status <> 'gone'")["n"] == 0
