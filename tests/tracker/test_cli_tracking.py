"""`tunetrack runs` and `tunetrack ui` against real stores."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studies.cli import app
from studies.settings import load_settings
from tracker import RunKind, Tracker

runner = CliRunner()


def test_runs_lists_recent_runs_as_json(tmp_path: Path) -> None:
    tracker = Tracker(load_settings())  # embedded default under ./mlruns (cwd is tmp_path)
    with tracker.start_run(kind=RunKind.SOLVE, experiment="flowshop", run_name="first"):
        pass
    with pytest.raises(RuntimeError):
        with tracker.start_run(kind=RunKind.SOLVE, experiment="flowshop", run_name="second"):
            raise RuntimeError("boom")
    result = runner.invoke(app, ["runs", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["run_name"] for r in rows] == ["second", "first"]
    assert [r["status"] for r in rows] == ["FAILED", "FINISHED"]
    assert {r["experiment"] for r in rows} == {"flowshop"}
    assert (tmp_path / "mlruns" / "mlflow.db").exists()


def test_runs_bad_settings_exit_non_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNETRACK_STEPS__POINTS_PER_METRIC", "oops")
    result = runner.invoke(app, ["runs"])
    assert result.exit_code == 2
    assert "steps.points_per_metric" in result.output


def test_ui_serves_the_configured_store(tmp_path: Path) -> None:
    tracker = Tracker(load_settings())
    with tracker.start_run(kind=RunKind.SOLVE, experiment="flowshop"):
        pass
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNETRACK_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "studies.cli", "ui", "--port", "0"], cwd=tmp_path, env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and url is None:
            line = process.stdout.readline()
            found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            url = found.group(1) if found else None
        assert url, "ui printed no URL"
        body = json.loads(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"{url}/api/2.0/mlflow/experiments/search",
                    data=json.dumps({"max_results": 10}).encode(), headers={"Content-Type": "application/json"},
                ),
                timeout=10,
            ).read()
        )
        assert "flowshop" in {e["name"] for e in body["experiments"]}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
