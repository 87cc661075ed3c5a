"""Calibration maths: the figures against hand-worked values, and the decision to ship (signal ships,
noise and too few outcomes do not)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.config import OutcomeSettings
from core.outcomes import calibration as cal
from core.outcomes import stats, synthetic


def test_auc_counts_pairs_and_halves_ties() -> None:
    # positives 0.9, 0.4; negatives 0.5, 0.4 -> pairs: (0.9>0.5) 1, (0.9>0.4) 1, (0.4<0.5) 0, (0.4=0.4) 0.5
    assert stats.auc([0.9, 0.4, 0.5, 0.4], [1, 1, 0, 0]) == pytest.approx(2.5 / 4)
    assert stats.auc([1, 2, 3], [0, 1, 1]) == 1.0
    assert math.isnan(stats.auc([1, 2], [1, 1]))


def test_brier_is_mean_squared_error_of_probabilities() -> None:
    assert stats.brier([0.8, 0.1, 0.5], [1, 0, 1]) == pytest.approx((0.04 + 0.01 + 0.25) / 3)


def test_wilson_interval_matches_the_formula_and_stays_inside_0_1() -> None:
    lo, hi = stats.wilson(10, 100)
    assert (round(lo, 4), round(hi, 4)) == (0.0552, 0.1744)
    assert stats.wilson(0, 20)[0] == 0.0 and stats.wilson(20, 20)[1] == 1.0
    assert stats.wilson(0, 0) == (0.0, 1.0)


def test_reliability_table_counts_each_band_with_its_interval() -> None:
    scores = [5, 15, 15, 95, 99, 100]
    labels = [0, 1, 0, 1, 1, 0]
    rows = stats.reliability(scores, labels, bands=10)
    assert [r["n"] for r in rows] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 3]
    assert rows[1]["positives"] == 1 and rows[1]["rate"] == 0.5
    assert rows[2]["rate"] is None and rows[2]["wilson_low"] == 0.0
    assert rows[9]["positives"] == 2 and rows[9]["mean_predicted"] == pytest.approx(0.98, abs=1e-3)
    assert rows[9]["wilson_low"] < 2 / 3 < rows[9]["wilson_high"]


def test_delong_and_bootstrap_agree_on_a_clear_difference_and_on_none() -> None:
    rng = np.random.default_rng(3)
    y = rng.random(600) < 0.3
    good = y * 1.5 + rng.normal(size=600)
    poor = y * 0.2 + rng.normal(size=600)
    for method in ("delong", "bootstrap"):
        c = stats.compare(good, poor, y, method, samples=500)
        assert c.delta > 0.2 and c.p_value < 0.01, method
        same = stats.compare(poor, poor, y, method, samples=500)
        assert same.delta == 0 and same.p_value >= 0.5, method


def test_logistic_fit_recovers_a_known_direction() -> None:
    data = synthetic.signal(4000, seed=11)
    b0, coef = cal.fit_logistic(data.x, data.y, l2=0.1)
    assert np.corrcoef(coef, synthetic.SIGNAL_COEF)[0, 1] > 0.95
    assert abs(b0 - synthetic.SIGNAL_INTERCEPT) < 1.0


def test_calibration_improves_on_a_known_signal_and_ships() -> None:
    ev = cal.evaluate(synthetic.signal(1000, seed=1), OutcomeSettings())
    fig = ev.figures
    assert ev.shipped, ev.reason
    assert fig["calibrated"]["auc"] > fig["current"]["auc"] + 0.05
    assert fig["calibrated"]["brier"] < fig["current"]["brier"]
    assert ev.comparison is not None and ev.comparison.p_value < 0.05
    assert sum(r["n"] for r in fig["calibrated"]["reliability"]) == ev.n_holdout
    # thresholds move with the scale: the same share of fitted pairs still clears them
    assert 0 <= ev.model.review_threshold <= ev.model.apply_threshold <= 100


@pytest.mark.parametrize("method", ["delong", "bootstrap"])
def test_calibration_refuses_to_ship_on_pure_noise(method: str) -> None:
    ev = cal.evaluate(synthetic.noise(1000, seed=1), OutcomeSettings(ship_test=method))
    assert not ev.shipped
    assert ev.reason.startswith("rejected: ")


def test_noise_ships_no_more_often_than_the_significance_level_allows() -> None:
    cfg = OutcomeSettings()
    shipped = sum(cal.evaluate(synthetic.noise(300, seed=k), cfg).shipped for k in range(60))
    assert shipped <= 6  # 5% of 60 is 3; binomial 99th percentile is 7


def test_calibration_refuses_below_the_minimum_and_says_why() -> None:
    data = synthetic.signal(49, seed=2)
    with pytest.raises(cal.NotEnoughOutcomes, match="49 confirmed outcome.*50 needed"):
        cal.evaluate(data, OutcomeSettings())
    ev = cal.evaluate(synthetic.signal(80, seed=2), OutcomeSettings(min_outcomes=80))
    assert ev.n_outcomes == 80


def test_calibration_needs_both_kinds_of_outcome() -> None:
    data = synthetic.noise(200, seed=4, rate=0.01)
    data.y[:] = False
    data.y[:3] = True
    with pytest.raises(cal.NotEnoughOutcomes, match="3 positive"):
        cal.evaluate(data, OutcomeSettings())


def test_a_new_calibration_is_judged_against_the_active_one_not_the_raw_fit() -> None:
    data = synthetic.signal(1500, seed=5)
    first = cal.evaluate(data, OutcomeSettings())
    first.model.version = 1
    again = cal.evaluate(synthetic.signal(1500, seed=6), OutcomeSettings(), current=first.model)
    assert not again.shipped  # the same signal fitted twice is not better beyond noise
    assert "calibration v1" in again.reason


def test_split_is_stratified_and_repeatable() -> None:
    data = synthetic.signal(500, seed=7)
    tr, ho = cal.split(data, 0.3, 13)
    tr2, ho2 = cal.split(data, 0.3, 13)
    assert np.array_equal(ho, ho2) and np.array_equal(tr, tr2)
    assert not set(tr) & set(ho) and len(tr) + len(ho) == 500
    assert abs(data.y[ho].mean() - data.y.mean()) < 0.02


def test_moved_threshold_keeps_the_share_above_it() -> None:
    raw = np.array([10, 20, 30, 40, 50, 60, 70, 80, 90, 95.0])
    calibrated = raw / 10
    t = cal.moved_threshold(raw, calibrated, 70)
    assert np.mean(calibrated >= t) == np.mean(raw >= 70)
    assert cal.moved_threshold(raw, calibrated, 5) <= calibrated.min()


def test_the_scorer_hook_gives_the_same_fit_as_the_model_on_component_matrices() -> None:
    ev = cal.evaluate(synthetic.signal(600, seed=3), OutcomeSettings())
    rows = synthetic.signal(12, seed=4).x
    matrices = {f: rows[:, i].reshape(3, 4).astype(np.float32) for i, f in enumerate(cal.FEATURES)}
    before = {f: m.copy() for f, m in matrices.items()}
    fit = ev.model.apply(matrices)
    assert fit.shape == (3, 4) and fit.dtype == np.float32
    assert np.allclose(fit.ravel(), ev.model.score(rows), atol=1e-3)
    assert all(np.array_equal(matrices[f], before[f]) for f in cal.FEATURES)
