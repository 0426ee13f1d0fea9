"""Why the SQLite study storage runs in WAL mode with a long busy timeout: lock errors under contention.

Run: python benchmarks/sqlite_contention.py [--processes 4] [--trials 150]
Several processes ask/tell trivial trials on one study as fast as they can, once with
Optuna's plain `RDBStorage(sqlite:///...)` and once with tunetrack's `get_storage`
(WAL, synchronous=NORMAL, 120 s busy timeout). Prints the errors ("database is locked")
and throughput of each; the last line is one JSON object. No assertions.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _hammer(url: str, tuned: bool, trials: int, queue) -> None:
    import optuna

    warnings.filterwarnings("ignore")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    from studies.storage import get_storage

    errors, done = 0, 0
    storage = get_storage(url, heartbeat_interval=None, grace_period=None) if tuned else optuna.storages.RDBStorage(url)
    study = optuna.load_study(study_name="contention", storage=storage, sampler=optuna.samplers.RandomSampler())
    while done < trials:
        try:
            trial = study.ask()
            x = trial.suggest_float("x", 0, 1)
            trial.set_user_attr("tt_cost", x)
            trial.report(x, 0)
            study.tell(trial, x)
            done += 1
        except Exception as exc:  # noqa: BLE001 - counting exactly these
            errors += 1
            if "locked" not in str(exc):
                queue.put(("other", f"{type(exc).__name__}: {exc}"[:200]))
            if errors > 10 * trials:
                break
    queue.put(("result", errors, done))


def measure(tuned: bool, processes: int, trials: int) -> dict:
    import optuna

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/studies.db"
        optuna.create_study(study_name="contention", storage=optuna.storages.RDBStorage(url))
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        workers = [ctx.Process(target=_hammer, args=(url, tuned, trials, queue)) for _ in range(processes)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        results, others = [], []
        while len(results) < processes:
            item = queue.get(timeout=600)
            (results if item[0] == "result" else others).append(item)
        elapsed = time.perf_counter() - t0
        for w in workers:
            w.join()
        errors = sum(r[1] for r in results)
        done = sum(r[2] for r in results)
        return {"lock_errors": errors, "trials": done, "trials_per_s": round(done / elapsed, 1),
                "other_errors": [o[1] for o in others][:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--trials", type=int, default=150, help="trials per process")
    args = parser.parse_args()
    plain = measure(False, args.processes, args.trials)
    tuned = measure(True, args.processes, args.trials)
    print(f"{'storage':<34} {'lock errors':>11} {'trials':>7} {'trials/s':>9}")
    for name, row in (("optuna RDBStorage defaults", plain), ("tunetrack get_storage (WAL, 120 s)", tuned)):
        print(f"{name:<34} {row['lock_errors']:>11} {row['trials']:>7} {row['trials_per_s']:>9}")
    print(json.dumps({"processes": args.processes, "trials_per_process": args.trials, "plain": plain, "tunetrack": tuned}))


if __name__ == "__main__":
    main()
