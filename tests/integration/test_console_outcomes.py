"""The console's outcomes view (key 0): mailbox suggestions wait for an operator, who confirms or
dismisses each after a confirmation whose default is Cancel; calibration versions with their figures,
and a rollback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from core.config import MailboxSettings
from core.crypto import load_cipher
from core.outcomes import calibration as cal
from core.outcomes import mail, synthetic
from core.storage import Storage
from tests.support.console_support import make_app, open_view, screen_text, settle, type_text, until
from tests.support.outcomes import add_application, add_candidate, add_job, seed_outcomes

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "mail"


def seed(settings, db):
    cipher = load_cipher(settings)
    with db.transaction() as conn:
        cid = add_candidate(conn, cipher, "Priya Sharma", "priya.sharma@example.in")
        jid = add_job(conn, "lever:zenloop:5f2c", "Zenloop", "Data Engineer", "https://jobs.lever.co/zenloop/5f2c",
                      ats="lever")
        aid = add_application(conn, cid, jid, submitted_at=datetime(2026, 11, 18, 9, tzinfo=UTC))
        box = MailboxSettings(host="127.0.0.1", username="u", password_env="X", candidate_id=cid)
        ids = []
        for uid, name in enumerate(("04_lever_interview_with_ics.eml", "10_rejection_after_interview.eml"), 1):
            raw = (CORPUS / name).read_bytes()
            ids.append(mail.store(conn, cipher, settings, "priya", box, 1, mail.Fetched(uid, len(raw), raw))["id"])
    seed_outcomes(db, cipher, synthetic.signal(600, seed=21))
    storage = Storage(settings.storage_path)
    storage.ensure()
    cal.run(db, storage, settings)
    return aid, ids


def test_confirm_dismiss_and_roll_back_from_the_outcomes_view(settings, db):
    aid, (invite, rejection) = seed(settings, db)

    async def main():
        app = make_app(settings, db)
        async with app.run_test(size=(160, 40)) as pilot:
            view = await open_view(pilot, "0")
            text = screen_text(app)
            assert "Interview invitation: Data Engineer at Zenloop" in text
            assert "2 message(s) to decide; scoring uses calibration v1" in text
            assert "v1" in text and "shipped" in text
            view.mail.move_to_key(str(invite))
            await pilot.press("c")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await pilot.press("enter")  # Cancel has the focus: nothing happens
            await settle(app)
            assert db.one("SELECT count(*) AS n FROM outcomes WHERE application_id = %s", (aid,))["n"] == 0
            await pilot.press("c")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: db.one("SELECT status FROM mail_messages WHERE id = %s", (invite,))["status"]
                        == "confirmed", what="confirmed")
            out = db.one("SELECT kind, confirmed_by FROM outcomes WHERE application_id = %s", (aid,))
            assert out == {"kind": "interview", "confirmed_by": "tester@console"}

            await until(pilot, lambda: view.mail.keys == [str(rejection)], what="refreshed list")
            view.mail.move_to_key(str(rejection))
            await pilot.press("d")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: db.one("SELECT status FROM mail_messages WHERE id = %s", (rejection,))["status"]
                        == "dismissed", what="dismissed")

            await pilot.press("b")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: db.one("SELECT status FROM calibrations WHERE version = 1")["status"]
                        == "rolled_back", what="rolled back")
            await until(pilot, lambda: "scoring uses the raw fit" in screen_text(app), what="status line")
            actions = [r["action"] for r in db.execute("SELECT action FROM operator_actions ORDER BY id")]
            assert actions[-3:] == ["confirm_mail", "dismiss_mail", "calibration_rollback"]

    asyncio.run(main())


def test_a_read_only_console_changes_nothing(settings, db):
    _, (invite, _) = seed(settings, db)

    async def main():
        app = make_app(settings, db, readonly=True)
        async with app.run_test(size=(160, 40)) as pilot:
            view = await open_view(pilot, "0")
            view.mail.move_to_key(str(invite))
            await pilot.press("c", "b")
            await settle(app)
            assert type(app.screen).__name__ == "OutcomesView"
            assert db.one("SELECT status FROM mail_messages WHERE id = %s", (invite,))["status"] == "pending"

    asyncio.run(main())


def test_the_calibration_view_shows_the_reliability_table_of_each_version(settings, db):
    seed(settings, db)
    figures = db.one("SELECT figures FROM calibrations WHERE version = 1")["figures"]
    bands = figures["calibrated"]["reliability"]

    async def main():
        app = make_app(settings, db)
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "0")
            text = screen_text(app)
            assert "reliability of v1" in text
            for header in ("score band", "interview rate", "Wilson 95%", "count"):
                assert header in text
            table = view.reliability
            assert table.keys == [b["band"] for b in bands]
            full = next(b for b in bands if b["n"])
            cells = [c.plain for c in table._cells[full["band"]]]
            assert cells[1] == str(full["n"]) and cells[2] == f"{full['rate'] * 100:.1f}%"
            assert cells[3] == f"{full['wilson_low'] * 100:.0f}-{full['wilson_high'] * 100:.0f}%"
            assert " ".join(cells[:4]) in " ".join(" ".join(line.split()) for line in text.splitlines())

    asyncio.run(main())


def test_an_outcome_is_recorded_from_a_session_row_as_talvix_outcome_does(settings, demo):
    from core.crypto import load_cipher
    from core.outcomes.records import list_outcomes

    aid = demo.one("SELECT application_id FROM apply_sessions WHERE id = 1")["application_id"]
    waiting = demo.one("SELECT application_id FROM tasks WHERE status = 'awaiting_approval' ORDER BY id")["application_id"]

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_view(pilot, "3")
            view.table.move_to_key("1")
            await pilot.press("O")
            await until(pilot, lambda: type(app.screen).__name__ == "OutcomeScreen", what="the outcome dialog")
            text = screen_text(app)
            for kind in ("no_response", "rejected", "interview", "offer", "withdrawn"):
                assert kind in text
            await pilot.press("escape")  # cancel: nothing recorded
            await settle(app)
            assert demo.one("SELECT count(*) AS n FROM outcomes")["n"] == 0
            await pilot.press("O")
            await until(pilot, lambda: type(app.screen).__name__ == "OutcomeScreen")
            await pilot.press("j", "j", "enter")  # interview, then the note
            await type_text(pilot, "phone screen [b]Tue[/b]")
            await pilot.press("enter")
            await until(pilot, lambda: demo.one("SELECT count(*) AS n FROM outcomes")["n"] == 1, what="recorded")
            await settle(app)
            out = list_outcomes(demo, load_cipher(settings), aid)
            assert [(o["kind"], o["status"], o["source"], o["confirmed_by"], o["note"]) for o in out] == [
                ("interview", "confirmed", "operator", "tester@console", "phone screen [b]Tue[/b]")]
            assert demo.one("SELECT count(*) AS n FROM tasks WHERE agent = 'interview_prep' AND application_id = %s",
                            (aid,))["n"] == 1
            assert demo.one("SELECT action FROM operator_actions ORDER BY id DESC LIMIT 1")["action"] == "record_outcome"
            # From the approvals view: an application not yet sent can only be withdrawn; rejected is refused.
            view = await open_view(pilot, "4")
            key = next(k for k, r in view.items.items() if r["application_id"] == waiting)
            view.table.move_to_key(key)
            await pilot.press("O")
            await until(pilot, lambda: type(app.screen).__name__ == "OutcomeScreen")
            await pilot.press("j", "enter", "enter")  # rejected, no note
            await settle(app)
            assert demo.one("SELECT count(*) AS n FROM outcomes WHERE application_id = %s", (waiting,))["n"] == 0
            await pilot.press("O")
            await until(pilot, lambda: type(app.screen).__name__ == "OutcomeScreen")
            await pilot.press("j", "j", "j", "j", "enter", "enter")  # withdrawn
            await until(pilot, lambda: demo.one("SELECT status FROM applications WHERE id = %s",
                                                (waiting,))["status"] == "withdrawn", what="withdrawn")

    asyncio.run(main())
