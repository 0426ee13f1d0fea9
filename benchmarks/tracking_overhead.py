"""How much tracking costs: MLflow's logging paths vs tunetrack's step pipeline, and a solver loop.

Run: python benchmarks/tracking_overhead.py [--points N] [--repeats R]
Prints a table and, as its last line, one JSON object with the figures (no assertions).
Everything is measured in this one run on this machine, into fresh SQLite stores in a temp dir.
The solver loop runs untracked and tracked twice per repeat: on a quiet machine and with a
busy-loop process pinned to the last core (started before and stopped after each loaded pair),
the two modes interleaved; each ratio is the median over repeats of tracked / untracked measured
back to back. The writer thread's CPU time during the tracked loop is read from its thread clock.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import tempfile
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric  # noqa: E402

from _load import start_spinner, stop_spinner  # noqa: E402
from studies.settings import load_settings  # noqa: E402
from tracker import RunKind, Tracker  # noqa: E402
from tracker._sql_writes import run_writes  # noqa: E402

ITERATIONS = 5_000_000
CHUNK = 1_000


# ---- a solver-like kernel: simulated annealing with insertion moves on a 20x5 flow shop ---------
@njit(cache=True, nogil=True)
def _makespan(perm, p, completion):
    m = p.shape[0]
    completion[:] = 0.0
    for j in perm:
        completion[0] += p[0, j]
        for k in range(1, m):
            completion[k] = max(completion[k], completion[k - 1]) + p[k, j]
    return completion[m - 1]


@njit(cache=True, nogil=True)
def sa_chunk(perm, p, state, n_iter):
    """Run `n_iter` SA iterations; state = [current, best, temperature, accepted]."""
    n = perm.shape[0]
    completion = np.zeros(p.shape[0])
    trial = perm.copy()
    current, best, temperature = state[0], state[1], state[2]
    accepted = 0.0
    for _ in range(n_iter):
        i = np.random.randint(0, n)
        k = np.random.randint(0, n - 1)
        trial[:] = perm
        job = trial[i]
        # remove job at i and insert it at k
        if i < k:
            trial[i:k] = trial[i + 1 : k + 1]
        elif i > k:
            trial[k + 1 : i + 1] = trial[k:i]
        trial[k] = job
        value = _makespan(trial, p, completion)
        if value <= current or np.random.random() < np.exp((current - value) / temperature):
            perm[:] = trial
            current = value
            accepted += 1.0
            if value < best:
                best = value
        temperature *= 0.99999
    state[0], state[1], state[2], state[3] = current, best, temperature, accepted
    return state


@njit(cache=True)
def _seed(seed):
    np.random.seed(seed)


def solver_loop(on_step) -> float:
    """5,000,000 iterations in chunks of 1,000, a step record per chunk when `on_step` is given."""
    rng = np.random.default_rng(1)
    p = rng.integers(1, 100, size=(5, 20)).astype(np.float64)
    perm = np.arange(20)
    _seed(1)
    start = _makespan(perm, p, np.zeros(5))
    state = np.array([start, start, 50.0, 0.0])
    t0 = time.perf_counter()
    for chunk in range(ITERATIONS // CHUNK):
        previous_best = state[1]
        sa_chunk(perm, p, state, CHUNK)
        if on_step is not None:
            on_step({
                "iteration": (chunk + 1) * CHUNK, "current": state[0], "best": state[1], "temperature": state[2],
                "acceptance_rate": state[3] / CHUNK, "best_delta": state[1] - previous_best,
                "elapsed_s": time.perf_counter() - t0,
            })
    return time.perf_counter() - t0


# ---- MLflow's own logging paths ------------------------------------------------------------------
def per_call_log_metric(uri: str, n: int) -> float:
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("per-call")
    with mlflow.start_run():
        t0 = time.perf_counter()
        for i in range(n):
            mlflow.log_metric("best", float(i), step=i)
        return n / (time.perf_counter() - t0)


def async_log_metric(uri: str, n: int) -> float:
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("async")
    with mlflow.start_run():
        t0 = time.perf_counter()
        for i in range(n):
            mlflow.log_metric("best", float(i), step=i, synchronous=False)
        mlflow.flush_async_logging()
        return n / (time.perf_counter() - t0)


def batched_log_batch(uri: str, n: int, *, one_transaction: bool = False) -> float:
    """Points/s of `log_batch` by 1,000: MLflow's client, or tunetrack's one-transaction writes on the same store."""
    client = run_writes(MlflowClient(uri)) if one_transaction else MlflowClient(uri)
    experiment_id = client.create_experiment("batched")
    run_id = client.create_run(experiment_id).info.run_id
    now = int(time.time() * 1000)
    t0 = time.perf_counter()
    for start in range(0, n, 1000):
        client.log_batch(run_id, metrics=[Metric("best", float(i), now, i) for i in range(start, min(n, start + 1000))])
    elapsed = time.perf_counter() - t0
    client.set_terminated(run_id)
    return n / elapsed


def pipeline_intake(tracker: Tracker, n: int) -> tuple[float, float]:
    """Records accepted per second by the caller, and records per second end to end (until closed)."""
    records = [
        {"iteration": i, "current": float(n - i), "best": float(n - i), "temperature": 1.0, "acceptance_rate": 0.5}
        for i in range(n)
    ]
    with tracker.start_run(kind=RunKind.SOLVE, experiment="pipeline", expected_steps=n) as run:
        t0 = time.perf_counter()
        log_step = run.log_step
        for record in records:
            log_step(record)
        accepted = time.perf_counter() - t0
    end_to_end = time.perf_counter() - t0
    return n / accepted, n / end_to_end


def writer_cpu_s() -> float:
    """CPU seconds used so far by the step pipeline's writer thread of the open run (0 if none)."""
    for thread in threading.enumerate():
        if thread.name == "tunetrack-steps" and thread.ident is not None:
            return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    return 0.0


