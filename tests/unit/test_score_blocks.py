"""Scoring in blocks and the job term counter give exactly what the whole-matrix path and the regex give,
in one process and thread or several."""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
from collections import Counter

import numpy as np
import pytest

from core.scoring import fit as scoring

TRICKY = [
    "Node.js, C++ and C# devs. 3+ years; .NET/ASP.NET core... a..b x.+y +x #y",
    "Naïve café İstanbul KELVIN \u212a résumé — über-cool k8s/gcp (AWS) e-mail: a.b@c.d v1.2.3.",
    "end. start .5 5. 5.5 a.b.c. ..a ## ++ +#+ c+#d. python3.11 ",
    "",
    "\x00\x01tab\there\nnew line\r\nwin\u00a0nbsp",
]


def test_job_term_counts_are_the_regex_tokens_of_each_document(monkeypatch):
    """The chunked piece-level counter: every document's row holds exactly its regex tokens with their
    counts and its token count, across chunk edges, with pieces that give no, one or several tokens."""
    rng = random.Random(5)
    alphabet = "ab09+#. ,;-\nïK\u212aİ\x00"
    docs = TRICKY + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(1500)]
    monkeypatch.setattr(scoring, "_CHUNK_DOCS", 7)  # many chunks: pieces first seen in one, met again later
    tf, terms, lengths = scoring._term_counts(docs)
    assert tf.has_canonical_format and tf.shape == (len(docs), len(terms))
    assert len(set(terms)) == len(terms) and (tf.getnnz(axis=0) > 0).all()  # no empty or repeated column
    for i, text in enumerate(docs):
        want = Counter(scoring.tokens(text))
        row = tf.getrow(i)
        assert {terms[c].decode("ascii"): int(v) for c, v in zip(row.indices, row.data)} == want, text
        assert lengths[i] == sum(want.values())


def test_score_blocks_cover_every_pair_once_and_match_score():
    jobs = [{"id": i + 1, "title": f"Engineer {i}", "description": f"python sql role {i % 7} c++ node.js",
             "location": "Pune, India", "workplace": "onsite" if i % 3 else "remote",
             "parsed": {"required_skills": ["python"] if i % 2 else ["sql", "java"], "years_min": i % 6}}
            for i in range(700)]
    cands = [(i + 1, {"summary": f"python developer {i}", "skills": ["python", "sql"][: 1 + i % 2],
                      "work": {"years_experience": i % 9}, "identity": {"location": "Pune"}}) for i in range(37)]
    index = scoring.index_jobs(jobs)
    feats = scoring.candidate_features(cands, index)
    weights = scoring.Weights()
    whole = scoring.score(feats, index, weights)
    seen = np.zeros(whole.fit.shape, dtype=np.int32)
    for b in scoring.score_blocks(feats, index, weights, block_candidates=5):
        rows = slice(b.c0, b.c0 + b.fit.shape[0])
        cols = slice(b.j0, b.j0 + b.fit.shape[1])
        seen[rows, cols] += 1
        np.testing.assert_allclose(b.fit, whole.fit[rows, cols], rtol=1e-5)
        assert (b.decision == whole.decision[rows, cols]).all()
        assert (b.knock == whole.knock[rows, cols]).all()
    assert (seen == 1).all()


def _tricky_docs(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "ab09+#. ,;-\nïK\u212aİ\x00"
    return TRICKY + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(n)]


def test_job_term_counts_in_forked_workers_equal_one_process_column_for_column(monkeypatch):
    """Counted in three processes (ranges that cut through chunks, each with its own terms, renumbered
    into one term map), the matrix, the term order and the token counts are exactly one process's."""
    docs = _tricky_docs(1500, 11)
    monkeypatch.setattr(scoring, "_CHUNK_DOCS", 7)
    monkeypatch.setattr(scoring, "MIN_DOCS_PER_WORKER", 10)
    one, one_terms, one_lengths = scoring._term_counts(docs, workers=1)
    many, many_terms, many_lengths = scoring._term_counts(docs, workers=3)
    assert many_terms == one_terms
    assert many.has_canonical_format and many.shape == one.shape
    for part in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(many, part), getattr(one, part))
    np.testing.assert_array_equal(many_lengths, one_lengths)


