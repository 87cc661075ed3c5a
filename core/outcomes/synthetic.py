"""Synthetic outcomes for the calibration bench and tests: components shaped like real fit components,
labels drawn from a known signal (which weighs the components differently from the default fit) or from
pure noise at the same interview rate."""

from __future__ import annotations

import numpy as np

from core.outcomes.calibration import Dataset

#: The default fit's weights (core.scoring.Weights), for the raw score.
DEFAULT_WEIGHTS = np.array([0.45, 0.15, 0.15, 0.15, 0.10])
#: The known signal: text similarity and location predict interviews, skills only a little, salary against.
SIGNAL_INTERCEPT = -5.0
SIGNAL_COEF = np.array([0.5, 5.0, 0.5, 3.0, -2.0])


def components(n: int, rng: np.random.Generator) -> np.ndarray:
    skills = rng.beta(4, 2, n)
    text = rng.beta(2, 3, n)
    experience = np.where(rng.random(n) < 0.6, 1.0, rng.beta(4, 2, n))
    location = rng.choice([1.0, 0.7, 0.5, 0.4, 0.0], n, p=[0.45, 0.2, 0.15, 0.1, 0.1])
    salary = np.where(rng.random(n) < 0.3, 0.75, rng.beta(3, 1.5, n))
    return np.column_stack([skills, text, experience, location, salary])


def signal(n: int, seed: int = 0) -> Dataset:
    """Outcomes whose interview probability is a logistic function of the components (SIGNAL_COEF)."""
    rng = np.random.default_rng(seed)
    x = components(n, rng)
    p = 1 / (1 + np.exp(-(SIGNAL_INTERCEPT + x @ SIGNAL_COEF)))
    y = rng.random(n) < p
    return Dataset.of(x, 100 * x @ DEFAULT_WEIGHTS, y)


def noise(n: int, seed: int = 0, rate: float = 0.15) -> Dataset:
    """Outcomes unrelated to the components, at interview rate ``rate``."""
    rng = np.random.default_rng(seed)
    x = components(n, rng)
    y = rng.random(n) < rate
    return Dataset.of(x, 100 * x @ DEFAULT_WEIGHTS, y)
