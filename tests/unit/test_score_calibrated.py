"""Scoring with a shipped calibration: the fit becomes the predicted interview rate (0-100), the
calibration's thresholds decide, and the breakdown keeps the raw fit beside it."""

from __future__ import annotations

import numpy as np

from core.outcomes.calibration import Model
from core.scoring import fit as scoring
from tests.unit.test_score import BACKEND, candidate, job

OTHER = job(2, "Data Analyst", "Requirements:\n- SQL and Excel\n- 2+ years of experience", "Mumbai, India", "onsite")


def run(weights: scoring.Weights):
    index = scoring.index_jobs([BACKEND, OTHER])
    cands = [candidate(1, expected_ctc_lpa=22), candidate(2, skills=("Excel",), location="Mumbai")]
    return scoring.score(scoring.candidate_features(cands, index), index, weights)


def test_a_calibration_scores_with_its_model_and_decides_with_its_thresholds():
    raw = run(scoring.Weights())
    # text similarity counts most in this model; its thresholds are on the probability scale
    model = Model(-3.0, np.array([1.0, 4.0, 0.5, 1.0, 0.0]), apply_threshold=40.0, review_threshold=20.0, version=7)
    cal = run(scoring.Weights().calibrated(model))
    assert not np.allclose(raw.fit, cal.fit)
    comp, _ = scoring.components(cal.candidates, cal.jobs, slice(None), cal.weights)
    assert np.allclose(cal.fit, model.apply(comp), atol=1e-4)
    expected = np.where(cal.fit >= 40, 2, np.where(cal.fit >= 20, 1, 0))
    expected[cal.knock != 0] = 0
    assert np.array_equal(cal.decision, expected)
    bd = cal.breakdown(0, 0)
    assert bd["calibration"] == 7 and bd["thresholds"] == {"apply": 40.0, "review": 20.0}
    assert bd["raw_score"] == raw.breakdown(0, 0)["score"]
    assert bd["score"] == round(float(cal.fit[0, 0]), 1)
    assert "raw_score" not in raw.breakdown(0, 0)


def test_no_calibration_leaves_the_weights_as_they_are():
    w = scoring.Weights()
    assert w.calibrated(None) is w