def loop_pair(tracker: Tracker, tracked_first: bool) -> tuple[dict[str, float], str]:
    """The solver loop untracked and tracked, back to back, in the given order; and the run's id.

    Wall seconds, and this process's CPU seconds (all threads: the solver's and the writer's).
    """
    figures: dict[str, float] = {}
    run_ids: list[str] = []

    def untracked() -> None:
        cpu = time.process_time()
        figures["untracked"] = solver_loop(None)
        figures["untracked_cpu"] = time.process_time() - cpu

    def tracked() -> None:
        t0 = time.perf_counter()
        with tracker.start_run(kind=RunKind.SOLVE, experiment="loop", expected_steps=ITERATIONS // CHUNK) as run:
            cpu = time.process_time()
            figures["tracked"] = solver_loop(run.log_step)
            figures["tracked_cpu"] = time.process_time() - cpu
            figures["writer_cpu"] = writer_cpu_s()
        figures["closed"] = time.perf_counter() - t0
        run_ids.append(run.run_id)

    for measure in (tracked, untracked) if tracked_first else (untracked, tracked):
        measure()
    return figures, run_ids[0]


def summarise(pairs: list[dict[str, float]]) -> dict[str, float]:
    median = lambda key: statistics.median(p[key] for p in pairs)  # noqa: E731
    ratio = lambda key, base: statistics.median(p[key] / p[base] for p in pairs)  # noqa: E731
    return {
        "untracked_s": median("untracked"),
        "tracked_s": median("tracked"),
        "tracked_with_open_close_s": median("closed"),
        "tracked_over_untracked": ratio("tracked", "untracked"),
        "tracked_with_open_close_over_untracked": ratio("closed", "untracked"),
        "cpu_tracked_over_untracked": ratio("tracked_cpu", "untracked_cpu"),
        "writer_cpu_s": median("writer_cpu"),
        "writer_cpu_over_untracked": ratio("writer_cpu", "untracked"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=400, help="points for the per-call MLflow paths")
    parser.add_argument("--records", type=int, default=200_000, help="records pushed through the pipeline")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the solver loop per mode (median is used)")
    args = parser.parse_args()
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory() as tmp:
        uri = lambda name: f"sqlite:///{tmp}/{name}.db"  # noqa: E731
        per_call = per_call_log_metric(uri("per_call"), args.points)
        asynchronous = async_log_metric(uri("async"), args.points)
        batched = batched_log_batch(uri("batch"), 20_000)
        one_transaction = batched_log_batch(uri("batch-one"), 20_000, one_transaction=True)
        settings = load_settings(tracking={"uri": uri("tunetrack"), "artifact_root": f"{tmp}/artifacts"})
        tracker = Tracker(settings)
        accepted, end_to_end = pipeline_intake(tracker, args.records)

        solver_loop(None)  # compile
        pairs: dict[str, list[dict[str, float]]] = {"quiet": [], "loaded": []}
        last_run = ""
        for repeat in range(args.repeats):
            for mode in ("quiet", "loaded") if repeat % 2 == 0 else ("loaded", "quiet"):
                spinner = start_spinner() if mode == "loaded" else None
                try:
                    measured, last_run = loop_pair(tracker, tracked_first=repeat % 2 == 1)
                    pairs[mode].append(measured)
                finally:
                    if spinner is not None:
                        stop_spinner(spinner)
        steps_points = len(tracker.client.get_metric_history(last_run, "best"))
    load_after = os.getloadavg()[0]

    quiet, loaded = summarise(pairs["quiet"]), summarise(pairs["loaded"])
    for mode, by_repeat in pairs.items():
        ratios = " ".join(f"{p['tracked'] / p['untracked']:.3f}" for p in by_repeat)
        print(f"{mode} tracked / untracked by repeat: {ratios}")
    rows = [
        ("mlflow.log_metric per call (points/s)", per_call),
        ("mlflow.log_metric synchronous=False, until flushed (points/s)", asynchronous),
        ("MlflowClient.log_batch by 1,000 (points/s)", batched),
        ("tunetrack's one-transaction log_batch by 1,000 (points/s)", one_transaction),
        ("tunetrack log_step, accepted by the caller (records/s)", accepted),
        ("tunetrack log_step, end to end until the run is closed (records/s)", end_to_end),
    ]
    for mode, summary in (("quiet", quiet), ("other core busy", loaded)):
        rows += [
            (f"[{mode}] solver loop {ITERATIONS:,} it., untracked (s)", summary["untracked_s"]),
            (f"[{mode}] solver loop tracked, a record per {CHUNK:,} it. (s)", summary["tracked_s"]),
            (f"[{mode}] tracked / untracked", summary["tracked_over_untracked"]),
            (f"[{mode}] tracked incl. opening and closing the run / untracked",
             summary["tracked_with_open_close_over_untracked"]),
            (f"[{mode}] process CPU, tracked / untracked loop", summary["cpu_tracked_over_untracked"]),
            (f"[{mode}] writer thread CPU during the tracked loop (s)", summary["writer_cpu_s"]),
        ]
    rows += [("load average (1 min) before / after", load_before), ("", load_after)]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value:,.3f}")
    figures = {
        "log_metric_points_per_s": round(per_call, 1),
        "async_points_per_s": round(asynchronous, 1),
        "log_batch_points_per_s": round(batched, 1),
        "one_transaction_log_batch_points_per_s": round(one_transaction, 1),
        "pipeline_accepted_records_per_s": round(accepted, 1),
        "pipeline_end_to_end_records_per_s": round(end_to_end, 1),
        **{key: round(value, 4) for key, value in quiet.items()},
        **{f"loaded_{key}": round(value, 4) for key, value in loaded.items()},
        "intake_over_log_metric": round(accepted / per_call, 1),
        "mlflow_points_in_best_series": steps_points,
        "points_per_metric_setting": settings.steps.points_per_metric,
        "repeats": args.repeats,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(load_after, 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
