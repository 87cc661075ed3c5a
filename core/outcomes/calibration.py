"""Calibration of the fit score from outcomes: a logistic regression from the five scoring components to
"this application got an interview or an offer", fitted only once enough outcomes are confirmed, judged on
held-back outcomes against the scoring in use, and shipped only when it ranks them better beyond noise.

The pure part (:func:`fit_logistic`, :func:`evaluate`) takes arrays; the stored part keeps every
calibration as a versioned JSON file under the storage root's ``calibration/`` folder and a row in
``calibrations`` (status ``shipped``, ``rejected`` or ``rolled_back``; at most one row is ``active``).

A calibrated score is 100 x the predicted interview probability. Its ``apply`` and ``review`` thresholds
are moved with it so that the same share of the fitted pairs clears each threshold as under the
configured ones: a calibration changes the order, not how many applications are made. Below
``outcomes.min_outcomes`` nothing is fitted and no threshold moves.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from psycopg.types.json import Jsonb

from core.errors import NotFound, TalvixError
from core.outcomes import stats

if TYPE_CHECKING:
    from core.config import OutcomeSettings, Settings
    from core.db import Database
    from core.storage import Storage

#: The scoring components, in the order of :data:`core.scoring.COMPONENTS`.
FEATURES = ("skills", "text", "experience", "location", "salary")
POSITIVE = ("interview", "offer")
NEGATIVE = ("rejected", "no_response")
FOLDER = "calibration"


class NotEnoughOutcomes(TalvixError):
    """Fewer confirmed outcomes than ``outcomes.min_outcomes``: nothing is fitted, nothing moves."""

    exit_code = 3


# ------------------------------------------------------------------------------------------------
# The model
# ------------------------------------------------------------------------------------------------
@dataclass
class Model:
    intercept: float
    coefficients: np.ndarray  # one per FEATURES
    apply_threshold: float = 70.0
    review_threshold: float = 50.0
    version: int | None = None

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Interview probability of each row of components (n x 5, in [0, 1])."""
        z = self.intercept + np.asarray(x, dtype=np.float64) @ self.coefficients
        return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))

    def score(self, x: np.ndarray) -> np.ndarray:
        """The calibrated fit, 0-100."""
        return 100.0 * self.probability(x)

    def apply(self, components: dict[str, np.ndarray]) -> np.ndarray:
        """The calibrated fit (0-100, float32) of component matrices as the scorer computes them
        (candidates x jobs each, keyed by :data:`FEATURES`); the matrices are not changed."""
        z = np.full(np.shape(components[FEATURES[0]]), self.intercept, dtype=np.float64)
        for name, coef in zip(FEATURES, self.coefficients):
            z += float(coef) * components[name]
        np.clip(z, -35, 35, out=z)
        return (100.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def as_json(self) -> dict[str, Any]:
        return {"intercept": float(self.intercept),
                "coefficients": {f: float(c) for f, c in zip(FEATURES, self.coefficients)},
                "thresholds": {"apply": round(float(self.apply_threshold), 4),
                               "review": round(float(self.review_threshold), 4)}}

    @classmethod
    def from_json(cls, data: dict[str, Any], version: int | None = None) -> Model:
        coef = data["coefficients"]
        th = data.get("thresholds") or {}
        return cls(float(data["intercept"]), np.array([float(coef[f]) for f in FEATURES]),
                   float(th.get("apply", 70.0)), float(th.get("review", 50.0)), version)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> tuple[float, np.ndarray]:
    """L2-penalised logistic regression by Newton's method (the intercept is not penalised).

    Converges in a handful of steps on five bounded features; the penalty keeps it finite when the
    classes separate."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, k = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(k + 1)
    base = min(max(y.mean(), 1e-3), 1 - 1e-3)
    beta[0] = math.log(base / (1 - base))
    penalty = np.full(k + 1, float(l2))
    penalty[0] = 0.0
    for _ in range(iterations):
        z = np.clip(design @ beta, -35, 35)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = design.T @ (p - y) + penalty * beta
        w = p * (1 - p)
        hess = (design * w[:, None]).T @ design + np.diag(penalty) + 1e-9 * np.eye(k + 1)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return float(beta[0]), beta[1:]


def moved_threshold(raw_train: np.ndarray, calibrated_train: np.ndarray, raw_threshold: float) -> float:
    """The calibrated threshold that the same share of the fitted pairs clears as clear ``raw_threshold``."""
    share_below = float(np.mean(raw_train < raw_threshold))
    if share_below <= 0:
        return float(max(0.0, calibrated_train.min() - 1e-6))
    if share_below >= 1:
        return float(min(100.0, calibrated_train.max() + 1e-6))
    return float(np.quantile(calibrated_train, share_below))


# ------------------------------------------------------------------------------------------------
# Fitting and judging (pure)
# ------------------------------------------------------------------------------------------------
@dataclass
class Dataset:
    """Labelled outcomes: components (n x 5, [0, 1]), the raw fit (0-100), the label, and the ids."""

    x: np.ndarray
    raw: np.ndarray
    y: np.ndarray
    ids: np.ndarray

    def __len__(self) -> int:
        return int(self.y.size)

    @classmethod
    def of(cls, x: Any, raw: Any, y: Any, ids: Any = None) -> Dataset:
        x = np.asarray(x, dtype=np.float64).reshape(-1, len(FEATURES))
        y = np.asarray(y, dtype=bool).ravel()
        ids = np.arange(y.size) if ids is None else np.asarray(ids)
        return cls(x, np.asarray(raw, dtype=np.float64).ravel(), y, ids)


def split(data: Dataset, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and held-back index arrays, stratified by label, the same for the same ids and seed."""
    rng = np.random.default_rng(seed)
    order = np.argsort(data.ids, kind="stable")
    train: list[int] = []
    hold: list[int] = []
    for label in (True, False):
        members = order[data.y[order] == label]
        members = members[rng.permutation(members.size)]
        k = int(round(members.size * fraction))
        hold.extend(members[:k].tolist())
        train.extend(members[k:].tolist())
    return np.array(sorted(train), dtype=np.int64), np.array(sorted(hold), dtype=np.int64)


@dataclass
class Evaluation:
    """What one calibration run found: the model, its figures and the current scoring's on the same
    held-back outcomes, the test, and the decision."""

    model: Model
    shipped: bool
    reason: str
    n_outcomes: int
    n_train: int
    n_holdout: int
    positives: int
    figures: dict[str, Any] = field(default_factory=dict)
    comparison: stats.Comparison | None = None

    def as_json(self) -> dict[str, Any]:
        return {"shipped": self.shipped, "reason": self.reason, "n_outcomes": self.n_outcomes,
                "n_train": self.n_train, "n_holdout": self.n_holdout, "positives": self.positives,
                "model": self.model.as_json(), "figures": self.figures,
                "test": self.comparison.as_json() if self.comparison else None}


def _figures(score_0_100: np.ndarray, y: np.ndarray, bands: int) -> dict[str, Any]:
    return {"auc": _round(stats.auc(score_0_100, y)), "brier": _round(stats.brier(score_0_100 / 100.0, y)),
            "reliability": stats.reliability(score_0_100, y, bands)}


def _round(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 4)


def evaluate(data: Dataset, cfg: OutcomeSettings, *, current: Model | None = None,
             apply_threshold: float = 70.0, review_threshold: float = 50.0) -> Evaluation:
    """Fit on the training share, judge on the held-back share against ``current`` (None: the raw fit).

    Raises :class:`NotEnoughOutcomes` below ``cfg.min_outcomes`` (or with too few of either kind to judge).
    Ships when the one-sided test of "the new AUC is no better" gives p < ``cfg.ship_alpha`` and the
    new Brier score is no worse."""
    n = len(data)
    pos = int(data.y.sum())
    if n < cfg.min_outcomes:
        raise NotEnoughOutcomes(f"{n} confirmed outcome(s), {cfg.min_outcomes} needed before calibrating "
                                "(outcomes.min_outcomes); nothing was fitted and no threshold moved")
    if pos < 5 or n - pos < 5:
        raise NotEnoughOutcomes(f"{pos} positive and {n - pos} negative outcome(s): at least 5 of each are needed "
                                "to judge a calibration; nothing was fitted")
    train, hold = split(data, cfg.holdout_fraction, cfg.seed)
    b0, coef = fit_logistic(data.x[train], data.y[train], cfg.l2)
    model = Model(b0, coef)
    cal_train = model.score(data.x[train])
    model.apply_threshold = moved_threshold(data.raw[train], cal_train, apply_threshold)
    model.review_threshold = min(model.apply_threshold,
                                 moved_threshold(data.raw[train], cal_train, review_threshold))
    new_h = model.score(data.x[hold])
    cur_h = current.score(data.x[hold]) if current is not None else np.clip(data.raw[hold], 0, 100)
    yh = data.y[hold]
    cmp = stats.compare(new_h, cur_h, yh, cfg.ship_test, samples=cfg.bootstrap_samples, seed=cfg.seed)
    fig_new, fig_cur = _figures(new_h, yh, cfg.score_bands), _figures(cur_h, yh, cfg.score_bands)
    better_rank = math.isfinite(cmp.p_value) and cmp.p_value < cfg.ship_alpha and cmp.delta > 0
    brier_ok = (fig_new["brier"] or 1.0) <= (fig_cur["brier"] or 1.0)
    what = f"current (calibration v{current.version})" if current is not None and current.version else "the raw fit"
    if better_rank and brier_ok:
        reason = (f"ships: held-back AUC {fig_new['auc']} vs {fig_cur['auc']} for {what} "
                  f"({cmp.method} p={cmp.p_value:.4g} < {cfg.ship_alpha}), Brier {fig_new['brier']} vs {fig_cur['brier']}")
    elif not better_rank:
        reason = (f"rejected: held-back AUC {fig_new['auc']} vs {fig_cur['auc']} for {what} is not better beyond "
                  f"noise ({cmp.method} p={cmp.p_value:.4g}, needs < {cfg.ship_alpha})")
    else:
        reason = f"rejected: Brier {fig_new['brier']} is worse than {fig_cur['brier']} for {what}"
    return Evaluation(model=model, shipped=bool(better_rank and brier_ok), reason=reason, n_outcomes=n,
                      n_train=int(train.size), n_holdout=int(hold.size), positives=pos,
                      figures={"calibrated": fig_new, "current": fig_cur}, comparison=cmp)


# ------------------------------------------------------------------------------------------------
# Outcomes from the database
# ------------------------------------------------------------------------------------------------
_DATASET_SQL = """
SELECT a.id, a.score, a.score_breakdown,
       bool_or(o.kind = ANY(%(pos)s)) AS positive
  FROM applications a
  JOIN outcomes o ON o.application_id = a.id AND o.status = 'confirmed'
 WHERE o.kind = ANY(%(labelled)s) AND a.score_breakdown IS NOT NULL
 GROUP BY a.id
 ORDER BY a.id
"""


def components_of(breakdown: dict[str, Any]) -> tuple[list[float], float] | None:
    """(the five component scores, the raw fit 0-100) from an application's stored breakdown."""
    comp = (breakdown or {}).get("components") or {}
    try:
        x = [float(comp[f]["score"]) for f in FEATURES]
        w = [float(comp[f].get("weight", 0.0)) for f in FEATURES]
    except (KeyError, TypeError, ValueError):
        return None
    raw = breakdown.get("raw_score")
    raw_fit = float(raw) if raw is not None else 100.0 * sum(a * b for a, b in zip(x, w))
    return x, raw_fit


def load_dataset(db: Database) -> Dataset:
    """Every application with a confirmed labelled outcome: positive if any confirmed interview or offer."""
    rows = db.execute(_DATASET_SQL, {"pos": list(POSITIVE), "labelled": list(POSITIVE + NEGATIVE)})
    xs, raws, ys, ids = [], [], [], []
    for r in rows:
        got = components_of(r["score_breakdown"])
        if got is None:
            continue
        xs.append(got[0])
        raws.append(got[1])
        ys.append(bool(r["positive"]))
        ids.append(int(r["id"]))
    return Dataset.of(np.array(xs).reshape(-1, len(FEATURES)), raws, ys, ids)


def confirmed_count(db: Database) -> int:
    row = db.one("""SELECT count(DISTINCT application_id) AS n FROM outcomes
                     WHERE status = 'confirmed' AND kind = ANY(%s)""", (list(POSITIVE + NEGATIVE),))
    return int(row["n"]) if row else 0


# ------------------------------------------------------------------------------------------------
# Versions
# ------------------------------------------------------------------------------------------------
def active_model(db: Database, storage: Storage) -> Model | None:
    """The calibration scoring uses now, or None (the raw weighted fit)."""
    row = db.one("SELECT version, path FROM calibrations WHERE active ORDER BY version DESC LIMIT 1")
    if row is None:
        return None
    return load_model(storage, row["path"], int(row["version"]))


def load_model(storage: Storage, relpath: str, version: int) -> Model:
    path = storage.resolve(relpath)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TalvixError(f"calibration v{version} cannot be read from {relpath}: {exc}") from None
    return Model.from_json(data["model"], version)


def run(db: Database, storage: Storage, settings: Settings, *, who: str | None = None) -> dict[str, Any]:
    """Fit, judge, save a new version (shipped and active, or rejected); return what the operator sees.

    Raises :class:`NotEnoughOutcomes` (nothing saved) below the minimum."""
    from core import queue

    cfg = settings.outcomes
    data = load_dataset(db)
    current = active_model(db, storage)
    ev = evaluate(data, cfg, current=current, apply_threshold=settings.score.apply_threshold,
                  review_threshold=settings.score.review_threshold)
    with db.transaction() as conn:
        conn.execute("LOCK TABLE calibrations IN SHARE ROW EXCLUSIVE MODE")
        top = conn.execute("SELECT COALESCE(max(version), 0) + 1 AS v FROM calibrations").fetchone()
        version = int(top["v"]) if top else 1
        ev.model.version = version
        doc = {"version": version, "created_at": datetime.now(UTC).isoformat(),
               "features": list(FEATURES), "against": current.version if current else None,
               "settings": {"min_outcomes": cfg.min_outcomes, "holdout_fraction": cfg.holdout_fraction,
                            "ship_alpha": cfg.ship_alpha, "ship_test": cfg.ship_test, "l2": cfg.l2, "seed": cfg.seed},
               **ev.as_json()}
        stored = storage.write(FOLDER, f"v{version:04d}.json", data=json.dumps(doc, indent=2))
        status = "shipped" if ev.shipped else "rejected"
        if ev.shipped:
            conn.execute("UPDATE calibrations SET active = false WHERE active")
        fc, fn = ev.figures["current"], ev.figures["calibrated"]
        conn.execute(
            """INSERT INTO calibrations (version, status, active, path, sha256, n_outcomes, n_holdout, auc, brier,
                                         auc_current, brier_current, p_value, test, reason, against, figures,
                                         activated_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                       CASE WHEN %s THEN now() END)""",
            (version, status, ev.shipped, stored.relpath, stored.sha256, ev.n_outcomes, ev.n_holdout, fn["auc"],
             fn["brier"], fc["auc"], fc["brier"], ev.comparison.p_value if ev.comparison else None,
             cfg.ship_test, ev.reason, current.version if current else None, Jsonb(ev.figures), ev.shipped))
        queue.add_event(conn, f"calibration v{version} {status}: {ev.reason}", agent="calibrate",
                        level="info" if ev.shipped else "warning", data={"version": version, "status": status})
        queue.audit(conn, "calibrate", target_type="calibration", target_ids=[version],
                    details={"status": status}, who=who)
    return {"version": version, "status": status, "active": ev.shipped, "path": stored.relpath, **ev.as_json()}


def versions(db: Database) -> list[dict[str, Any]]:
    """Every calibration, newest first, with its figures (what the console and ``talvix calibrate --list`` show)."""
    return db.execute("""SELECT version, status, active, n_outcomes, n_holdout, auc, brier, auc_current, brier_current,
                                p_value, test, reason, against, path, created_at, activated_at
                           FROM calibrations ORDER BY version DESC""")


def rollback(db: Database, *, to_version: int | None = None, who: str | None = None) -> dict[str, Any]:
    """Stop using the active calibration: the previous shipped one (or ``to_version``, or the raw fit when
    there is none) becomes active; the one rolled back is marked ``rolled_back``."""
    from core import queue

    with db.transaction() as conn:
        conn.execute("LOCK TABLE calibrations IN SHARE ROW EXCLUSIVE MODE")
        cur = conn.execute("SELECT version FROM calibrations WHERE active").fetchone()
        if to_version is not None:
            target = conn.execute("SELECT version, status FROM calibrations WHERE version = %s", (to_version,)).fetchone()
            if target is None:
                raise NotFound(f"no calibration v{to_version}")
            if target["status"] == "rejected":
                raise TalvixError(f"calibration v{to_version} was rejected (not better beyond noise); it cannot be "
                                  "made active")
        else:
            if cur is None:
                raise NotFound("no calibration is active: scoring already uses the raw fit")
            target = conn.execute("""SELECT version FROM calibrations WHERE status = 'shipped' AND version < %s
                                      ORDER BY version DESC LIMIT 1""", (cur["version"],)).fetchone()
        if cur is not None and (target is None or cur["version"] != target["version"]):
            conn.execute("UPDATE calibrations SET active = false, status = 'rolled_back' WHERE version = %s",
                         (cur["version"],))
        if target is not None:
            conn.execute("""UPDATE calibrations SET active = true, status = 'shipped', activated_at = now()
                             WHERE version = %s""", (target["version"],))
        now_active = target["version"] if target is not None else None
        msg = (f"calibration rolled back from v{cur['version'] if cur else '-'} to "
               + (f"v{now_active}" if now_active else "the raw fit"))
        queue.add_event(conn, msg, agent="calibrate", level="warning",
                        data={"from": cur["version"] if cur else None, "to": now_active})
        queue.audit(conn, "calibration_rollback", target_type="calibration",
                    target_ids=[v for v in (cur["version"] if cur else None, now_active) if v is not None],
                    details={"to": now_active}, who=who)
    return {"rolled_back": cur["version"] if cur else None, "active": now_active, "message": msg}
