"""Trials per minute with 1 and 2 Dask workers on 1-second trials, beside the built-in worker processes.

Run: python benchmarks/dask_workers.py [--trials-one 30] [--trials-two 60] [--seconds 1.0] [--steps 4]

Four fresh tunetrack studies in one run (SQLite study storage and MLflow store in a temp dir),
each a callable objective that sleeps `--seconds` in `--steps` reported parts, retries off:
built-in worker processes (`workers=1`, `workers=2`) and Dask (`cluster="local:1"`,
`cluster="local:2"`: a LocalCluster of single-threaded worker processes, each worker loop one
Dask task). Trials per minute are counted over the trials' own span (first start to last
completion: what the workers deliver once running) and over the wall time of `start_study`
(which includes starting the cluster or spawning the processes). Read back per run: the exact
count, FAIL trials, MLflow trial runs left RUNNING, and the distinct workers that ran trials.
Prints a table and, as its last line, one JSON object with the figures (no assertions).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from studies.vocabulary import Attr

from _studies import (callable_spec, importable_for_workers, load_study, mlflow_runs, print_json, print_table,
                      settings_in, span_s, states, stderr_to)


def run(tmp: Path, way: str, workers: int, n_trials: int, seconds: float, steps: int, seed: int) -> dict:
    from studies.runner import start_study

    tag = f"{way}-{workers}"
    settings = settings_in(tmp, tag)
    spec = callable_spec(tag, "sleepy", {"seconds": seconds, "steps": steps}, n_trials, workers=workers, seed=seed)
    cluster = f"local:{workers}" if way == "dask" else None
    with stderr_to(tmp / f"{tag}.stderr.log"):
        t0 = time.perf_counter()
        handle = start_study(spec, settings, workers=workers, cluster=cluster, progress=False)
        wall = time.perf_counter() - t0
    trials = load_study(settings, tag).get_trials(deepcopy=False)
    counts = states(trials)
    counted = counts.get("COMPLETE", 0) + counts.get("PRUNED", 0)
    runs = [r for r in mlflow_runs(settings.resolved().tracking.uri) if r.data.tags.get("tt.kind") == "trial"]
    span = span_s(trials)
    return {
        "way": way, "workers": workers, "target": n_trials, "state": handle.state, "counted": counted,
        "exact": counted == n_trials, "fail_trials": counts.get("FAIL", 0), "wall_s": wall, "span_s": span,
        "per_min_span": counted / span * 60, "per_min_wall": counted / wall * 60,
        "runs_running": sum(r.info.status == "RUNNING" for r in runs),
        "distinct_workers": len({t.user_attrs.get(Attr.WORKER) for t in trials}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials-one", type=int, default=30, help="trials of each 1-worker run")
    parser.add_argument("--trials-two", type=int, default=60, help="trials of each 2-worker run")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds each trial sleeps")
    parser.add_argument("--steps", type=int, default=4, help="reports per trial")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    importable_for_workers()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for way in ("processes", "dask"):
            for workers, n_trials in ((1, args.trials_one), (2, args.trials_two)):
                results[(way, workers)] = run(Path(tmp), way, workers, n_trials, args.seconds, args.steps, args.seed)
    print(f"objective sleeps {args.seconds:g} s in {args.steps} reported steps; retries off")
    print_table(("way", "workers", "target", "counted", "exact", "wall s", "span s", "trials/min (span)",
                 "trials/min (wall)", "FAIL", "runs RUNNING", "distinct workers"),
                [(r["way"], r["workers"], r["target"], r["counted"], r["exact"], r["wall_s"], r["span_s"],
                  r["per_min_span"], r["per_min_wall"], r["fail_trials"], r["runs_running"], r["distinct_workers"])
                 for r in results.values()])
    ratios = {
        way: {basis: results[(way, 2)][f"per_min_{basis}"] / results[(way, 1)][f"per_min_{basis}"]
              for basis in ("span", "wall")}
        for way in ("processes", "dask")
    }
    print()
    print_table(("2 workers / 1 worker", "trials/min over the span", "trials/min over the wall"),
                [(way, r["span"], r["wall"]) for way, r in ratios.items()])
    print_json({"seconds": args.seconds, "steps": args.steps,
                "runs": [dict(r) for r in results.values()],
                "ratio": {way: {k: round(v, 3) for k, v in r.items()} for way, r in ratios.items()}})


if __name__ == "__main__":
    main()
