"""Text from outside (job titles, errors, labels, log lines) is shown literally: Rich markup is not
interpreted and no ANSI or OSC escape sequence from it reaches the terminal."""

from __future__ import annotations

import asyncio

from psycopg.types.json import Jsonb

from core import applications, queue
from core.candidates import store as candidates
from core.crypto import load_cipher
from core.jobs import store as jobs
from core.models import NewTask
from tests.support.console_support import (
    make_app,
    open_view,
    screen_text,
    settle,
    until,
)

MARKUP = "[bold red]x[/]"
LINK = "[link=https://evil.example]click[/link]"
CSI = "\x1b[31mred"
OSC = "\x1b]0;title\x07"


def _segments_are_clean(app) -> None:
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            assert "\x1b" not in seg.text and "\x07" not in seg.text
            assert seg.style is None or not seg.style.link, f"a link reached the terminal: {seg!r}"


def _seed(settings, db) -> int:
    cid, _ = candidates.save_candidate(db, load_cipher(settings), {"identity": {"first_name": MARKUP, "last_name": CSI}})
    with db.transaction() as conn:
        jid, _ = jobs.upsert_job(conn, {"canonical_key": "x:1", "company": CSI, "title": f"{MARKUP} {LINK}",
                                           "location": OSC + "Pune", "url": "https://e.example/1"})
        aid, _ = applications.create_application(conn, cid, jid)
    task, _ = queue.enqueue(db, NewTask("apply", {"application_id": aid}, application_id=aid, job_id=jid,
                                        candidate_id=cid, site=CSI))
    claimed = queue.claim(db, ["apply"], 1, "r-hostile", 60)[0]
    sheet = {"fields": [{"label": f"{MARKUP} {OSC}", "name": "q1", "type": "text", "required": True,
                         "value": LINK, "source": CSI, "confidence": 0.3}]}
    queue.park(db, claimed, "awaiting_approval", f"{OSC}{MARKUP} {LINK} {CSI}", result={"answer_sheet": sheet})
    with db.connection() as conn:
        queue.add_event(conn, f"{MARKUP} {LINK} {CSI} {OSC}", level="error", agent="apply", task_id=task.id)
    db.execute("UPDATE applications SET answer_sheet = %s WHERE id = %s", (Jsonb(sheet), aid))
    return task.id


def test_hostile_strings_render_literally_in_every_view(settings, db):
    _seed(settings, db)

    async def main():
        app = make_app(settings, db)
        async with app.run_test(size=(200, 50)) as pilot:
            await open_view(pilot, "2")
            text = screen_text(app)
            assert MARKUP in text and "[link=https://evil.example]click[/link]" in text and "red" in text
            _segments_are_clean(app)
            await pilot.press("enter")
            await until(pilot, lambda: app.screen.loads > 0)
            assert MARKUP in screen_text(app)
            _segments_are_clean(app)
            await pilot.press("escape")
            for key in ("4", "5", "6", "7"):
                await open_view(pilot, key)
                await settle(app)
                await pilot.pause()
                assert MARKUP in screen_text(app), key
                _segments_are_clean(app)
            await open_view(pilot, "4")
            await pilot.press("enter")
            await until(pilot, lambda: app.screen.loads > 0)
            text = screen_text(app)
            assert MARKUP in text and "[link=https://evil.example]" in text
            _segments_are_clean(app)
            svg = app.export_screenshot()
            assert "\x1b" not in svg and "evil.example\"" not in svg

    asyncio.run(main())
