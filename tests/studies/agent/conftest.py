"""Stores and a project directory in tmp_path for agent-tool tests (never the real checkout's files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studies.settings import Settings, load_settings
from tests.conftest import REPO


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project directory holding a copy of the solvers' constants module (promotion targets live here)."""
    root = tmp_path / "project"
    (root / "solvers").mkdir(parents=True)
    shutil.copy2(REPO / "solvers" / "constants.py", root / "solvers" / "constants.py")
    return root


@pytest.fixture
def agent_env(tmp_path: Path, project: Path) -> dict[str, str]:
    """TUNETRACK_* variables that put every store under tmp_path and the project root at `project`."""
    stores = tmp_path / "mlruns"
    return {
        "TUNETRACK_TRACKING__URI": f"sqlite:///{stores}/mlflow.db",
        "TUNETRACK_TRACKING__ARTIFACT_ROOT": str(stores / "artifacts"),
        "TUNETRACK_STUDIES__STORAGE": f"sqlite:///{stores}/studies.db",
        "TUNETRACK_AGENT__PROJECT_ROOT": str(project),
        "TUNETRACK_STEPS__FLUSH_INTERVAL_S": "0.2",
        "PYTHONPATH": str(REPO),  # a server subprocess runs this checkout's code, not an installed copy
    }


@pytest.fixture
def settings(agent_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in agent_env.items():
        monkeypatch.setenv(key, value)
    return load_settings()


def small_study(name: str, **overrides: object) -> dict[str, object]:
    """Fields of a fast SA flow-shop study: 2 instances x 2 seeds, 2,000 iterations per solve."""
    fields: dict[str, object] = {
        "name": name,
        "objective": {"solver": "sa", "problem": "flowshop", "iterations": 2000},
        "instances": ["flowshop:ta001", "flowshop:ta002"],
        "seeds": [1, 2],
        "space": {"cooling_rate": {"type": "float", "low": 0.95, "high": 0.999}},
        "sampler": {"type": "random", "seed": 7},
        "n_trials": 4,
        "workers": 1,
    }
    fields.update(overrides)
    return fields
