"""A real `mlflow server` stopped for 10 s in the middle of a 2-worker study, with MLflow retrying once.

Writes that fail are spooled and replayed, run creation waits for the server, and the time spent
waiting is not billed: the target is reached exactly, no trial fails, every trial run and its value
is in MLflow afterwards and nothing is RUNNING. The 60-second outage, with MLflow's default retries
and with one, is `python benchmarks/tracking_outage.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.tracking_outage import run_outage, solve_without_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

OUTAGE_S = 10.0


def test_study_through_a_tracking_outage_loses_nothing(tmp_path: Path) -> None:
    result = run_outage(OUTAGE_S, max_retries=1, n_trials=10, down_after=3, root=tmp_path)
    assert result["exit_code"] == 0 and not result["traceback"], result["stderr_tail"]
    assert result["complete"] == result["target"] == 10 and result["failed"] == 0
    assert result["study_state"] == "done"
    assert result["trial_runs"] == 10 and result["trial_runs_without_value"] == 0
    assert result["running_runs"] == 0 and result["spool_left"] == 0
    assert result["max_trial_cost"] < OUTAGE_S  # 1-second trials: the outage was not billed


def test_solve_without_a_server_fails_naming_the_tracking_uri() -> None:
    result = solve_without_server()
    assert result["exit_code"] != 0 and result["names_uri"] and not result["traceback"], result["message"]
