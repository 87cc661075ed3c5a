"""Apply engine on application pages nobody on the team wrote the engine against: the form corpus.

Every page of tests/corpus/forms/ (replicas of Greenhouse legacy/React/embedded, Lever, Ashby, Workable,
SmartRecruiters, Teamtailor, Breezy, Recruitee, Personio, JazzHR, BambooHR, iCIMS, Zoho Recruit,
Freshteam, Keka, Darwinbox and Indian company forms) is served on 127.0.0.1 and filled in one real
Chromium the way the engine does before the submit click; what each page then shows is compared with
its answer sheet (tests/support/form_corpus.py).

    python bench/forms.py [--quick] [--page STEM ...] [--rounds N] [-v]

Figures: fields found, question text right, required flag right, answers right (of all questions),
wrong answers (a value that is not the expected one, a hidden or honeypot control filled, a control that
is not a question filled), false pauses (a page taken for a soft block or wall), seconds per form.
``--quick`` is one round (well under 3 minutes); the default is three rounds (the figures are the same
each round, the time is the median). The last line is one JSON object with found_ratio, label_ratio,
required_ratio, answer_ratio, wrong_answers, false_pauses, s_per_form, pages.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# bench/ holds a queue.py: keep the folder off sys.path so the standard library's `queue` wins.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from core.apply_engine.answers import Documents  # noqa: E402
from core.apply_engine.browser import Browser  # noqa: E402
from tests.support.form_corpus import CorpusServer, load_corpus, profile, run_page, score_page, totals  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one round (under 3 minutes)")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--page", action="append", default=None, help="only this corpus page (stem); repeatable")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss and wrong answer")
    args = ap.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 3)
    pages = load_corpus(args.page)
    if not pages:
        print("no such corpus page", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="talvix-bench-forms-"))
    resume = tmp / "asha-raman-resume.pdf"
    resume.write_bytes(b"%PDF-1.4\n% Asha Raman resume\n")
    docs = Documents(resume=resume)
    prof = profile()
    server = CorpusServer()
    t0 = time.monotonic()
    per_round: list[float] = []
    scores = []
    try:
        with Browser() as browser:
            for r in range(rounds):
                scores = []
                for page in pages:
                    run = run_page(browser, server, page, prof, docs)
                    sc = score_page(page, run, resume.name)
                    scores.append(sc)
                    if r == 0:
                        flag = "ok " if not sc.wrong_answers and not sc.misses else "-- "
                        print(f"{flag}{page.stem:<20} ats={run.ats:<16} {sc.answer_right}/{sc.questions} answers right, "
                              f"{len(sc.wrong_answers)} wrong, {sc.seconds:.2f}s", flush=True)
                        if args.verbose:
                            for w in sc.wrong_answers:
                                print(f"     WRONG {w}")
                            for m in sc.misses:
                                print(f"     miss  {m}")
                per_round.append(statistics.mean(s.seconds for s in scores))
    finally:
        server.close()
    out = totals(scores)
    out["s_per_form"] = round(statistics.median(per_round), 3)
    out["rounds"] = rounds
    out["total_s"] = round(time.monotonic() - t0, 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
