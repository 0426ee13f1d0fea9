"""`tunetrack env` points plain MLflow and Optuna at the stores; runs end without MLflow's console chatter."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from studies.cli import app
from tracker import RunKind, Tracker, TrackerSettings
from tracker.settings import TrackingSettings

runner = CliRunner()


def test_env_prints_absolute_store_urls_and_hides_passwords(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = runner.invoke(app, ["env"])
    assert out.exit_code == 0
    assert f"export MLFLOW_TRACKING_URI=sqlite:///{tmp_path}/mlruns/mlflow.db" in out.stdout
    assert f"export OPTUNA_STORAGE=sqlite:///{tmp_path}/mlruns/studies.db" in out.stdout
    monkeypatch.setenv("TUNETRACK_STUDIES__STORAGE", "postgresql://tt:s3cret@db:5432/studies")
    hidden = runner.invoke(app, ["env"]).stdout
    assert "s3cret" not in hidden and "postgresql://tt:***@db:5432/studies" in hidden
    assert "s3cret" in runner.invoke(app, ["env", "--reveal"]).stdout


def test_a_run_through_a_server_prints_no_view_run_lines(
    mlflow_server: str, capfd: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", raising=False)
    tracker = Tracker(TrackerSettings(tracking=TrackingSettings(uri=mlflow_server)))
    with tracker.start_run(kind=RunKind.SOLVE, experiment="quiet") as run:
        run.log_metrics({"objective": 1.0})
    assert tracker.run_brief(run.run_id).status == "FINISHED"
    assert "View run" not in capfd.readouterr().out
