"""Per-trial cost of recording a study in MLflow: plain Optuna vs MLflowCallback vs MlflowStorage vs tunetrack.

Run: python benchmarks/study_overhead.py [--trials 200] [--steps 1] [--storage-trials 100] [--no-loaded]

A trivial objective (`x**2`, reported `--steps` times) run `--trials` times, each way on fresh
SQLite stores in one temp dir, with the same random sampler and seed:
  (a) plain Optuna, RDB SQLite storage, nothing recorded (the baseline);
  (a') plain Optuna on tunetrack's storage (WAL, heartbeat), nothing recorded (for reference);
  (b) optuna-integration's MLflowCallback (tracking URI a SQLite file, create_experiment=True);
  (c) MLflow's own mlflow.optuna.MlflowStorage (if importable);
  (d) tunetrack: start_study with 1 worker and a callable objective.
The MLflow stores are created (schema migration) before the clock starts, for each way alike.
"End to end" is the wall time of the whole study call / trials (tunetrack's includes spawning
its worker process); "steady" is the time between the first and the last trial completion
/ (trials - 1); "recording only" is steady minus the steady time of plain Optuna on the same
Optuna storage ((a) for (b) and (c), (a') for tunetrack). Then (a), (b) and (d) run again with a
busy-loop process on the other core (`--no-loaded` skips it), and the end-to-end ratio is printed
for that condition too. Then a small probe (complete, pruned, failed trials) shows what each records.
"CPU ms/trial" is the process's CPU time (user + system, spawned workers included) per trial:
on a shared machine it moves less than wall time, which also waits for the disk and other work.
Then (e) a solver study (flowshop SA on ta001 for `--solver-iterations` iterations, one solve
per trial) shows what tracking adds to each solve inside a study, and what its trials are billed:
per solve, trial wall minus the solver's own seconds (its `seconds` metric), and the trial's cost
(at cost_rate 1, in seconds) minus the solver's seconds.
Prints tables and, as its last line, one JSON object with the figures (no assertions).
"""

from __future__ import annotations

import argparse
import functools
import resource
import tempfile
import time
import warnings
from pathlib import Path

from _load import other_core_busy
from _studies import (callable_spec, importable_for_workers, load_study, mlflow_runs, metric_points, print_json,
                      print_table, settings_in, states, steady_per_trial_s)

PARENT_TAG = "mlflow.parentRunId"


def _fresh_mlflow_store(uri: str) -> None:
    from mlflow import MlflowClient

    MlflowClient(uri).search_experiments()  # creates and migrates the store, outside the clock


