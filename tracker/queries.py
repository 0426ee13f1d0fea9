"""Reading runs back: typed DataFrames, the best run, a leaderboard and step traces."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import Run, ViewType

from tracker._values import parse_param
from tracker.records import STEPS_ARTIFACT, RunKind, Tag

_PAGE = 1000
_DIRECTIONS = ("minimize", "maximize")


def search(
    client: MlflowClient,
    experiment_ids: Sequence[str],
    *,
    kind: RunKind | None = None,
    filter_string: str = "",
    parent_run_id: str | None = None,
    max_results: int | None = None,
    order_by: list[str] | None = None,
) -> list[Run]:
    """All matching runs, following MLflow's pagination."""
    clauses = [filter_string] if filter_string else []
    if kind is not None:
        clauses.append(f"tags.`{Tag.KIND.value}` = '{RunKind(kind).value}'")
    if parent_run_id is not None:
        clauses.append(f"tags.`mlflow.parentRunId` = '{parent_run_id}'")
    query = " and ".join(clauses)
    runs: list[Run] = []
    token = None
    while True:
        want = _PAGE if max_results is None else min(_PAGE, max_results - len(runs))
        page = client.search_runs(
            list(experiment_ids), query, ViewType.ACTIVE_ONLY, want,
            order_by or ["attributes.start_time DESC"], token,
        )
        runs.extend(page)
        token = page.token
        if not token or (max_results is not None and len(runs) >= max_results):
            return runs


def runs_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per run: ids, status, times, then `params.*` (typed), `metrics.*`, `tags.*`."""
    rows: list[dict[str, Any]] = []
    for run in runs:
        info, data = run.info, run.data
        row: dict[str, Any] = {
            "run_id": info.run_id,
            "experiment_id": info.experiment_id,
            "run_name": info.run_name,
            "status": info.status,
            "artifact_uri": info.artifact_uri,
            "start_time": pd.to_datetime(info.start_time, unit="ms", utc=True) if info.start_time else pd.NaT,
            "end_time": pd.to_datetime(info.end_time, unit="ms", utc=True) if info.end_time else pd.NaT,
        }
        row["duration_s"] = (info.end_time - info.start_time) / 1000.0 if info.end_time and info.start_time else np.nan
        row.update({f"params.{k}": v for k, v in data.params.items()})
        row.update({f"metrics.{k}": v for k, v in data.metrics.items()})
        row.update({f"tags.{k}": v for k, v in data.tags.items()})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=None if rows else ["run_id", "experiment_id", "run_name", "status"])
    for column in [c for c in frame.columns if c.startswith("params.")]:
        frame[column] = _typed(frame[column])
    return frame


def _typed(column: pd.Series) -> pd.Series:
    """Parse a column of param strings back to numbers or bools when every value agrees."""
    parsed = [parse_param(v) if isinstance(v, str) else None for v in column]
    present = [v for v in parsed if v is not None]
    if not present:
        return column
    if all(isinstance(v, bool) for v in present):
        return pd.Series(parsed, index=column.index, dtype="boolean")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(parsed, index=column.index, dtype="Int64")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series([np.nan if v is None else float(v) for v in parsed], index=column.index, dtype="float64")
    return column


def _check_direction(direction: str) -> None:
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {_DIRECTIONS}; got {direction!r}")


def leaderboard(frame: pd.DataFrame, metric: str, direction: str = "minimize", top: int = 10) -> pd.DataFrame:
    """The `top` finished runs ordered by `metric` (best first)."""
    _check_direction(direction)
    column = metric if metric.startswith("metrics.") else f"metrics.{metric}"
    if frame.empty or column not in frame.columns:
        return frame.iloc[0:0]
    finished = frame[(frame["status"] == "FINISHED") & frame[column].notna()]
    return finished.sort_values(column, ascending=direction == "minimize").head(top).reset_index(drop=True)


def best_of(frame: pd.DataFrame, metric: str, direction: str = "minimize") -> pd.Series | None:
    """The best finished run by `metric`, or None when no run has it."""
    board = leaderboard(frame, metric, direction, top=1)
    return None if board.empty else board.iloc[0]


def load_steps(client: MlflowClient, run_id: str) -> pd.DataFrame:
    """Download and read a run's `steps.parquet`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = client.download_artifacts(run_id, STEPS_ARTIFACT, tmp)
        return pd.read_parquet(path)


def load_trace(client: MlflowClient, run_id: str, artifact_uri: str | None = None) -> tuple[pd.DataFrame | None, list[dict[str, Any]]]:
    """A solve's step trace and its events; (None, []) for what the run lacks.

    With the run's `artifact_uri` (a column of `runs_frame`) the files are read straight from the
    artefact store, without a round trip to the tracking store per file.
    """
    import json
    from pathlib import Path

    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    from tracker.records import EVENTS_ARTIFACT

    repository = get_artifact_repository(artifact_uri or client.get_run(run_id).info.artifact_uri)
    steps, events = None, []
    with tempfile.TemporaryDirectory() as tmp:
        names = {Path(a.path).name for a in repository.list_artifacts()}
        if STEPS_ARTIFACT in names:
            steps = pd.read_parquet(repository.download_artifacts(STEPS_ARTIFACT, tmp))
        if EVENTS_ARTIFACT in names:
            events = json.loads(Path(repository.download_artifacts(EVENTS_ARTIFACT, tmp)).read_text())
    return steps, events


def log_directory(client: MlflowClient, run_id: str, local_dir: str, artifact_path: str | None) -> None:
    """Every file under `local_dir` as artefacts of `run_id` under `artifact_path`."""
    client.log_artifacts(run_id, local_dir, artifact_path)
