"""Shared plumbing of the study benchmarks: temp stores, worker imports, stderr capture, tables, read-back."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def importable_for_workers() -> None:
    """Spawned workers import `benchmarks._objectives`: put the repo root on this and every child's path."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    paths = [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")


def settings_in(tmp: str | Path, tag: str, **studies: Any):
    """tunetrack settings whose MLflow store, artefacts and study storage all live under `tmp`."""
    from studies.settings import load_settings

    return load_settings(
        tracking={"uri": f"sqlite:///{tmp}/{tag}-mlflow.db", "artifact_root": f"{tmp}/{tag}-artifacts"},
        studies={"storage": f"sqlite:///{tmp}/{tag}-studies.db", **studies},
    )


def callable_spec(name: str, function: str, kwargs: dict, n_trials: int, *, workers: int = 1, seed: int = 0,
                  **fields: Any) -> dict:
    """A study spec over one float `x` in [-10, 10] for a `benchmarks._objectives` function; retries off."""
    return {
        "name": name, "objective": {"function": f"benchmarks._objectives:{function}", "kwargs": kwargs},
        "metric": "y", "space": {"x": {"type": "float", "low": -10.0, "high": 10.0}},
        "sampler": {"type": "random", "seed": seed}, "budget": {"n_trials": n_trials}, "workers": workers,
        "retries": 0, **fields,
    }


def load_study(settings, name: str):
    import optuna

    from studies.storage import get_storage

    return optuna.load_study(study_name=name, storage=get_storage(
        settings.studies.storage, heartbeat_interval=None, grace_period=None))


@contextlib.contextmanager
def stderr_to(path: Path) -> Iterator[Path]:
    """Send this process's fd 2 (and so every spawned worker's stderr) to `path` for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield path
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def span_s(trials: Sequence[Any]) -> float:
    """Seconds from the first trial's start to the last trial's completion."""
    starts = [t.datetime_start for t in trials if t.datetime_start is not None]
    ends = [t.datetime_complete for t in trials if t.datetime_complete is not None]
    return (max(ends) - min(starts)).total_seconds() if starts and ends else float("nan")


def steady_per_trial_s(trials: Sequence[Any]) -> float:
    """Seconds per trial between the first and the last completion (start-up costs left out)."""
    ends = sorted(t.datetime_complete for t in trials if t.datetime_complete is not None)
    return (ends[-1] - ends[0]).total_seconds() / (len(ends) - 1) if len(ends) > 1 else float("nan")


def states(trials: Sequence[Any]) -> dict[str, int]:
    return dict(Counter(t.state.name for t in trials))


def mlflow_runs(uri: str) -> list[Any]:
    """Every run of every experiment in the MLflow store at `uri`."""
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    ids = [e.experiment_id for e in client.search_experiments()]
    return client.search_runs(ids, max_results=50_000) if ids else []


def metric_points(uri: str, run_id: str, key: str) -> int:
    from mlflow import MlflowClient

    return len(MlflowClient(uri).get_metric_history(run_id, key))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  ".join(f"{h:<{w}}" for h, w in zip(headers, widths)))
    for row in cells:
        print("  ".join(f"{v:<{w}}" for v, w in zip(row, widths)))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def print_json(figures: dict[str, Any]) -> None:
    """The last line of every study benchmark: its figures as one JSON object."""
    print(json.dumps(figures, default=str), flush=True)
