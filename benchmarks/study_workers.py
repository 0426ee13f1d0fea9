"""Trials per minute with 1 and 2 worker processes on 1-second trials, and what went wrong with 2.

Run: python benchmarks/study_workers.py [--trials-one 40] [--trials-two 200] [--seconds 1.0] [--steps 4]

Each run is a fresh tunetrack study (SQLite study storage and MLflow store in one temp dir)
whose callable objective sleeps `--seconds` in `--steps` parts, reporting after each. Retries
are off, so a trial lost to the store shows as a FAIL instead of being quietly redone.
Trials per minute are counted over the trials' own span (first start to last completion) and
over the wall time of `start_study` (which includes spawning the workers). Over each run the
workers' stderr is captured and searched for "database is locked"; FAIL trials, trial errors,
MLflow runs left RUNNING or FAILED, and the exact trial count are read back. Where the time
goes: the median trial duration (Optuna's start to completion: the objective plus the
recording around it) and the median gap between one worker's trials (reserving the next trial,
stale-trial and stop checks, the study run's progress metrics).
Prints a table and, as its last line, one JSON object with the figures (no assertions).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from studies.vocabulary import Attr

from _studies import (callable_spec, importable_for_workers, load_study, mlflow_runs, print_json, print_table,
                      settings_in, span_s, states, stderr_to)

LOCKED = "database is locked"


def run(tmp: Path, workers: int, n_trials: int, seconds: float, steps: int, seed: int) -> dict:
    from studies.runner import start_study

    tag = f"workers-{workers}"
    settings = settings_in(tmp, tag)
    spec = callable_spec(tag, "sleepy", {"seconds": seconds, "steps": steps}, n_trials, workers=workers, seed=seed)
    log = tmp / f"{tag}.stderr.log"
    with stderr_to(log):
        t0 = time.perf_counter()
        handle = start_study(spec, settings, workers=workers, progress=False)
        wall = time.perf_counter() - t0
    trials = load_study(settings, tag).get_trials(deepcopy=False)
    counts = states(trials)
    counted = counts.get("COMPLETE", 0) + counts.get("PRUNED", 0)
    text = log.read_text(errors="replace")
    errors = [str(t.user_attrs.get(Attr.ERROR, "")) for t in trials]
    runs = [r for r in mlflow_runs(settings.resolved().tracking.uri) if r.data.tags.get("tt.kind") == "trial"]
    span = span_s(trials)
    inside, between = _breakdown(trials)
    return {
        "workers": workers, "target": n_trials, "state": handle.state, "trials": len(trials), "counted": counted,
        "exact": counted == n_trials, "states": counts, "wall_s": wall, "span_s": span,
        "per_min_span": counted / span * 60, "per_min_wall": counted / wall * 60,
        "locked_in_logs": text.lower().count(LOCKED),
        "locked_in_trial_errors": sum(LOCKED in e.lower() for e in errors),
        "fail_trials": counts.get("FAIL", 0), "trial_runs": len(runs),
        "runs_running": sum(r.info.status == "RUNNING" for r in runs),
        "runs_failed": sum(r.info.status == "FAILED" for r in runs),
        "stderr_lines": len(text.splitlines()),
        "median_trial_s": statistics.median(inside), "median_gap_s": statistics.median(between) if between else 0.0,
    }


def _breakdown(trials: list) -> tuple[list[float], list[float]]:
    """Each trial's own duration, and each worker's gaps between finishing one trial and starting the next."""
    inside, between, by_worker = [], [], defaultdict(list)
    for t in trials:
        if t.datetime_start and t.datetime_complete:
            inside.append((t.datetime_complete - t.datetime_start).total_seconds())
            by_worker[t.user_attrs.get(Attr.WORKER)].append(t)
    for own in by_worker.values():
        own.sort(key=lambda t: t.datetime_start)
        between += [(b.datetime_start - a.datetime_complete).total_seconds() for a, b in zip(own, own[1:])]
    return inside, between


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials-one", type=int, default=40, help="trials of the 1-worker run")
    parser.add_argument("--trials-two", type=int, default=200, help="trials of the 2-worker run")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds each trial sleeps")
    parser.add_argument("--steps", type=int, default=4, help="reports per trial")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    importable_for_workers()
    with tempfile.TemporaryDirectory() as tmp:
        one = run(Path(tmp), 1, args.trials_one, args.seconds, args.steps, args.seed)
        two = run(Path(tmp), 2, args.trials_two, args.seconds, args.steps, args.seed)
    rows = [
        (f"{r['workers']} worker(s)", r["target"], r["trials"], r["counted"], r["exact"], r["wall_s"], r["span_s"],
         r["per_min_span"], r["per_min_wall"], r["median_trial_s"] * 1000, r["median_gap_s"] * 1000,
         r["fail_trials"], r["locked_in_logs"], r["locked_in_trial_errors"],
         r["runs_running"], r["runs_failed"])
        for r in (one, two)
    ]
    print(f"objective sleeps {args.seconds:g} s in {args.steps} reported steps; retries off")
    print_table(("run", "target", "trials", "counted", "exact", "wall s", "span s", "trials/min (span)",
                 "trials/min (wall)", "median trial ms", "median gap ms", "FAIL", "'locked' in logs",
                 "'locked' in trial errors", "runs RUNNING", "runs FAILED"), rows)
    ratio_span = two["per_min_span"] / one["per_min_span"]
    ratio_wall = two["per_min_wall"] / one["per_min_wall"]
    print()
    print_table(("ratio 2 workers / 1 worker", "value"), [("trials/min over the trials' span", ratio_span),
                                                          ("trials/min over start_study's wall time", ratio_wall)])
    print_json({"seconds": args.seconds, "steps": args.steps, "one": one, "two": two,
                "ratio_per_min_span": round(ratio_span, 3), "ratio_per_min_wall": round(ratio_wall, 3)})


if __name__ == "__main__":
    main()
