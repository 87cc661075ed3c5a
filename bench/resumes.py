"""Benchmark: the resume parser over the corpus in tests/corpus/resumes/ (per-field accuracy, resumes per second).

    python3 bench/resumes.py [--quick] [--misses]

Every resume of the corpus is parsed from its file and compared with its expected-facts file (see
tests/corpus/resumes/scoring.py for what counts as right). Accuracy is per field and in all (``fact_ratio``);
skills are scored as precision and recall. Speed is resumes per second by the wall clock (one process, so one
core), in all and per kind of file (text PDFs, DOCX, scans), and per CPU second of this process for text
PDFs and DOCX (a fair figure on a shared machine); ``--quick`` parses the corpus once (about a minute), without
it three times and keeps the best pass. The last line is one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _REPO / "bench"]
if "--parser-tree" not in sys.argv:
    sys.path.insert(0, str(_REPO))

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402


def _scoring():
    path = _REPO / "tests" / "corpus" / "resumes" / "scoring.py"
    spec = importlib.util.spec_from_file_location("resume_corpus_scoring", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one pass over the corpus")
    ap.add_argument("--misses", action="store_true", help="print every wrong fact")
    ap.add_argument("--parser-tree", metavar="DIR", help="measure the parser of another checkout (e.g. an old commit "
                    "unpacked with git archive) on this corpus")
    args = ap.parse_args()
    if args.parser_tree:
        sys.path.insert(0, str(Path(args.parser_tree).resolve()))

    try:
        from core.candidates.resume import ResumeError, parse_resume
    except ImportError:  # an older tree (before the layout move), to measure the parser as it was
        from core.resume import ResumeError, parse_resume  # type: ignore[no-redef]

    scoring = _scoring()
    corpus = scoring.load_corpus()
    passes = 1 if args.quick else 3
    best: dict[str, float] = {}
    total = scoring.Score()
    failures: list[str] = []
    for n in range(passes):
        spent: dict[str, float] = {}
        count: dict[str, int] = {}
        for facts in corpus:
            path = scoring.FILES / facts["file"]
            kind = "docx" if path.suffix == ".docx" else ("scan" if facts.get("renderer") == "scan" else "pdf")
            t0 = time.perf_counter()
            c0 = time.process_time()
            try:
                parsed = parse_resume(path)
            except ResumeError as exc:
                parsed = {}
                if n == 0:
                    failures.append(f"{facts['file']}: {exc}")
            dt = time.perf_counter() - t0
            cpu = time.process_time() - c0
            for k in ("all", kind):
                spent[k] = spent.get(k, 0.0) + dt
                count[k] = count.get(k, 0) + 1
            # CPU seconds of this process: resumes per second on one core, whatever else shares the machine
            # (OCR runs in a Tesseract subprocess, so scans are timed by the wall clock only)
            spent["cpu_" + kind] = spent.get("cpu_" + kind, 0.0) + cpu
            count["cpu_" + kind] = count.get("cpu_" + kind, 0) + 1
            if n == 0:
                total.merge(scoring.score(facts, parsed))
        for k, s in spent.items():
            rate = count[k] / s if s else 0.0
            best[k] = max(best.get(k, 0.0), rate)

    print(f"resumes: {len(corpus)}  passes: {passes}")
    print(f"{'field':<12}{'right':>7}{'total':>7}{'ratio':>8}")
    for f in scoring.FIELDS:
        r, t = total.right[f], total.total[f]
        print(f"{f:<12}{r:>7}{t:>7}{(r / t if t else 0):>8.3f}")
    print(f"{'skills':<12} precision {total.skills_precision:.3f}  recall {total.skills_recall:.3f}")
    for k in ("all", "pdf", "docx", "scan"):
        if k in best:
            cpu = f", {best['cpu_' + k]:.1f} per CPU second" if k != "all" and k != "scan" and "cpu_" + k in best else ""
            print(f"speed {k:<5} {best[k]:.1f} resumes/s by the wall clock{cpu}")
    for line in failures:
        print("refused:", line)
    if args.misses:
        for line in total.misses:
            print("miss:", line)
    print(json.dumps({"fact_ratio": round(total.fact_ratio, 4), "skills_precision": round(total.skills_precision, 4),
                      "skills_recall": round(total.skills_recall, 4), "resumes_per_s": round(best.get("all", 0), 2),
                      "text_pdf_resumes_per_s": round(best.get("pdf", 0), 2),
                      "text_pdf_resumes_per_cpu_s": round(best.get("cpu_pdf", 0), 2), "resumes": len(corpus)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
