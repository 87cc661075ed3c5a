"""The console's candidate detail shows, under "to confirm before applying", each role the resume parser guessed:
which of its fields were guessed or missing, and each skill corrected from an OCR misreading (real Postgres,
Textual Pilot)."""

from __future__ import annotations

import asyncio

from psycopg.types.json import Jsonb

from tests.support.console_support import make_app, open_view, screen_text, until


def test_candidate_detail_lists_each_guessed_role_and_each_ocr_correction(settings, demo):
    cid = demo.value("SELECT min(id) FROM candidates")
    roles = [{"employer": "Kestrel Robotics", "title": "Software Engineer", "start": "2022-01", "end": "present",
              "bullets": [], "guessed": []},
             {"employer": "Loopwise", "title": "Data Intern", "start": "2021", "end": "2021", "bullets": [],
              "guessed": ["dates"]},
             {"employer": "Zentry", "title": "", "start": "2019", "end": "2020", "bullets": [],
              "guessed": ["employer"]}]
    demo.execute("""UPDATE candidates SET profile = profile || %s WHERE id = %s""",
                 (Jsonb({"experience": roles, "to_confirm": ["experience", "skills"],
                         "confidence": {"experience": 0.7, "skills": 0.75},
                         "resume": {"ocr": True, "ocr_corrections": [{"read": "HTMLS5", "skill": "HTML"}]}}), cid))

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(140, 50)) as pilot:
            cands = await open_view(pilot, "7")
            cands.table.move_to_key(str(cid))
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "TextScreen")
            text = screen_text(app)
            assert "experience  (confidence 0.70)" in text
            assert "role 2: Data Intern at Loopwise (2021 - 2021)  guessed: dates" in text
            assert "role 3: ? at Zentry (2019 - 2020)  guessed: employer; missing: title" in text
            assert "role 1:" not in text  # a role read from a clear structure is not listed
            assert "skills  (confidence 0.75)" in text and "OCR read HTMLS5 as the skill HTML" in text

    asyncio.run(main())
