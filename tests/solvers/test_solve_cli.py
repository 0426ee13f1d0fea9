"""`tunetrack solve` records a solve run with the right tags; `tunetrack solvers` lists parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow import MlflowClient
from typer.testing import CliRunner

from studies.cli import app


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("TUNETRACK_TRACKING__URI", uri)
    monkeypatch.setenv("TUNETRACK_TRACKING__ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    return uri


def _runs(uri: str) -> list:
    client = MlflowClient(tracking_uri=uri)
    ids = [e.experiment_id for e in client.search_experiments()]
    return client.search_runs(ids) if ids else []


def test_solve_records_a_tagged_run(store: str) -> None:
    result = CliRunner().invoke(app, ["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--seed", "3",
                                      "--set", "cooling_rate=0.995", "--set", "chunk_size=1000",
                                      "--iterations", "5000", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {"objective", "reference", "gap", "seconds", "solution"} <= set(out)
    assert sorted(out["solution"]) == list(range(20)) and out["reference"] == 1278
    client = MlflowClient(tracking_uri=store)
    run = client.get_run(out["run_id"])
    assert run.info.status == "FINISHED"
    tags = run.data.tags
    assert (tags["tt.kind"], tags["tt.solver"], tags["tt.scenario"], tags["tt.seed"]) == ("solve", "sa", "ta001", "3")
    assert client.get_experiment(run.info.experiment_id).name == "flowshop"
    params = run.data.params
    assert params["cooling_rate"] == "0.995" and params["scenario.jobs"] == "20"
    assert params["scenario.reference"] == "1278"
    assert run.data.metrics["objective"] == out["objective"]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"solution.json", "steps.parquet", "events.json"} <= artifacts
    assert len(client.get_metric_history(run.info.run_id, "best")) == 5


def test_solve_prints_a_summary(store: str) -> None:
    result = CliRunner().invoke(app, ["solve", "-p", "flowshop:ta001", "-s", "ils", "--iterations", "20"])
    assert result.exit_code == 0, result.output
    assert "objective" in result.stdout and "reference 1278" in result.stdout and "gap" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "sa", "--set", "cooling_rate=1.5"], "cooling_rate: must be >= 0.5 and <= 0.99999"),
        (["-s", "sa", "--set", "colling=1"], "colling: unknown parameter"),
        (["-s", "sa", "--set", "novalue"], "expected KEY=VALUE"),
        (["-s", "ga"], "solver: must be one of sa, ils, tabu"),
        (["-s", "tabu", "-p", "flowshop:ta999"], "must be ta001..ta120"),
        (["-s", "ils", "--time-limit", "0"], "--time-limit: must be > 0"),
    ],
)
def test_bad_input_fails_before_any_run(store: str, args: list[str], message: str) -> None:
    if "-p" not in args:
        args = ["-p", "flowshop:ta001", *args]
    result = CliRunner().invoke(app, ["solve", *args, "--iterations", "10"])
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert _runs(store) == []


def test_solvers_lists_parameters(store: str) -> None:
    result = CliRunner().invoke(app, ["solvers", "--json"])
    assert result.exit_code == 0
    described = {d["solver"]: d for d in json.loads(result.stdout)["solvers"]}
    assert {p["name"] for p in described["tabu"]["params"]} >= {"tenure", "tenure_random", "aspiration", "candidates"}
    table = CliRunner().invoke(app, ["solvers"])
    assert table.exit_code == 0 and "cooling_rate" in table.stdout
