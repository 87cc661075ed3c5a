"""Benchmark: does calibration learn, and does it refuse to learn from noise?

Synthetic outcomes (:mod:`core.outcomes.synthetic`, seeded): the five fit components as the scorer makes
them, labels drawn from a known signal that weighs the components differently from the default fit, and
labels of pure noise at the same interview rate. For each, :func:`core.outcomes.calibration.evaluate`
fits on 70% and judges on the 30% held back, exactly as ``talvix calibrate`` does: AUC and Brier score
of the calibrated score and of the raw fit (as a probability, fit/100), the reliability table (interview
rate per score band with Wilson intervals and counts), and whether it ships. It then repeats the noise
run over many seeds to give the rate at which noise would ship (it should stay near ``ship_alpha``), and
the signal run over smaller sets to show how many outcomes it takes. The last line is one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _REPO / "bench"]
sys.path.insert(0, str(_REPO))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

from core.config import OutcomeSettings  # noqa: E402
from core.outcomes import calibration as cal  # noqa: E402
from core.outcomes import synthetic  # noqa: E402


def table(title: str, rows: list[dict]) -> None:
    print(f"  {title}")
    print(f"    {'band':>7} {'n':>5} {'pos':>4} {'rate':>6} {'wilson 95%':>15} {'predicted':>9}")
    for r in rows:
        if not r["n"]:
            continue
        print(f"    {r['band']:>7} {r['n']:>5} {r['positives']:>4} {r['rate']:>6.3f} "
              f"{r['wilson_low']:>7.3f}-{r['wilson_high']:<7.3f} {r['mean_predicted']:>9.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--outcomes", type=int, default=1000, help="outcomes per synthetic set")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--noise-runs", type=int, default=200, help="noise sets for the false-ship rate")
    ap.add_argument("--test", choices=["delong", "bootstrap"], default="delong")
    args = ap.parse_args(argv)
    cfg = OutcomeSettings(ship_test=args.test)
    t0 = time.perf_counter()

    sig = cal.evaluate(synthetic.signal(args.outcomes, args.seed), cfg)
    noi = cal.evaluate(synthetic.noise(args.outcomes, args.seed), cfg)
    for name, ev in (("signal", sig), ("noise", noi)):
        f = ev.figures
        print(f"{name}: {ev.n_outcomes} outcomes ({ev.positives} positive), held back {ev.n_holdout}; "
              f"AUC raw {f['current']['auc']} -> calibrated {f['calibrated']['auc']}, "
              f"Brier raw {f['current']['brier']} -> calibrated {f['calibrated']['brier']}; {ev.reason}")
        table("raw fit", f["current"]["reliability"])
        table("calibrated", f["calibrated"]["reliability"])

    noise_ships = sum(cal.evaluate(synthetic.noise(args.outcomes, 1000 + k), cfg).shipped
                      for k in range(args.noise_runs))
    by_size = {}
    for n in (50, 100, 200, 400):
        by_size[n] = sum(cal.evaluate(synthetic.signal(n, 2000 + k), cfg).shipped for k in range(50)) / 50
    print(f"noise shipped in {noise_ships} of {args.noise_runs} runs (ship_alpha {cfg.ship_alpha}); "
          f"signal shipped in share of 50 runs by outcomes: {by_size}")
    out = {
        "bench": "calibrate", "test": cfg.ship_test, "outcomes": args.outcomes,
        "auc_raw": sig.figures["current"]["auc"], "auc_calibrated": sig.figures["calibrated"]["auc"],
        "brier_raw": sig.figures["current"]["brier"], "brier_calibrated": sig.figures["calibrated"]["brier"],
        "p_value_signal": round(sig.comparison.p_value, 6) if sig.comparison else None,
        "shipped_on_signal": sig.shipped, "shipped_on_noise": noi.shipped,
        "auc_noise_raw": noi.figures["current"]["auc"], "auc_noise_calibrated": noi.figures["calibrated"]["auc"],
        "noise_ship_rate": round(noise_ships / max(1, args.noise_runs), 4),
        "signal_ship_rate_by_outcomes": by_size,
        "wall_s": round(time.perf_counter() - t0, 2),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