def cpu_s() -> float:
    """CPU seconds of this process and of its waited-for children (spawned workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_CPU = {"started": 0.0, "last": 0.0}


def clock_start() -> float:
    """Start the clock of one way: wall time returned, CPU time kept for `clock_stop`."""
    _CPU["started"] = cpu_s()
    return time.perf_counter()


def clock_stop(t0: float) -> float:
    """Wall seconds since `t0`; the CPU seconds of the same span go to `_CPU["last"]`."""
    _CPU["last"] = cpu_s() - _CPU["started"]
    return time.perf_counter() - t0


# ---- the four ways ----------------------------------------------------------------------------
def run_plain(tmp: Path, tag: str, objective, n: int, seed: int, *, tunetrack_storage: bool = False):
    import optuna

    from studies.storage import get_storage

    url = f"sqlite:///{tmp}/{tag}.db"
    storage = get_storage(url) if tunetrack_storage else url
    t0 = clock_start()
    study = optuna.create_study(study_name=tag, storage=storage, sampler=optuna.samplers.RandomSampler(seed))
    study.optimize(objective, n_trials=n, catch=(ValueError,))
    return clock_stop(t0), study.get_trials(deepcopy=False), None


def run_callback(tmp: Path, tag: str, objective, n: int, seed: int):
    import optuna
    from optuna_integration.mlflow import MLflowCallback

    uri = f"sqlite:///{tmp}/{tag}-mlflow.db"
    _fresh_mlflow_store(uri)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated since optuna-integration 4.9, and experimental
        t0 = clock_start()
        callback = MLflowCallback(tracking_uri=uri, metric_name="value", create_experiment=True)
        study = optuna.create_study(study_name=tag, storage=f"sqlite:///{tmp}/{tag}-optuna.db",
                                    sampler=optuna.samplers.RandomSampler(seed))
        study.optimize(objective, n_trials=n, callbacks=[callback], catch=(ValueError,))
        elapsed = clock_stop(t0)
    return elapsed, study.get_trials(deepcopy=False), uri


def run_mlflow_storage(tmp: Path, tag: str, objective, n: int, seed: int):
    import mlflow
    import optuna

    try:
        from mlflow.optuna import MlflowStorage
    except ImportError as exc:
        return None, f"unavailable ({exc})", None
    uri = f"sqlite:///{tmp}/{tag}-mlflow.db"
    _fresh_mlflow_store(uri)
    mlflow.set_tracking_uri(uri)  # MlflowStorage builds MlflowClient() from the global tracking URI
    experiment_id = mlflow.MlflowClient(uri).create_experiment(tag)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = clock_start()
        storage = MlflowStorage(experiment_id=experiment_id)
        study = optuna.create_study(study_name=tag, storage=storage, sampler=optuna.samplers.RandomSampler(seed))
        study.optimize(objective, n_trials=n, catch=(ValueError,))
        storage.flush_all_batches()
        elapsed = clock_stop(t0)
    return elapsed, study.get_trials(deepcopy=False), uri


def run_tunetrack(tmp: Path, tag: str, function: str, kwargs: dict, n: int, seed: int):
    """`function` names a `benchmarks._objectives` function."""
    from studies.runner import start_study

    settings = settings_in(tmp, tag)
    settings.prepare_local_stores()
    _fresh_mlflow_store(settings.resolved().tracking.uri)
    spec = callable_spec(tag, function, kwargs, n, seed=seed)
    t0 = clock_start()
    start_study(spec, settings, workers=1, progress=False)
    elapsed = clock_stop(t0)
    return elapsed, load_study(settings, tag).get_trials(deepcopy=False), settings.resolved().tracking.uri




def run_solver_study(tmp: Path, n: int, iterations: int, seed: int) -> dict:
    """(e): per solve, what tracking adds to the trial's wall and what the trial is billed beyond the solver."""
    from studies.runner import start_study
    from studies.vocabulary import Attr

    settings = settings_in(tmp, "solver", cost_rate=1.0)
    settings.prepare_local_stores()
    _fresh_mlflow_store(settings.resolved().tracking.uri)
    spec = {"name": "solver", "objective": {"solver": "sa", "problem": "flowshop", "iterations": iterations},
            "instances": ["flowshop:ta001"], "seeds": [1],
            "space": {"cooling_rate": {"type": "float", "low": 0.95, "high": 0.999}},
            "sampler": {"type": "random", "seed": seed}, "budget": {"n_trials": n}, "workers": 1, "retries": 0}
    start_study(spec, settings, workers=1, progress=False)
    trials = [t for t in load_study(settings, "solver").get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    solves = {r.data.tags["mlflow.parentRunId"]: r.data.metrics["seconds"]
              for r in mlflow_runs(settings.resolved().tracking.uri) if r.data.tags.get("tt.kind") == "solve"}
    rows = [((t.datetime_complete - t.datetime_start).total_seconds(), float(t.user_attrs[Attr.COST]),
             solves[t.user_attrs[Attr.RUN_ID]]) for t in trials if t.user_attrs.get(Attr.RUN_ID) in solves]
    rows = rows[1:]  # the first trial also loads the kernels from numba's cache
    count = len(rows)
    return {
        "solves": count, "iterations": iterations,
        "solver_ms": sum(s for _, _, s in rows) * 1000 / count,
        "trial_wall_ms": sum(w for w, _, _ in rows) * 1000 / count,
        "tracking_ms_per_solve": sum(w - s for w, _, s in rows) * 1000 / count,
        "billed_beyond_solver_ms": sum(c - s for _, c, s in rows) * 1000 / count,
    }


# ---- what each wrote to MLflow ------------------------------------------------------------------
INTERMEDIATE_KEY = {"callback": None, "storage": "intermediate_value", "tunetrack": "y"}


def _trial_runs(way: str, runs: list) -> list:
    if way == "tunetrack":
        return [r for r in runs if r.data.tags.get("tt.kind") == "trial"]
    if way == "storage":
        return [r for r in runs if PARENT_TAG in r.data.tags]
    return list(runs)


def read_back(way: str, uri: str | None, trials: list) -> dict:
    """Trial runs, how many are nested, their statuses, and the intermediate points they hold."""
    if uri is None:
        return {}
    runs = _trial_runs(way, mlflow_runs(uri))
    key = INTERMEDIATE_KEY[way]
    by_number = {}
    for run in runs:
        tags = run.data.tags
        number = tags.get("tt.trial", tags.get("number", tags.get("numbers")))
        by_number[int(number)] = (run.info.status, tags.get("tt.state", tags.get("state", "")))
    status_of = {}
    for t in trials:
        status, state_tag = by_number.get(t.number, ("(no run)", ""))
        status_of.setdefault(t.state.name, f"{status}" + (f" ({state_tag})" if state_tag else ""))
    return {
        "trial_runs": len(runs),
        "nested": sum(PARENT_TAG in r.data.tags for r in runs),
        "intermediate_points": sum(metric_points(uri, r.info.run_id, key) for r in runs) if key else 0,
        "reported": sum(len(t.intermediate_values) for t in trials),
        "status_of": status_of,
    }


# ---- where the time goes: cProfile of the callback and of tunetrack (its 1 worker runs in this process) -----
# (label, a piece of the file path, function name): cumulative time per trial of each, under the main thread.
CLIENT_PARTS = [
    ("MlflowClient.create_run", "mlflow/tracking/client.py", "create_run"),
    ("MlflowClient.log_batch", "mlflow/tracking/client.py", "log_batch"),
    ("MlflowClient.set_terminated", "mlflow/tracking/client.py", "set_terminated"),
    ("MlflowClient.get_run", "mlflow/tracking/client.py", "get_run"),
    ("MlflowClient.get_experiment_by_name", "mlflow/tracking/client.py", "get_experiment_by_name"),
    ("RDBStorage._get_trials (reads of all trials)", "optuna/storages/_rdb/storage.py", "_get_trials"),
]
PROFILE_PARTS = {
    "tunetrack": [
        ("worker loop, all", "studies/worker.py", "run"),
        ("  fail_stale_trials", "optuna/storages/_heartbeat.py", "fail_stale_trials"),
        ("  stop_reason (reads all trials)", "studies/worker.py", "stop_reason"),
        ("  reserve (file lock, reads all trials, ask)", "studies/worker.py", "reserve"),
        ("  run_trial, all", "studies/_trial.py", "run_trial"),
        ("    heartbeat start", "studies/_trial.py", "__enter__"),
        ("    trial run: create_run + params", "studies/_recording.py", "trial_run"),
        ("    objective incl. report()", "benchmarks/_objectives.py", "square"),
        ("      TrialContext.report", "studies/objectives/_context.py", "report"),
        ("    TrackedRun.end (tags + set_terminated)", "tracker/_run.py", "end"),
        ("    Study.tell", "optuna/study/study.py", "tell"),
        ("  log_progress (reads all trials, parent metrics)", "studies/_recording.py", "log_progress"),
        ("Trial.set_user_attr, all calls", "optuna/trial/_trial.py", "set_user_attr"),
        *CLIENT_PARTS,
        ("  of which study_spend", "studies/pruners/_spend.py", "study_spend"),
        ("RDBStorage.set_trial_user_attr", "optuna/storages/_rdb/storage.py", "set_trial_user_attr"),
        ("RDBStorage.record_heartbeat", "optuna/storages/_rdb/storage.py", "record_heartbeat"),
    ],
    "callback": [
        ("Study.optimize, all", "optuna/study/study.py", "optimize"),
        ("  MLflowCallback.__call__", "optuna_integration/mlflow/", "__call__"),
        ("    mlflow.set_tracking_uri", "mlflow/tracking/_tracking_service/utils.py", "set_tracking_uri"),
        ("    mlflow.set_experiment", "mlflow/tracking/fluent.py", "set_experiment"),
        ("    mlflow.start_run", "mlflow/tracking/fluent.py", "start_run"),
        ("    mlflow.log_metrics", "mlflow/tracking/fluent.py", "log_metrics"),
        ("    mlflow.log_params", "mlflow/tracking/fluent.py", "log_params"),
        ("    mlflow.set_tags", "mlflow/tracking/fluent.py", "set_tags"),
        ("    mlflow.end_run", "mlflow/tracking/fluent.py", "end_run"),
        *CLIENT_PARTS,
    ],
}


def profile(tmp: Path, n: int, seed: int) -> dict:
    """Per-trial milliseconds and calls of each part, for the callback and for tunetrack."""
    import cProfile
    import pstats

    from benchmarks import _objectives

    found: dict[str, list] = {}
    for way, call in (("callback", lambda: run_callback(tmp, "prof-callback", _objectives.square, n, seed)),
                      ("tunetrack", lambda: run_tunetrack(tmp, "prof-tunetrack", "square", {}, n, seed))):
        profiler = cProfile.Profile()
        profiler.enable()
        elapsed, _, _ = call()
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        rows = [("wall of the study call", elapsed * 1000 / n, 1.0)]
        for label, where, name in PROFILE_PARTS[way]:
            hits = [v for (path, _, func), v in stats.items() if func == name and where in path.replace("\\", "/")]
            calls = sum(v[1] for v in hits)
            rows.append((label, sum(v[3] for v in hits) * 1000 / n, calls / n))
        found[way] = rows
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--steps", type=int, default=1, help="reports per trial (intermediate values)")
    parser.add_argument("--storage-trials", type=int, default=100,
                        help="trials for MlflowStorage: each trial reads back every earlier trial's run, so its "
                             "time per trial grows with the study (200 trials take about 7 minutes on 2 cores)")
    parser.add_argument("--probe-trials", type=int, default=6, help="trials of the complete/pruned/failed probe")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--solver-trials", type=int, default=21, help="trials of the solver study (e); 0 skips it")
    parser.add_argument("--solver-iterations", type=int, default=20_000, help="SA iterations per solve in (e)")
    parser.add_argument("--no-loaded", dest="loaded", action="store_false",
                        help="skip the second pass of (a), (b) and (d) with the other core busy")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead: profile N trials of the callback and of tunetrack, per part")
    args = parser.parse_args()
    importable_for_workers()
    import optuna

    from benchmarks import _objectives

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp_name:
            found = profile(Path(tmp_name), args.profile, args.seed)
        for way, rows in found.items():
            print(f"{LABELS[way]}: {args.profile} trials under cProfile "
                  "(main thread; cumulative, nested parts overlap)")
            print_table(("part", "ms/trial", "calls/trial"), rows)
            print()
        print_json({"profile_trials": args.profile,
                    **{way: {label: [round(ms, 3), round(calls, 2)] for label, ms, calls in rows}
                       for way, rows in found.items()}})
        return
    n, seed = args.trials, args.seed
    square = functools.partial(_objectives.square, steps=args.steps)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        timed = {
            "plain": lambda: run_plain(tmp, "plain", square, n, seed),
            "plain_tt_storage": lambda: run_plain(tmp, "plain-tt", square, n, seed, tunetrack_storage=True),
            "callback": lambda: run_callback(tmp, "callback", square, n, seed),
            "storage": lambda: run_mlflow_storage(tmp, "storage", square, args.storage_trials, seed),
            "tunetrack": lambda: run_tunetrack(tmp, "tunetrack", "square", {"steps": args.steps}, n,
                                               seed),
        }
        for way, run in timed.items():
            elapsed, trials, uri = run()
            cpu = _CPU["last"]
            if elapsed is None:
                results[way] = {"unavailable": trials}
                continue
            results[way] = {
                "trials": len(trials), "states": states(trials), "wall_s": elapsed,
                "end_to_end_s": elapsed / len(trials), "steady_s": steady_per_trial_s(trials),
                "cpu_s": cpu / len(trials),
                "record": read_back(way, uri, trials) if way in INTERMEDIATE_KEY else {},
            }
        loaded: dict[str, float] = {}
        if args.loaded:  # the same three ways again with a busy-loop process on the other core
            again = {
                "plain": lambda: run_plain(tmp, "plain-loaded", square, n, seed),
                "callback": lambda: run_callback(tmp, "callback-loaded", square, n, seed),
                "tunetrack": lambda: run_tunetrack(tmp, "tunetrack-loaded", "square", {"steps": args.steps}, n, seed),
            }
            with other_core_busy():
                for way, run in again.items():
                    elapsed, trials, _ = run()
                    loaded[way] = elapsed / len(trials)
        probes = {
            "callback": lambda: run_callback(tmp, "probe-callback", _objectives.probe, args.probe_trials, seed),
            "storage": lambda: run_mlflow_storage(tmp, "probe-storage", _objectives.probe, args.probe_trials, seed),
            "tunetrack": lambda: run_tunetrack(tmp, "probe-tunetrack", "probe", {}, args.probe_trials,
                                               seed),
        }
        probe = {}
        for way, run in probes.items():
            elapsed, trials, uri = run()
            probe[way] = read_back(way, uri, trials) if elapsed is not None else {"unavailable": trials}
        solver = run_solver_study(tmp, args.solver_trials, args.solver_iterations, seed) if args.solver_trials else {}
    report(results, loaded, probe, solver, args)


# tunetrack's trials live in its own storage (WAL, heartbeat): its recording alone is measured against (a').
SAME_STORAGE_BASELINE = {"tunetrack": "plain_tt_storage", "plain_tt_storage": "plain_tt_storage"}

LABELS = {
    "plain": "(a) plain Optuna, RDB SQLite (baseline)",
    "plain_tt_storage": "(a') plain Optuna on tunetrack's storage",
    "callback": "(b) optuna-integration MLflowCallback",
    "storage": "(c) mlflow.optuna.MlflowStorage",
    "tunetrack": "(d) tunetrack start_study, 1 worker",
}


def report(results: dict, loaded: dict, probe: dict, solver: dict, args) -> None:
    base = results["plain"]
    rows = []
    for way, r in results.items():
        if "unavailable" in r:
            rows.append((LABELS[way], "-", "unavailable", "-", "-", "-", "-", "-", "-"))
            continue
        r["overhead_end_to_end_ms"] = (r["end_to_end_s"] - base["end_to_end_s"]) * 1000
        r["overhead_steady_ms"] = (r["steady_s"] - base["steady_s"]) * 1000
        r["overhead_cpu_ms"] = (r["cpu_s"] - base["cpu_s"]) * 1000
        same = results[SAME_STORAGE_BASELINE.get(way, "plain")]
        r["recording_only_steady_ms"] = (r["steady_s"] - same["steady_s"]) * 1000
        rows.append((LABELS[way], r["trials"], r["wall_s"], r["end_to_end_s"] * 1000, r["overhead_end_to_end_ms"],
                     r["overhead_steady_ms"], r["recording_only_steady_ms"], r["cpu_s"] * 1000, r["overhead_cpu_ms"]))
    print(f"trivial objective x**2, {args.steps} report(s) per trial, random sampler seed {args.seed}")
    print_table(("way", "trials", "wall s", "ms/trial", "overhead ms/trial (end to end)",
                 "overhead ms/trial (steady)", "recording only (steady, vs same storage)", "CPU ms/trial",
                 "CPU overhead ms/trial"), rows)

    def ratio(kind: str) -> float | None:
        tt, cb = results["tunetrack"], results["callback"]
        return tt[kind] / cb[kind] if cb.get(kind) else None

    ratios = {"tunetrack_over_callback_end_to_end": ratio("overhead_end_to_end_ms"),
              "tunetrack_over_callback_steady": ratio("overhead_steady_ms"),
              "tunetrack_over_callback_recording_only": ratio("recording_only_steady_ms"),
              "tunetrack_over_callback_cpu": ratio("overhead_cpu_ms")}
    if "overhead_end_to_end_ms" in results["storage"]:
        st = results["storage"]
        ratios["tunetrack_over_storage_end_to_end"] = (
            results["tunetrack"]["overhead_end_to_end_ms"] / st["overhead_end_to_end_ms"])
        ratios["tunetrack_over_storage_steady"] = results["tunetrack"]["overhead_steady_ms"] / st["overhead_steady_ms"]
    if loaded:
        over = {way: (loaded[way] - loaded["plain"]) * 1000 for way in ("callback", "tunetrack")}
        ratios["loaded_tunetrack_over_callback_end_to_end"] = over["tunetrack"] / over["callback"]
        print()
        print("the same with the other core busy (a busy-loop process on it)")
        print_table(("way", "ms/trial", "overhead ms/trial (end to end)"),
                    [(LABELS[way], loaded[way] * 1000, over.get(way, 0.0)) for way in loaded])
    print()
    print_table(("ratio of overheads", "value"), [(k, v) for k, v in ratios.items()])

    print()
    print(f"what each records in MLflow (timed run: {args.trials} trials; probe: complete / pruned / failed trials,"
          " two reports each)")
    rows = []
    for way in ("callback", "storage", "tunetrack"):
        timed, p = results[way].get("record", {}), probe.get(way, {})
        if not timed:
            rows.append((LABELS[way], "unavailable", "", "", "", "", ""))
            continue
        rows.append((
            LABELS[way], f"{timed['trial_runs']}", f"{timed['nested']}",
            f"{p['intermediate_points']} of {p['reported']}",
            p["status_of"].get("COMPLETE", "-"), p["status_of"].get("PRUNED", "-"), p["status_of"].get("FAIL", "-"),
        ))
    print_table(("way", "trial runs", "nested under a study run", "probe: intermediate points / reported",
                 "COMPLETE ->", "PRUNED ->", "FAIL ->"), rows)
    if solver:
        print()
        print(f"(e) tunetrack solver study: flowshop SA on ta001, {solver['iterations']} iterations, one solve per "
              f"trial, {solver['solves']} trials after the first")
        print_table(("per solve", "ms"), [
            ("solver's own time (its seconds metric)", solver["solver_ms"]),
            ("trial wall", solver["trial_wall_ms"]),
            ("tracking overhead (trial wall - solver)", solver["tracking_ms_per_solve"]),
            ("billed beyond the solver (cost - solver)", solver["billed_beyond_solver_ms"]),
        ])
    print_json({
        "trials": args.trials, "steps": args.steps, "solver_study": solver,
        **{f"{way}_{k}": (round(v, 3) if isinstance(v, float) else v)
           for way, r in results.items() for k, v in r.items() if k != "record"},
        **{k: (round(v, 3) if v is not None else None) for k, v in ratios.items()},
        "loaded_s_per_trial": {way: round(v, 5) for way, v in loaded.items()},
        "record": {way: results[way].get("record") for way in ("callback", "storage", "tunetrack")},
        "probe": probe,
    })


if __name__ == "__main__":
    main()
