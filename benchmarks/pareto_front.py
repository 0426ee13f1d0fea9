"""What keeping a multi-objective study's front current costs: the arithmetic, and one recording pass.

Run: python benchmarks/pareto_front.py [--trials 50 200] [--points 1000 5000]
1. `front_mask` and `hypervolume` on random points (2 and 3 objectives), best of 3.
2. `ParetoRecorder.update` passes on a real SQLite MLflow store with N finished trials and their
   trial runs: the first pass reads the tags (one search), tags every trial and draws the plot; a
   pass with one new trial writes its tag, the metrics and `pareto.csv` (no plot: during a study it
   is redrawn at most every 30 s); a closing pass re-reads every tag and draws the plot. The plot
   alone is timed too.
Prints a table; the last line is one JSON object. No assertions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _best_of(call, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def arithmetic(sizes: list[int]) -> list[dict]:
    import numpy as np

    from studies.pareto import front_mask, hypervolume, reference_point

    rows = []
    rng = np.random.default_rng(1)
    for k in (2, 3):
        directions = ["minimize"] * k
        for n in sizes:
            points = rng.random((n, k))
            mask = front_mask(points, directions)
            ref = reference_point(points, directions)
            rows.append({"objectives": k, "points": n, "front": int(mask.sum()),
                         "front_mask_s": _best_of(lambda: front_mask(points, directions)),
                         "hypervolume_s": _best_of(lambda: hypervolume(points[mask], directions, ref))})
    return rows


def recording(trial_counts: list[int]) -> list[dict]:
    from optuna.trial import create_trial

    from studies import pareto_records
    from studies.pareto_plot import front_figure
    from studies.pareto_records import ParetoRecorder
    from studies.settings import Settings, StudySettings
    from studies.spec import load_spec
    from studies.vocabulary import Attr
    from tracker import RunKind, Tracker
    from tracker.settings import TrackingSettings

    pareto_records.PLOT_INTERVAL_S = float("inf")  # only the first and the closing pass draw
    rows = []
    for n in trial_counts:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                tracking=TrackingSettings(uri=f"sqlite:///{tmp}/mlflow.db", artifact_root=f"{tmp}/artifacts"),
                studies=StudySettings(storage=f"sqlite:///{tmp}/studies.db"),
            ).resolved()
            spec = load_spec({"name": f"bench-{n}", "objective": "benchmarks._objectives:square",
                              "metrics": ["gap", "seconds"], "directions": ["minimize", "minimize"]})
            tracker = Tracker(settings)
            parent = tracker.start_run(kind=RunKind.STUDY, experiment=spec.name, run_name=spec.name)
            rng = __import__("numpy").random.default_rng(n)
            trials = []
            for number in range(n + 1):
                with tracker.start_run(kind=RunKind.TRIAL, parent_run_id=parent.run_id, run_name=str(number)) as run:
                    pass
                values = rng.random(2).tolist()
                trial = create_trial(values=values, params={}, distributions={},
                                     user_attrs={Attr.RUN_ID.value: run.run_id})
                trial.number = number
                trials.append(trial)
            recorder = ParetoRecorder(tracker, spec, parent.run_id)
            start = time.perf_counter()
            recorder.update(trials[:n], n)
            first = time.perf_counter() - start
            start = time.perf_counter()
            recorder.update(trials, n + 1)  # one more trial finished
            again = time.perf_counter() - start
            start = time.perf_counter()
            recorder.update(trials, n + 1, force=True)
            closing = time.perf_counter() - start
            plot = _best_of(lambda: tracker.log_figure(parent.run_id, front_figure(
                [t.values for t in trials], [True] * len(trials), spec.objective_names, spec.objective_directions), "p.png"))
            parent.end()
            rows.append({"trials": n, "first_pass_s": first, "next_trial_pass_s": again, "closing_pass_s": closing,
                         "plot_s": plot})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--trials", type=int, nargs="+", default=[50, 200])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    maths = arithmetic(args.points)
    for r in maths:
        print(f"{r['objectives']} objectives, {r['points']:>5} points (front {r['front']:>3}): "
              f"front_mask {r['front_mask_s'] * 1e3:8.1f} ms   hypervolume {r['hypervolume_s'] * 1e3:8.1f} ms")
    passes = recording(args.trials)
    for r in passes:
        print(f"{r['trials']:>4} trials: first pass (tags every trial) {r['first_pass_s']:.2f} s, "
              f"pass after one more trial {r['next_trial_pass_s']:.3f} s, closing pass {r['closing_pass_s']:.3f} s, "
              f"plot {r['plot_s']:.2f} s")
    print(json.dumps({"arithmetic": maths, "recording": passes}))


if __name__ == "__main__":
    main()
