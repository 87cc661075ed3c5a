"""Scoring in blocks and the job term counter give exactly what the whole-matrix path and the regex give."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np

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
