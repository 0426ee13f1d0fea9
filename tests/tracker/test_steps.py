"""The step pipeline's writer: points beyond its CPU budget wait for close, Parquet parts merge whole."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

import tracker._steps as steps_module
from tests.conftest import wait_for
from tracker import RunKind, Tracker
from tracker.settings import StepSettings, TrackerSettings, TrackingSettings

N = 300
POINTS = 40


def _tracker(tmp_path: Path) -> Tracker:
    tracking = TrackingSettings(uri=f"sqlite:///{tmp_path}/mlflow.db", artifact_root=str(tmp_path / "artifacts"))
    return Tracker(TrackerSettings(tracking=tracking, steps=StepSettings(points_per_metric=POINTS,
                                                                         flush_interval_s=0.05)))


def _best() -> np.ndarray:
    best = np.full(N, 100.0)
    for at in (17, 90, 91, 250):
        best[at:] -= 1.0
    return best


def _solve(tracker: Tracker, hold: bool) -> tuple[str, dict[str, set[int]]]:
    """N records in three groups, each drained before the next; `hold` checks MLflow is still empty."""
    best = _best()
    with tracker.start_run(kind=RunKind.SOLVE, experiment=f"e-{uuid.uuid4().hex[:8]}", expected_steps=N) as run:
        for lo, hi in ((0, 100), (100, 220), (220, N)):
            for i in range(lo, hi):
                run.log_step({"iteration": 5 * i, "best": float(best[i]), "current": float(best[i] + i % 3),
                              "temperature": np.nan if i % 2 else 1.0})
            wait_for(lambda: run._pipeline.records == hi, 60, f"the writer to take {hi} records")
        if hold:
            assert tracker.client.get_metric_history(run.run_id, "best") == []
    kept = {key: {p.step for p in tracker.client.get_metric_history(run.run_id, key)}
            for key in ("best", "current", "temperature")}
    return run.run_id, kept


def test_points_beyond_the_writer_budget_wait_for_close_and_none_is_lost(tmp_path: Path, monkeypatch) -> None:
    tracker = _tracker(tmp_path)
    _, sent_live = _solve(tracker, hold=False)
    monkeypatch.setattr(steps_module, "WRITER_CPU_SHARE", 0.0)
    monkeypatch.setattr(steps_module, "WRITER_CPU_BURST_S", 0.0)
    run_id, sent_at_close = _solve(tracker, hold=True)
    assert sent_at_close == sent_live
    assert {5 * i for i in (0, 17, 90, 91, 250, N - 1)} <= sent_at_close["best"]
    assert 0 < len(sent_at_close["best"]) <= POINTS
    assert sent_at_close["temperature"] < sent_at_close["best"], "NaN values are not points"
    assert len(tracker.load_steps(run_id)) == N


@pytest.mark.parametrize("part_rows", [50, 1_000_000])
def test_steps_parquet_is_whole_across_part_files_and_changing_columns(tmp_path: Path, monkeypatch,
                                                                       part_rows: int) -> None:
    monkeypatch.setattr(steps_module, "_PART_ROWS", part_rows)
    tracker = _tracker(tmp_path)
    with tracker.start_run(kind=RunKind.SOLVE, experiment="parts") as run:
        run.log_steps({"iteration": np.arange(60), "best": np.linspace(10, 5, 60)})
        wait_for(lambda: run._pipeline.records == 60, 60, "the writer to take the columns")
        for i in range(60, 130):
            run.log_step({"iteration": i, "best": 4.0, "op.swap.accepts": i})
        wait_for(lambda: run._pipeline.records == 130, 60, "the writer to take the records")
        run.log_steps({"iteration": np.arange(130, 200) + 0.5, "best": np.zeros(70)})
    steps = tracker.load_steps(run.run_id)
    assert len(steps) == 200
    np.testing.assert_allclose(steps["iteration"].to_numpy()[:130], np.arange(130))
    np.testing.assert_allclose(steps["iteration"].to_numpy()[130:], np.arange(130, 200) + 0.5)
    accepts = steps["op.swap.accepts"]
    assert accepts.isna().tolist() == [True] * 60 + [False] * 70 + [True] * 70
    assert accepts[60:130].tolist() == list(range(60, 130))
