"""What watching a study costs it: per-trial time with and without `tunetrack monitor --follow` beside it.

Run: python benchmarks/monitor_cost.py [--trials 150] [--interval 2.0] [--repeats 2] [--objective square]

Each run is a fresh study (SQLite stores in one temp dir, one worker in the runner's process,
random sampler). With the monitor, the study is prepared, then `tunetrack monitor NAME --follow
--json --interval I --alert 'best<1e9' --alert 'stall(20)'` starts in its own process and the
study runs once the monitor has printed its first refresh, so the monitor reads the stores for
the whole study. Per-trial time is the steady rate between the first and the last completion.
Runs alternate (without, with, without, with...) so machine load drifts hit both; the ratio is
of the medians. Prints a table and, as its last line, one JSON object.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _studies import (ROOT, callable_spec, importable_for_workers, load_study, print_json, print_table, settings_in,
                      steady_per_trial_s)


def _monitor(settings, name: str, interval: float, log: Path) -> subprocess.Popen:
    s = settings.resolved()
    env = dict(os.environ, TUNETRACK_TRACKING__URI=s.tracking.uri, TUNETRACK_TRACKING__ARTIFACT_ROOT=s.tracking.artifact_root,
               TUNETRACK_STUDIES__STORAGE=s.studies.storage)
    out = open(log, "w")
    return subprocess.Popen(
        [sys.executable, "-m", "studies.cli", "monitor", name, "--follow", "--json", "--interval", str(interval),
         "--alert", "best<1e9", "--alert", "stall(20)"], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)


def run(tmp: Path, index: int, watched: bool, n_trials: int, interval: float, objective: str) -> dict:
    from studies.runner import prepare_study, run_study
    from studies.spec import load_spec

    name = f"mon-{index}-{'with' if watched else 'without'}"
    settings = settings_in(tmp, name).resolved()
    spec = load_spec(callable_spec(name, objective, {}, n_trials, seed=index))
    prepare_study(spec, settings)
    monitor, refreshes = None, 0
    log = tmp / f"{name}.monitor.log"
    if watched:
        monitor = _monitor(settings, name, interval, log)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not log.read_text().count("\n"):
            if monitor.poll() is not None:
                raise RuntimeError(f"monitor exited: {log.read_text()[-500:]}")
            time.sleep(0.2)
    t0 = time.perf_counter()
    run_study(name, settings, progress=False)
    wall = time.perf_counter() - t0
    if monitor is not None:
        monitor.terminate()
        monitor.wait(30)
        refreshes = sum(line.startswith("{") for line in log.read_text().splitlines())
    trials = load_study(settings, name).get_trials(deepcopy=False)
    return {"run": name, "monitor": watched, "trials": len(trials), "wall_s": wall,
            "ms_per_trial": steady_per_trial_s(trials) * 1000, "monitor_refreshes": refreshes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=150)
    parser.add_argument("--interval", type=float, default=2.0, help="monitor refresh interval (s)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--objective", default="square", help="a benchmarks._objectives function")
    args = parser.parse_args()
    importable_for_workers()
    results = []
    with tempfile.TemporaryDirectory(prefix="tt-monitor-cost-") as tmp:
        for i in range(args.repeats):
            for watched in (False, True):
                results.append(run(Path(tmp), i, watched, args.trials, args.interval, args.objective))
    print_table(["run", "monitor", "trials", "wall s", "ms/trial", "refreshes"],
                [[r["run"], r["monitor"], r["trials"], r["wall_s"], r["ms_per_trial"], r["monitor_refreshes"]]
                 for r in results])
    without = statistics.median(r["ms_per_trial"] for r in results if not r["monitor"])
    with_ = statistics.median(r["ms_per_trial"] for r in results if r["monitor"])
    print(f"per-trial time with / without the monitor: {with_ / without:.3f} ({with_:.1f} vs {without:.1f} ms)")
    print_json({"benchmark": "monitor_cost", "trials": args.trials, "interval_s": args.interval,
                "ms_per_trial_without": without, "ms_per_trial_with": with_, "ratio": with_ / without, "runs": results})


if __name__ == "__main__":
    main()
