"""The figures calibration is judged by: AUC, Brier score, Wilson intervals, reliability tables, and the
paired tests (DeLong, bootstrap) that say whether one score ranks outcomes better than another beyond noise.

Pure numpy/scipy, no database: ``tests/unit`` checks each against values worked out by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats


def _xy(scores: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels, dtype=bool).ravel()
    if s.shape != y.shape:
        raise ValueError(f"scores and labels differ in length ({s.size} vs {y.size})")
    return s, y


def auc(scores: Any, labels: Any) -> float:
    """Area under the ROC curve: the chance a random positive outranks a random negative (ties count half).

    NaN when either class is empty."""
    s, y = _xy(scores, labels)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = stats.rankdata(s)  # midranks for ties
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def brier(probs: Any, labels: Any) -> float:
    """Mean squared error of probabilities against 0/1 outcomes (lower is better; 0.25 is a coin)."""
    p, y = _xy(probs, labels)
    if p.size == 0:
        return float("nan")
    return float(np.mean((p - y.astype(np.float64)) ** 2))


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a proportion (95% by default); (0, 1) when there is nothing to count."""
    if n <= 0:
        return 0.0, 1.0
    phat = successes / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def reliability(scores_0_100: Any, labels: Any, bands: int = 10) -> list[dict[str, Any]]:
    """Interview rate per score band: for each band of the 0-100 score, the count behind it, the positives,
    the observed rate with its Wilson interval, and the mean score as a probability (what a calibrated
    score predicts for the band)."""
    s, y = _xy(scores_0_100, labels)
    edges = np.linspace(0, 100, bands + 1)
    idx = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, bands - 1)
    rows = []
    for b in range(bands):
        m = idx == b
        n = int(m.sum())
        k = int(y[m].sum())
        lo, hi = wilson(k, n)
        rows.append({"band": f"{edges[b]:.0f}-{edges[b + 1]:.0f}", "n": n, "positives": k,
                     "rate": round(k / n, 4) if n else None, "wilson_low": round(lo, 4), "wilson_high": round(hi, 4),
                     "mean_predicted": round(float(s[m].mean()) / 100, 4) if n else None})
    return rows


# ------------------------------------------------------------------------------------------------
# Is A better than B on the same outcomes?
# ------------------------------------------------------------------------------------------------
@dataclass
class Comparison:
    method: str
    auc_new: float
    auc_current: float
    delta: float
    #: One-sided p-value of "the new score ranks no better than the current one".
    p_value: float

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "auc_new": _r(self.auc_new), "auc_current": _r(self.auc_current),
                "delta_auc": _r(self.delta), "p_value": _r(self.p_value, 6)}


def _r(x: float, digits: int = 4) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def _placements(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's structural components: for each positive the share of negatives it beats, and for each
    negative the share of positives that beat it (ties half), from midranks."""
    pos, neg = s[y], s[~y]
    m, n = pos.size, neg.size
    r_all = stats.rankdata(np.concatenate([pos, neg]))
    r_pos, r_neg = stats.rankdata(pos), stats.rankdata(neg)
    v10 = (r_all[:m] - r_pos) / n
    v01 = 1 - (r_all[m:] - r_neg) / m
    return v10, v01


def delong(new: Any, current: Any, labels: Any) -> Comparison:
    """DeLong, DeLong & Clarke-Pearson (1988): the paired difference of two correlated AUCs on one set of
    outcomes, with its variance from the structural components; one-sided normal p-value."""
    a, y = _xy(new, labels)
    b, _ = _xy(current, labels)
    m, n = int(y.sum()), int((~y).sum())
    if m < 2 or n < 2:
        return Comparison("delong", float("nan"), float("nan"), float("nan"), 1.0)
    v10a, v01a = _placements(a, y)
    v10b, v01b = _placements(b, y)
    auc_a, auc_b = float(v10a.mean()), float(v10b.mean())
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    delta = auc_a - auc_b
    if var <= 1e-15:
        p = 0.0 if delta > 1e-12 else 1.0
    else:
        p = float(special.ndtr(-delta / math.sqrt(var)))
    return Comparison("delong", auc_a, auc_b, delta, p)


def bootstrap(new: Any, current: Any, labels: Any, *, samples: int = 1000, seed: int = 0) -> Comparison:
    """Paired, class-stratified bootstrap of the AUC difference: the share of resamples in which the new
    score does not rank better (with the usual +1 correction)."""
    a, y = _xy(new, labels)
    b, _ = _xy(current, labels)
    pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
    if pos.size < 2 or neg.size < 2:
        return Comparison("bootstrap", float("nan"), float("nan"), float("nan"), 1.0)
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(pos, (samples, pos.size)), rng.choice(neg, (samples, neg.size))], axis=1)
    lab = np.zeros(idx.shape[1], dtype=bool)
    lab[: pos.size] = True

    def aucs(s: np.ndarray) -> np.ndarray:
        ranks = stats.rankdata(s[idx], axis=1)
        return (ranks[:, lab].sum(axis=1) - pos.size * (pos.size + 1) / 2) / (pos.size * neg.size)

    d = aucs(a) - aucs(b)
    auc_a, auc_b = auc(a, y), auc(b, y)
    p = float((np.sum(d <= 0) + 1) / (samples + 1))
    return Comparison("bootstrap", auc_a, auc_b, auc_a - auc_b, p)


def compare(new: Any, current: Any, labels: Any, method: str = "delong", *, samples: int = 1000,
            seed: int = 0) -> Comparison:
    if method == "delong":
        return delong(new, current, labels)
    if method == "bootstrap":
        return bootstrap(new, current, labels, samples=samples, seed=seed)
    raise ValueError(f"unknown test {method!r}; expected delong or bootstrap")
