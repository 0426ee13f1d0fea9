"""Helpers for fault tests: real `tunetrack` processes in tmp_path, found again by a marker in their environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, wait_for  # noqa: F401  (wait_for is re-exported for the fault tests)

OBJECTIVES = "tests.studies._objectives"
MARK = "TT_FAULTS_MARK"


class Cli:
    """Runs `python -m studies.cli ...` in tmp_path with default stores; every child carries a marker."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.cwd = cwd
        self.mark = uuid.uuid4().hex
        base = {k: v for k, v in os.environ.items() if not k.startswith("TUNETRACK_")}
        self.env = {**base, "PYTHONPATH": str(REPO), MARK: self.mark, "TUNETRACK_STEPS__FLUSH_INTERVAL_S": "0.2",
                    **(env or {})}

    def start(self, *args: str, **popen: Any) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "studies.cli", *args], cwd=self.cwd, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "studies.cli", *args], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def processes(self) -> list[int]:
        """Live processes (not zombies) started by this helper, however deep and whoever their parent now is."""
        found = []
        needle = f"{MARK}={self.mark}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if needle in (entry / "environ").read_bytes() and (entry / "stat").read_text().split()[2] != "Z":
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    def kill_all(self) -> None:
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    helper = Cli(tmp_path)
    yield helper
    helper.kill_all()  # nothing a failed test started may outlive it



def write_spec(path: Path, name: str, function: str = "slow", n_trials: int = 20, workers: int = 1,
               **kwargs: Any) -> Path:
    spec = {
        "name": name,
        "objective": {"function": f"{OBJECTIVES}:{function}", "kwargs": kwargs},
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
        "sampler": {"type": "random", "seed": 5},
        "budget": {"n_trials": n_trials},
        "workers": workers,
        "retries": 0,
    }
    path.write_text(yaml.safe_dump(spec))
    return path


def mlflow_runs(tmp_path: Path, experiment: str | None = None):
    """Every run of the default tracking store under tmp_path (a DataFrame)."""
    from studies.settings import load_settings
    from tracker import Tracker

    settings = load_settings(tracking={"uri": f"sqlite:///{tmp_path}/mlruns/mlflow.db",
                                       "artifact_root": str(tmp_path / "mlruns" / "artifacts")})
    return Tracker(settings).runs(experiment)


def study_of(tmp_path: Path, name: str):
    import optuna

    from studies.storage import get_storage

    return optuna.load_study(study_name=name, storage=get_storage(f"sqlite:///{tmp_path}/mlruns/studies.db"))
