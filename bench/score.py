"""Benchmark: Talvix fit scoring against a plain scikit-learn TF-IDF + cosine baseline, same data, same run.

Scenarios (synthetic, seeded): 1 candidate x 100k jobs, and 1k candidates x 10k jobs. Each side of a
scenario runs three times, alternating, and its best time is kept; ``--quick`` runs the long 1 x 100k
scenario once (the whole run stays well under 3 minutes on 2 cores), and 1k x 10k, about a second a side,
still three times: one run of it swings by a fifth with whatever else the machine does.

Both sides start from the same raw text: Talvix indexes the jobs (BM25 term matrix, skill/place
matrices, numeric vectors from the parsed JDs), turns candidates into the same spaces and computes the
five-component fit, knock-outs and decisions; the baseline fits ``TfidfVectorizer`` on the job texts,
transforms the candidate texts and takes ``cosine_similarity``. Throughput is candidate-job pairs per
second (for one candidate that is jobs per second). Talvix scores block by block (``score_blocks``) and
keeps the decision counts, as a nightly run keeps counts and chosen pairs; ``peak_memory_mb`` is the
peak memory of scoring every pair once the jobs are indexed (tracemalloc, in an untimed pass), next to
``whole_matrix_peak_memory_mb``: the same pairs as whole candidates x jobs matrices, the way before. The last line is one JSON object.

Each timed run of either side happens in a process forked from the bench for it, so both start from the
same memory and neither inherits what the other left behind. Next to wall time each side reports its CPU
time: that process's threads plus the forked workers it waited for (``os.times``). The baseline runs in one thread; Talvix counts job terms in forked processes
and runs the text products on a helper thread when it has more than one core (``talvix_workers``, the
cores this process may use; ``--workers 1`` measures it in one process and one thread). So on an idle
machine the wall-time ratio is the goal's figure, and the CPU-time ratio says how much of it comes from
doing less work rather than using more cores; on a busy machine wall time swings with the load.

First, section "database" (``--no-database`` skips it, ~1 minute): the same kind of jobs, 100k of them,
written to an embedded Postgres as discovery leaves them, and 5 candidates scored one after another through
``core.scoring.run.score_candidate`` (what the ``score`` agent runs: the jobs read from the database,
indexed, the candidate scored, the matches' breakdowns), with the open jobs' index kept between candidates
and without; the peak RSS of each process (``db_*`` keys).

scikit-learn is a bench-only dependency.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is named after the standard library's `queue`: keep this folder off sys.path so the
# standard module wins, and put the repository root on it instead.
_REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _REPO / "bench"]
sys.path.insert(0, str(_REPO))

import argparse
import gc
import json
import os
import pickle
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.candidates.skills import VOCABULARY
from core.scoring import fit as scoring

SKILLS = list(VOCABULARY)
CITIES = ["Bengaluru, India", "Mumbai, India", "Pune, India", "Hyderabad, India", "Chennai, India", "Delhi, India",
          "Gurugram, India", "Remote", "India", "Noida, India", "Kolkata, India", "Ahmedabad, India"]
ROLES = ["Backend Engineer", "Frontend Developer", "Data Engineer", "ML Engineer", "DevOps Engineer",
         "Full Stack Developer", "SDE II", "Senior Software Engineer", "Data Analyst", "QA Automation Engineer",
         "Android Developer", "Platform Engineer", "Site Reliability Engineer", "Product Engineer"]


COMMON = ("the and to of a in for with our you we will on is are as be your team this that or an by at from "
          "work build experience skills ability strong across product customers systems data design develop "
          "services support teams working new years including high quality own drive help").split()


def _words(rng: random.Random, n: int) -> list[str]:
    """A vocabulary like real postings': frequent common words, then a long tail of rarer ones."""
    syll = ["ka", "ro", "mi", "ten", "sha", "vel", "dor", "pri", "nu", "lex", "tor", "ban", "qui", "zen", "fa"]
    tail = ["".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(n)]
    return COMMON * (n // len(COMMON) // 2) + tail


def make_jobs(n: int, rng: random.Random, words: list[str]) -> list[dict[str, Any]]:
    jobs = []
    for i in range(n):
        req = rng.sample(SKILLS, rng.randint(3, 7))
        nice = rng.sample(SKILLS, rng.randint(0, 3))
        ymin = rng.choice([None, 1, 2, 3, 4, 5, 7, 10])
        title = f"{rng.choice(ROLES)} ({req[0]})"
        body = " ".join(rng.choices(words, k=rng.randint(250, 450)))  # real postings run 300-600 words
        desc = (f"About the role\n{body}\nRequirements:\n" + "\n".join(f"- {s}" for s in req)
                + (f"\n- {ymin}+ years of experience" if ymin else "")
                + ("\nNice to have:\n" + "\n".join(f"- {s}" for s in nice) if nice else ""))
        loc = rng.choice(CITIES)
        wp = "remote" if loc == "Remote" else rng.choice(["onsite", "hybrid", None])
        lo = rng.choice([None, 6, 10, 15, 20, 30])
        jobs.append({
            "id": i + 1, "title": title, "description": desc, "location": loc, "workplace": wp,
            "parsed": {"required_skills": req, "nice_skills": [s for s in nice if s not in req], "years_min": ymin,
                       "years_max": None, "location": loc, "workplace": wp,
                       "salary": {"currency": "INR", "min_lpa": lo, "max_lpa": lo * 1.5} if lo else None,
                       "sponsorship": rng.choice([None, None, False])},
        })
    return jobs


def make_candidates(n: int, rng: random.Random, words: list[str]) -> list[tuple[int, dict[str, Any]]]:
    out = []
    for i in range(n):
        skills = rng.sample(SKILLS, rng.randint(4, 12))
        role = rng.choice(ROLES)
        out.append((i + 1, {
            "summary": f"{role} " + " ".join(rng.choices(words, k=rng.randint(30, 60))),
            "skills": skills,
            "experience": [{"title": role, "bullets": [" ".join(rng.choices(words, k=12)) for _ in range(3)]}],
            "work": {"years_experience": rng.choice([0, 1, 2, 3, 5, 8, 12]), "expected_ctc_lpa": rng.choice([None, 8, 15, 25]),
                     "needs_sponsorship": rng.random() < 0.05},
            "identity": {"location": rng.choice(CITIES)},
            "preferences": {"remote": rng.choice([None, True, False]), "locations": []},
        }))
    return out


#: Cores Talvix may use (``--workers``; None: the cores this process may run on).
WORKERS: int | None = None


def _cpu() -> float:
    """CPU seconds of this process (all threads) and of the child processes it has waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def scoring_peak_mb(index: scoring.JobIndex, feats: scoring.CandidateFeatures) -> tuple[float, float]:
    """Peak memory (MB, tracemalloc: numpy's buffers included) of scoring every pair once the jobs are
    indexed: block by block keeping the counts (``score_blocks``, what Talvix does), and as whole
    candidates x jobs matrices (``score``, the way before issue 16). Untimed: tracing slows allocation."""
    weights = scoring.Weights()
    for _ in scoring.score_blocks(feats, index, weights, workers=WORKERS):
        pass  # once untraced: what the index computes once and keeps (its weighted skills) is not per pair
    peaks = []
    for blocks in (True, False):
        gc.collect()
        tracemalloc.start()
        if blocks:
            totals = np.zeros(len(scoring.DECISIONS), dtype=np.int64)
            for block in scoring.score_blocks(feats, index, weights, workers=WORKERS):
                totals += np.bincount(block.decision.ravel().view(np.uint8), minlength=len(scoring.DECISIONS))
        else:
            result = scoring.score(feats, index, weights, workers=WORKERS)
            del result
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return peaks[0], peaks[1]


def _apart(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` in a process forked from this one and return its answer: each timed side starts
    from this process's memory as it is, and neither inherits what the other left behind (Talvix gives the
    heap's free pages back before forking its term counters, which would make the baseline run after it
    fault fresh pages in)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, then leave at once (no clean-up of the parent's objects)
        code = 0
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                pickle.dump(fn(*args), out)
        except BaseException:  # noqa: BLE001 - reported by the parent as a missing answer
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as got:
        data = got.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        raise RuntimeError(f"the benchmark's child process failed ({fn.__name__})")
    return pickle.loads(data)


def talvix_run(cands: list[tuple[int, dict[str, Any]]], jobs: list[dict[str, Any]]
               ) -> tuple[float, float, dict[str, Any]]:
    """Index, features and every pair scored block by block, keeping the decision counts (what a nightly
    run keeps, with the chosen pairs): memory is the index and one block, not candidates x jobs.
    Returns wall seconds and CPU seconds (this process's threads and its forked workers)."""
    c0 = _cpu()
    t0 = time.perf_counter()
    index = scoring.index_jobs(jobs, workers=WORKERS)
    feats = scoring.candidate_features(cands, index)
    totals = np.zeros(len(scoring.DECISIONS), dtype=np.int64)
    for block in scoring.score_blocks(feats, index, scoring.Weights(), workers=WORKERS):
        totals += np.bincount(block.decision.ravel().view(np.uint8), minlength=len(scoring.DECISIONS))
    elapsed = time.perf_counter() - t0
    cpu = _cpu() - c0
    return elapsed, cpu, {d: int(totals[i]) for i, d in enumerate(scoring.DECISIONS)}


def baseline_run(cands: list[tuple[int, dict[str, Any]]], jobs: list[dict[str, Any]]) -> tuple[float, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    c0 = _cpu()
    t0 = time.perf_counter()
    vec = TfidfVectorizer()
    jm = vec.fit_transform([scoring._job_text(j) for j in jobs])
    cm = vec.transform([scoring.candidate_text(p) for _, p in cands])
    sims = cosine_similarity(cm, jm)
    assert sims.shape == (len(cands), len(jobs))
    return time.perf_counter() - t0, _cpu() - c0


def scenario(name: str, n_cands: int, n_jobs: int, repeats: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    words = _words(rng, 5000)
    jobs = make_jobs(n_jobs, rng, words)
    cands = make_candidates(n_cands, rng, words)
    pairs = n_cands * n_jobs
    t_talvix, t_base = float("inf"), float("inf")
    cpu_talvix, cpu_base = float("inf"), float("inf")
    counts: dict[str, int] = {}
    for _ in range(repeats):
        t, cpu, counts = _apart(talvix_run, cands, jobs)
        t_talvix, cpu_talvix = min(t_talvix, t), min(cpu_talvix, cpu)
        tb, cpub = _apart(baseline_run, cands, jobs)
        t_base, cpu_base = min(t_base, tb), min(cpu_base, cpub)
    index = scoring.index_jobs(jobs, workers=WORKERS)  # for the memory figures, untimed
    feats = scoring.candidate_features(cands, index)
    mem_blocks, mem_whole = scoring_peak_mb(index, feats)
    del index, feats
    row = {"scenario": name, "candidates": n_cands, "jobs": n_jobs,
           "talvix_s": round(t_talvix, 3), "baseline_s": round(t_base, 3),
           "talvix_jobs_per_s": round(pairs / t_talvix), "baseline_jobs_per_s": round(pairs / t_base),
           "ratio_vs_tfidf_baseline": round(t_base / t_talvix, 3),
           "talvix_cpu_s": round(cpu_talvix, 3), "baseline_cpu_s": round(cpu_base, 3),
           "cpu_ratio_vs_tfidf_baseline": round(cpu_base / cpu_talvix, 3), "decisions": counts,
           "peak_memory_mb": round(mem_blocks, 1), "whole_matrix_peak_memory_mb": round(mem_whole, 1)}
    print(f"{name}: talvix {t_talvix:.2f}s ({pairs / t_talvix:,.0f} pairs/s), "
          f"tf-idf baseline {t_base:.2f}s ({pairs / t_base:,.0f} pairs/s), ratio {t_base / t_talvix:.2f}x "
          f"(CPU time {cpu_talvix:.2f}s vs {cpu_base:.2f}s: {cpu_base / cpu_talvix:.2f}x); "
          f"decisions {counts}; scoring peak memory {mem_blocks:.1f} MB in blocks "
          f"({mem_whole:.1f} MB as whole matrices)", flush=True)
    return row


def _load_database(url: str, n_jobs: int, n_cands: int, seed: int) -> None:
    """Open jobs as discovery leaves them (the source's answer in ``raw``, jd_parse's facts in ``parsed``) and
    active candidates, written with COPY."""
    from psycopg.types.json import Jsonb

    from core.db import Database, migrate

    rng = random.Random(seed)
    words = _words(rng, 5000)
    jobs = make_jobs(n_jobs, rng, words)
    cands = make_candidates(n_cands, rng, words)
    db = Database(url, min_size=1, max_size=1)
    try:
        migrate(db)
        with db.transaction() as conn, conn.cursor() as cur:
            with cur.copy("COPY jobs (canonical_key, source, company, title, location, workplace, description, "
                          "description_sha256, parsed, raw) FROM STDIN") as copy:
                for j in jobs:
                    # A Greenhouse job board answer carries the description again as HTML, and more.
                    raw = {"id": j["id"], "title": j["title"], "location": {"name": j["location"]},
                           "content": "<p>" + j["description"].replace("\n", "</p><p>") + "</p>",
                           "absolute_url": f"https://boards.example/jobs/{j['id']}", "metadata": None}
                    copy.write_row((f"greenhouse:bench:{j['id']}", "greenhouse:bench", "Bench", j["title"],
                                    j["location"], j["workplace"], j["description"], f"{j['id']:064x}",
                                    Jsonb(j["parsed"]), Jsonb(raw)))
            for _, profile in cands:
                conn.execute("INSERT INTO candidates (full_name, profile, location) VALUES ('', %s, %s)",
                             (Jsonb(profile), profile["identity"]["location"]))
    finally:
        db.close()


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    """This process's resident memory now (VmRSS)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def database_run(url: str, data_dir: str, n_cands: int, keep: bool) -> dict[str, Any]:
    """Score each candidate in turn through ``core.scoring.run.score_candidate`` (what the ``score`` agent
    runs), with the index of the open jobs kept between them or not. Runs in a process forked for it."""
    from core.config import load_settings
    from core.crypto import generate_key
    from core.db import Database
    from core.scoring import run as scoring_run

    settings = load_settings(data_dir=data_dir, database_url=url, encryption_key=generate_key(),
                             score={"keep_job_index": keep})
    db = Database(url, min_size=1, max_size=1)
    times = []
    try:
        for cid in range(1, n_cands + 1):
            t0 = time.perf_counter()
            scoring_run.score_candidate(db, settings, cid)
            times.append(time.perf_counter() - t0)
    finally:
        db.close()
    return {"times": times, "builds": scoring_run.OPEN_JOBS.builds, "peak_rss_mb": _peak_rss_mb(),
            "rss_mb_after": _rss_mb()}


def database_scenario(n_jobs: int, n_cands: int, seed: int) -> dict[str, Any]:
    """End to end against Postgres: n_cands candidates scored one after another against n_jobs open jobs,
    reading the jobs from the database as the ``score`` agent does, the index kept between candidates
    (Talvix's default) and not."""
    import tempfile

    from core.db import ensure_embedded, stop_embedded

    data_dir = Path(tempfile.mkdtemp(prefix="talvix-bench-score-"))
    print(f"database: {n_jobs:,} open jobs and {n_cands} candidates into an embedded Postgres in {data_dir} ...",
          flush=True)
    try:
        url = ensure_embedded(data_dir)
        t0 = time.perf_counter()
        _load_database(url, n_jobs, n_cands, seed)
        print(f"database: loaded in {time.perf_counter() - t0:.1f}s; scoring ...", flush=True)
        kept = _apart(database_run, url, str(data_dir), n_cands, True)
        each = _apart(database_run, url, str(data_dir), n_cands, False)
    finally:
        stop_embedded(data_dir)
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    nxt = sorted(kept["times"][1:])
    row = {"scenario": f"db_{n_cands}x{n_jobs // 1000}k", "jobs": n_jobs, "candidates": n_cands,
           "first_candidate_s": round(kept["times"][0], 2),
           "next_candidate_s": round(nxt[len(nxt) // 2], 2) if nxt else None,
           "without_kept_index_s": round(sorted(each["times"])[len(each["times"]) // 2], 2),
           "index_builds": kept["builds"], "peak_rss_mb": round(kept["peak_rss_mb"]),
           "rss_mb_after": round(kept["rss_mb_after"]),
           "peak_rss_mb_without_kept_index": round(each["peak_rss_mb"])}
    print(f"database: first candidate {row['first_candidate_s']}s (reads and indexes the jobs), each next "
          f"{row['next_candidate_s']}s with the index kept ({row['index_builds']} build), "
          f"{row['without_kept_index_s']}s each without; peak RSS {row['peak_rss_mb']} MB, "
          f"{row['rss_mb_after']} MB held afterwards with the index kept "
          f"({row['peak_rss_mb_without_kept_index']} MB without)", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 x 100k once, not three times (under 3 minutes)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=None,
                    help="cores Talvix may use (default: all this process may run on; 1: one process, one thread)")
    ap.add_argument("--no-database", action="store_true",
                    help="skip the end-to-end section (100k open jobs in an embedded Postgres, ~1 minute)")
    args = ap.parse_args(argv)
    global WORKERS
    WORKERS = args.workers
    t0 = time.perf_counter()
    db_row = database_scenario(100_000, 5, args.seed + 2) if not args.no_database else None
    rows = [scenario("1x100k", 1, 100_000, 1 if args.quick else 3, args.seed),
            scenario("1kx10k", 1_000, 10_000, 3, args.seed + 1)]
    talvix_pairs = sum(r["candidates"] * r["jobs"] for r in rows)
    out = {
        "bench": "score", "quick": args.quick, "scenarios": rows,
        "talvix_jobs_per_s": round(talvix_pairs / sum(r["talvix_s"] for r in rows)),
        "baseline_jobs_per_s": round(talvix_pairs / sum(r["baseline_s"] for r in rows)),
        "ratio_vs_tfidf_baseline": round(min(r["ratio_vs_tfidf_baseline"] for r in rows), 3),
        "cpu_ratio_vs_tfidf_baseline": round(min(r["cpu_ratio_vs_tfidf_baseline"] for r in rows), 3),
        "peak_memory_mb": max(r["peak_memory_mb"] for r in rows),
        "components": list(scoring.COMPONENTS), "wall_s": round(time.perf_counter() - t0, 1),
        "talvix_workers": WORKERS if WORKERS is not None else scoring.default_workers(),
        **({"database": db_row, "db_first_candidate_s": db_row["first_candidate_s"],
            "db_next_candidate_s": db_row["next_candidate_s"],
            "db_without_kept_index_s": db_row["without_kept_index_s"],
            "db_peak_rss_mb": db_row["peak_rss_mb"], "db_rss_after_mb": db_row["rss_mb_after"]} if db_row else {}),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
