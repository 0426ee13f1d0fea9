"""Contract tests for tracked runs, run against SQLite, an `mlflow server` and S3 artefacts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracker import RecordError, RunKind, RunState, Tag
from tracker.limits import MAX_METRICS_PER_BATCH, MAX_PARAM_VAL_LENGTH, MAX_PARAMS_TAGS_PER_BATCH, MAX_TAG_VAL_LENGTH
from tracker.records import LONG_PARAM_POINTER, LONG_PARAMS_ARTIFACT, TRACEBACK_ARTIFACT

from tests.conftest import wait_for
from .conftest import POINTS, Backend

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def experiment() -> str:
    return f"exp-{uuid.uuid4().hex[:10]}"


def _artifact_text(tracker, run_id: str, name: str, tmp_path: Path) -> str:
    return Path(tracker.client.download_artifacts(run_id, name, str(tmp_path))).read_text()


def test_finished_run_records_params_tags_metrics(backend: Backend, experiment: str) -> None:
    tracker = backend.tracker()
    with tracker.start_run(
        kind=RunKind.SOLVE, experiment=experiment, params={"sa": {"cooling_rate": 0.995, "schedule": "geometric"}},
        descriptor={"name": "ta001", "jobs": 20, "machines": 5}, tags={Tag.SOLVER: "sa"},
    ) as run:
        run.log_metrics({"objective": 1278.0, "gap": 0.0})
    got = tracker.client.get_run(run.run_id)
    assert got.info.status == "FINISHED"
    assert got.data.tags[Tag.KIND.value] == "solve"
    assert got.data.tags[Tag.STATE.value] == "COMPLETE"
    assert got.data.tags[Tag.SCENARIO.value] == "ta001"
    assert got.data.tags[Tag.SOLVER.value] == "sa"
    assert got.data.params["sa.cooling_rate"] == "0.995"
    assert got.data.params["scenario.jobs"] == "20"
    assert got.data.metrics["objective"] == 1278.0


def test_held_params_go_with_the_closing_call_or_while_the_run_is_still_open(backend: Backend, experiment: str):
    """A short run sends its held params with its closing call; a longer one shows them while it runs."""
    tracker = backend.tracker()
    with tracker.start_run(kind=RunKind.TRIAL, experiment=experiment, params={"sa": {"cooling_rate": 0.99}},
                           hold_params=True) as short:
        pass
    assert tracker.client.get_run(short.run_id).data.params == {"sa.cooling_rate": "0.99"}
    with tracker.start_run(kind=RunKind.TRIAL, experiment=experiment, params={"x": 1.5}, hold_params=True) as long:
        seen = wait_for(lambda: tracker.client.get_run(long.run_id).data.params, 60, "the held params of an open run")
        assert tracker.client.get_run(long.run_id).info.status == "RUNNING"
    assert seen == {"x": "1.5"}
    assert tracker.client.get_run(long.run_id).data.params == {"x": "1.5"}


def test_exception_leaves_run_failed_with_message_and_traceback(backend: Backend, experiment: str, tmp_path: Path):
    tracker = backend.tracker()
    with pytest.raises(ZeroDivisionError):
        with tracker.start_run(kind=RunKind.SOLVE, experiment=experiment) as run:
            run.log_step({"iteration": 1, "best": 3.0})
            1 / 0
    got = tracker.client.get_run(run.run_id)
    assert got.info.status == "FAILED"
    assert got.data.tags[Tag.STATE.value] == "FAIL"
    assert "ZeroDivisionError" in got.data.tags[Tag.ERROR.value]
    assert "1 / 0" in _artifact_text(tracker, run.run_id, TRACEBACK_ARTIFACT, tmp_path)


def test_keyboard_interrupt_leaves_run_killed(backend: Backend, experiment: str) -> None:
    tracker = backend.tracker()
    with pytest.raises(KeyboardInterrupt):
        with tracker.start_run(kind=RunKind.SOLVE, experiment=experiment) as run:
            raise KeyboardInterrupt
    got = tracker.client.get_run(run.run_id)
    assert got.info.status == "KILLED"
    assert got.data.tags[Tag.STATE.value] == "INTERRUPTED"


def test_explicit_pruned_state_is_killed_not_finished(backend: Backend, experiment: str) -> None:
    tracker = backend.tracker()
    with pytest.raises(RuntimeError):
        with tracker.start_run(kind=RunKind.TRIAL, experiment=experiment) as run:
            run.set_state(RunState.PRUNED)
            raise RuntimeError("pruned by the racing pruner")
    got = tracker.client.get_run(run.run_id)
    assert got.info.status == "KILLED"
    assert got.data.tags[Tag.STATE.value] == "PRUNED"
    assert Tag.ERROR.value not in got.data.tags


def test_nesting_by_explicit_parent_id_across_processes(backend: Backend, experiment: str) -> None:
    tracker = backend.tracker()
    with tracker.start_run(kind=RunKind.STUDY, experiment=experiment) as parent:
        script = (
            "import sys; from tracker import Tracker, RunKind\n"
            "with Tracker().start_run(kind=RunKind.TRIAL, parent_run_id=sys.argv[1]) as run:\n"
            "    run.log_step({'iteration': 1, 'best': 2.0})\n"
            "print(run.run_id)\n"
        )
        env = {**os.environ, **backend.env, "PYTHONPATH": str(REPO)}
        done = subprocess.run(
            [sys.executable, "-c", script, parent.run_id], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        child_id = done.stdout.strip().splitlines()[-1]
    child = tracker.client.get_run(child_id)
    assert child.data.tags["mlflow.parentRunId"] == parent.run_id
    assert child.info.experiment_id == parent.experiment_id
    assert child.info.status == "FINISHED"
    children = tracker.runs(experiment, parent_run_id=parent.run_id)
    assert list(children["run_id"]) == [child_id]


def test_limits_are_handled_inside_tracker(backend: Backend, experiment: str, tmp_path: Path) -> None:
    tracker = backend.tracker()
    many_params = {f"p{i:03d}": i for i in range(MAX_PARAMS_TAGS_PER_BATCH * 2 + 7)}
    long_value = "x" * (MAX_PARAM_VAL_LENGTH + 100)
    many_metrics = {f"m{i:04d}": float(i) for i in range(MAX_METRICS_PER_BATCH + 250)}
    with tracker.start_run(kind=RunKind.SOLVE, experiment=experiment, params=many_params) as run:
        run.log_params({"space": long_value})
        run.set_tags({"note": "y" * (MAX_TAG_VAL_LENGTH + 50)})
        run.log_metrics(many_metrics)
    got = tracker.client.get_run(run.run_id)
    assert all(got.data.params[k] == str(v) for k, v in many_params.items())
    assert got.data.params["space"] == LONG_PARAM_POINTER
    assert json.loads(_artifact_text(tracker, run.run_id, LONG_PARAMS_ARTIFACT, tmp_path))["space"] == long_value
    assert len(got.data.tags["note"]) == MAX_TAG_VAL_LENGTH
    assert len([k for k in got.data.metrics if k.startswith("m")]) == len(many_metrics)


def test_step_series_is_bounded_keeps_improvements_and_parquet_keeps_all(backend: Backend, experiment: str):
    tracker = backend.tracker()
    rng = np.random.default_rng(7)
    n = 5000
    drops = np.zeros(n)
    drops[rng.choice(np.arange(1, n), size=15, replace=False)] = rng.random(15) + 0.1
    best = 1000.0 - np.cumsum(drops)
    current = best + rng.random(n) * 5
    with tracker.start_run(kind=RunKind.SOLVE, experiment=experiment) as run:
        for i in range(n):
            run.log_step({"iteration": 10 * i, "current": float(current[i]), "best": float(best[i]),
                          "temperature": 1.0 / (i + 1)})
    history = tracker.client.get_metric_history(run.run_id, "best")
    assert 0 < len(history) <= POINTS
    for key in ("current", "temperature"):
        assert len(tracker.client.get_metric_history(run.run_id, key)) <= POINTS
    improved = {10 * i for i in range(n) if i == 0 or best[i] < best[i - 1]}
    assert len(improved) == 16
    assert len(improved) < POINTS // 2, "the scenario must fit the budget to be meaningful"
    assert improved <= {p.step for p in history}
    assert 10 * (n - 1) in {p.step for p in history}, "the last record is always kept"
    steps = tracker.load_steps(run.run_id)
    assert len(steps) == n
    np.testing.assert_allclose(steps["best"].to_numpy(), best)
    assert steps["iteration"].tolist() == [10 * i for i in range(n)]


def test_columnar_steps_and_mixed_columns(backend: Backend, experiment: str) -> None:
    tracker = backend.tracker()
    with tracker.start_run(kind=RunKind.SOLVE, experiment=experiment) as run:
        run.log_steps({"iteration": np.arange(100), "best": np.linspace(10, 1, 100)})
        run.log_step({"iteration": 100, "best": 0.5, "op.swap.accepts": 3})
    steps = tracker.load_steps(run.run_id)
    assert len(steps) == 101
    assert steps["op.swap.accepts"].isna().sum() == 100
    assert {p.step for p in tracker.client.get_metric_history(run.run_id, "best")} >= {0, 100}


def test_artifacts_dict_table_figure(backend: Backend, experiment: str, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tracker = backend.tracker()
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    figure, axes = plt.subplots()
    axes.plot([1, 2, 3])
    with tracker.start_run(kind=RunKind.SOLVE, experiment=experiment) as run:
        run.log_dict({"solution": [2, 0, 1]}, "solution.json")
        run.log_table(frame, "tables/result.parquet")
        run.log_table(frame, "result.csv")
        run.log_figure(figure, "plots/curve.png")
        with pytest.raises(RecordError, match=r"\.parquet or \.csv"):
            run.log_table(frame, "result.xlsx")
    plt.close(figure)
    names = {a.path for a in tracker.client.list_artifacts(run.run_id)}
    assert {"solution.json", "tables", "result.csv", "plots"} <= names
    assert json.loads(_artifact_text(tracker, run.run_id, "solution.json", tmp_path)) == {"solution": [2, 0, 1]}
    local = tracker.client.download_artifacts(run.run_id, "tables/result.parquet", str(tmp_path))
    pd.testing.assert_frame_equal(pd.read_parquet(local), frame)


def test_queries_type_params_and_rank_runs(backend: Backend, experiment: str) -> None:
    tracker = backend.tracker()
    for rate, flag, value in [(0.9, True, 3.0), (0.99, False, 1.0), (0.95, True, 2.0)]:
        with tracker.start_run(kind=RunKind.TRIAL, experiment=experiment,
                               params={"rate": rate, "reheat": flag, "n": 5, "name": "sa"}) as run:
            run.log_metrics({"value": value})
    with pytest.raises(ValueError):
        with tracker.start_run(kind=RunKind.TRIAL, experiment=experiment, params={"rate": 0.5}) as run:
            run.log_metrics({"value": 0.0})
            raise ValueError("failed trials never lead")
    frame = tracker.runs(experiment, kind=RunKind.TRIAL)
    assert len(frame) == 4
    assert frame["params.rate"].dtype == "float64"
    assert str(frame["params.reheat"].dtype) == "boolean"
    assert str(frame["params.n"].dtype) == "Int64"
    board = tracker.leaderboard(experiment, "value", kind=RunKind.TRIAL, top=2)
    assert board["metrics.value"].tolist() == [1.0, 2.0]
    assert tracker.best_run(experiment, "value", direction="maximize")["params.rate"] == 0.9
    with pytest.raises(ValueError, match="direction"):
        tracker.leaderboard(experiment, "value", direction="down")