def test_a_worker_that_fails_has_its_range_counted_in_the_parent(monkeypatch):
    docs = _tricky_docs(300, 12)
    monkeypatch.setattr(scoring, "_CHUNK_DOCS", 7)
    monkeypatch.setattr(scoring, "MIN_DOCS_PER_WORKER", 10)
    want, want_terms, _ = scoring._term_counts(docs, workers=1)
    parent, count_range = os.getpid(), scoring._count_range

    def failing_in_children(part):
        if os.getpid() != parent:
            raise MemoryError("worker out of memory")
        return count_range(part)

    monkeypatch.setattr(scoring, "_count_range", failing_in_children)
    got, got_terms, _ = scoring._term_counts(docs, workers=2)
    assert got_terms == want_terms and (got != want).nnz == 0


def test_few_documents_are_counted_in_this_process(monkeypatch):
    monkeypatch.setattr(scoring.multiprocessing, "get_context", lambda *a: pytest.fail("forked for a few documents"))
    tf, terms, _ = scoring._term_counts(TRICKY, workers=8)
    assert tf.shape == (len(TRICKY), len(terms))


def _jobs_and_candidates(n_jobs: int, n_cands: int) -> tuple[list[dict], list[tuple[int, dict]]]:
    """Jobs with tricky texts (some with required skills) and candidates whose fit differs from job to job."""
    jobs = [{"id": i + 1, "title": f"Engineer {i % 13}", "description": " ".join(_tricky_docs(2, i)[-2:]) + " python",
             "location": "Pune, India", "parsed": {"required_skills": ["python"] if i % 3 else []}}
            for i in range(n_jobs)]
    cands = [(i + 1, {"summary": f"engineer python {i % 13} {_tricky_docs(1, 100 + i)[-1]}", "skills": ["python"]})
             for i in range(n_cands)]
    return jobs, cands


def test_score_blocks_with_a_text_thread_equal_one_thread():
    jobs, cands = _jobs_and_candidates(900, 23)
    index = scoring.index_jobs(jobs, workers=1)
    feats = scoring.candidate_features(cands, index)
    weights = scoring.Weights(block_jobs=256)
    one = list(scoring.score_blocks(feats, index, weights, block_candidates=10, workers=1))
    two = list(scoring.score_blocks(feats, index, weights, block_candidates=10, workers=2))
    assert len(one) == len(two) == 3 * 4
    for a, b in zip(one, two):
        assert (a.c0, a.j0) == (b.c0, b.j0)
        np.testing.assert_array_equal(a.fit, b.fit)
        np.testing.assert_array_equal(a.knock, b.knock)
        np.testing.assert_array_equal(a.decision, b.decision)


def test_a_block_of_job_rows_is_a_view_with_the_rows_values():
    jobs = [{"id": i + 1, "title": f"Engineer {i}", "description": f"python {i} sql c++"} for i in range(50)]
    text = scoring.index_jobs(jobs, workers=1).text
    for js in (slice(0, 50), slice(30, 50), slice(7, 9), slice(12, 12)):
        view, copy = scoring._job_rows(text, js), text[js]
        assert view.shape == copy.shape and (view != copy).nnz == 0
        assert view.nnz == 0 or np.shares_memory(view.data, text.data)


def test_a_few_candidates_score_as_they_do_among_many():
    """One to four candidates take the dense-query text product; more take the sparse one: same scores."""
    jobs, cands = _jobs_and_candidates(600, 12)
    index = scoring.index_jobs(jobs, workers=1)
    weights = scoring.Weights()
    many = scoring.score(scoring.candidate_features(cands, index), index, weights)
    assert many.fit.std() > 0
    for first in (0, 3, 9):
        few = scoring.score(scoring.candidate_features(cands[first:first + 3], index), index, weights)
        np.testing.assert_allclose(few.fit, many.fit[first:first + 3], rtol=1e-5, atol=1e-4)
        assert (few.decision == many.decision[first:first + 3]).all()


