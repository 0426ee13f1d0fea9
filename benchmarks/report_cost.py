"""What a report costs next to the plan it reports on: `tunetrack report` on a plan of >= 200 solves.

Run: python benchmarks/report_cost.py [--iterations 2000] [--trials 10] [--workers 1]

Writes a plan of 2 tuners (random, TPE with racing off) x 2 bundles (3 Taillard 20x5
instances, 2 synthetic 20x5 instances without a reference) x 1 tier, 2 seeds: 10 trials per
cell, so 2 x 10 x (3 + 2) x 2 = 200 solves (more with --trials). On fresh SQLite stores in a
temp dir it times `tunetrack plan run` and then `tunetrack report` as separate processes (each
pays its own imports, as a user does), reads back how many solves the plan recorded and how
many traces the report read, and prints the ratio report / plan. A second report run shows
the cost once the report exists (it is recomputed and logged again).
Prints a table and, as its last line, one JSON object with the figures (no assertions).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def plan(iterations: int, trials: int) -> dict:
    return {
        "name": "report-cost",
        "solver": "sa",
        "problem": "flowshop",
        "space": {"cooling_rate": {"type": "float", "low": 0.99, "high": 0.9995, "log": True},
                  "initial_acceptance": {"type": "float", "low": 0.05, "high": 0.9}},
        "fixed": {"initial": "random"},
        "seeds": 2,
        "trace_points": 20,
        "bundles": [{"name": "taillard", "instances": ["ta001", "ta002", "ta003"]},
                    {"name": "synthetic", "synthetic": {"size": "20x5", "count": 2}}],
        "tuners": [{"name": "random", "sampler": "random"}, {"name": "tpe", "sampler": "tpe"}],
        "tiers": {"short": {"iterations": iterations, "trials": {"random": trials, "tpe": trials}}},
    }


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000, help="iterations per solve")
    parser.add_argument("--trials", type=int, default=10, help="trials per tuner and bundle")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per study")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "plan.yaml").write_text(yaml.safe_dump(plan(args.iterations, args.trials)))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUNETRACK_")}
        env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        cli = [sys.executable, "-m", "studies.cli"]
        plan_s, _ = timed([*cli, "plan", "run", "plan.yaml", "--json", "--workers", str(args.workers)], env, root)
        report_s, out = timed([*cli, "report", "report-cost", "--json"], env, root)
        again_s, _ = timed([*cli, "report", "report-cost", "--json"], env, root)
        shown = json.loads(out.strip().splitlines()[-1])
        headline = shown["headline"]
    solves = int(headline.get("report.solves", 0))
    rows = [("plan run", plan_s), ("report", report_s), ("report again", again_s),
            ("report computing (in-process)", headline.get("report.seconds", float("nan")))]
    print(f"plan: {solves} solves, {int(headline.get('report.trials', 0))} trials, "
          f"{int(headline.get('report.studies', 0))} studies")
    print(f"{'step':32} {'seconds':>9} {'/ plan':>8}")
    for name, seconds in rows:
        print(f"{name:32} {seconds:9.1f} {seconds / plan_s:8.3f}")
    print(json.dumps({"solves": solves, "plan_s": round(plan_s, 2), "report_s": round(report_s, 2),
                      "report_again_s": round(again_s, 2), "report_compute_s": round(headline.get("report.seconds", 0), 2),
                      "ratio": round(report_s / plan_s, 4), "ratio_again": round(again_s / plan_s, 4)}))


if __name__ == "__main__":
    main()