def test_an_index_that_fails_while_workers_count_leaves_no_worker_behind(monkeypatch):
    monkeypatch.setattr(scoring, "MIN_DOCS_PER_WORKER", 10)
    jobs = [{"id": i + 1, "title": "Engineer", "description": "python " * 50, "parsed": {"required_skills": []}}
            for i in range(100)]
    jobs[-1]["parsed"] = {"required_skills": 5}  # not a list: the per-job loop raises
    with pytest.raises(TypeError):
        scoring.index_jobs(jobs, workers=3)
    assert multiprocessing.active_children() == []


def test_a_worker_whose_documents_hold_no_token_adds_empty_rows(monkeypatch):
    monkeypatch.setattr(scoring, "MIN_DOCS_PER_WORKER", 2)
    for docs in (["c++ node.js", "x", "", "...", "", " "], ["", "", "", "", "a.b", "a"]):
        one, one_terms, one_lengths = scoring._term_counts(docs, workers=1)
        many, many_terms, many_lengths = scoring._term_counts(docs, workers=3)
        assert many_terms == one_terms and many.shape == one.shape and (many != one).nnz == 0
        np.testing.assert_array_equal(many_lengths, one_lengths)


def test_while_the_helper_is_busy_the_scoring_thread_computes_a_queued_text_product_itself(monkeypatch):
    """The helper thread is held on its first product until the scoring thread has computed one of the
    queued ones itself; the blocks are still every block once, equal to one thread's."""
    jobs = [{"id": i + 1, "title": f"Engineer {i % 7}", "description": f"python sql role {i % 11} c++ node.js",
             "location": "Pune, India", "parsed": {"required_skills": ["python"]}} for i in range(2000)]
    cands = [(i + 1, {"summary": f"python developer {i % 11}", "skills": ["python"]}) for i in range(20)]
    index = scoring.index_jobs(jobs, workers=1)
    feats = scoring.candidate_features(cands, index)
    weights = scoring.Weights(block_jobs=256)
    want = list(scoring.score_blocks(feats, index, weights, block_candidates=10, workers=1))
    scorer, stolen, text_similarity = threading.get_ident(), threading.Event(), scoring.text_similarity

    def held_helper(*args):
        if threading.get_ident() == scorer:
            stolen.set()
        else:
            assert stolen.wait(30), "the scoring thread never took a queued product"
        return text_similarity(*args)

    monkeypatch.setattr(scoring, "text_similarity", held_helper)
    got = list(scoring.score_blocks(feats, index, weights, block_candidates=10, workers=2))
    assert stolen.is_set() and len(got) == len(want) == 2 * 8
    for a, b in zip(want, got):
        assert (a.c0, a.j0) == (b.c0, b.j0)
        np.testing.assert_array_equal(a.fit, b.fit)
        np.testing.assert_array_equal(a.decision, b.decision)


def test_default_workers_stay_within_the_containers_cpu_quota(tmp_path, monkeypatch):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert scoring._cpu_quota(str(tmp_path)) == 2
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert scoring._cpu_quota(str(tmp_path)) is None
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert scoring._cpu_quota(str(tmp_path)) == 1
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert scoring._cpu_quota(str(tmp_path)) is None
    assert scoring._cpu_quota(str(tmp_path / "absent")) is None
    monkeypatch.setattr(scoring, "_cpu_quota", lambda: 1)
    assert scoring.default_workers() == 1


def test_indexes_built_on_two_threads_at_once_each_count_their_own_jobs(monkeypatch):
    """A runner scores on several threads: each index's workers count that index's texts."""
    monkeypatch.setattr(scoring, "MIN_DOCS_PER_WORKER", 20)
    sets = [[{"id": i + 1, "title": f"{word} engineer", "description": f"{word} {i % 17} " * 20} for i in range(400)]
            for word in ("python", "golang")]
    want = [scoring.index_jobs(jobs, workers=1) for jobs in sets]
    got: list = [None, None]

    def build(k: int) -> None:
        got[k] = scoring.index_jobs(sets[k], workers=3)

    threads = [threading.Thread(target=build, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w, g in zip(want, got):
        assert g.terms == w.terms and (g.text != w.text).nnz == 0
