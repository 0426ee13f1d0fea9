"""Stores in tmp_path (the working directory of every test) and spec builders for study tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from studies.settings import Settings, load_settings
from tests.conftest import REPO

OBJECTIVES = "tests.studies._objectives"


@pytest.fixture
def study_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Embedded default stores under tmp_path/mlruns; workers can import the tests package."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return load_settings(steps={"flush_interval_s": 0.2}).resolved()


def callable_spec(name: str, function: str, **fields: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name,
        "objective": {"function": f"{OBJECTIVES}:{function}", "kwargs": fields.pop("kwargs", {})},
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
        "sampler": {"type": "random", "seed": 11},
        "budget": {"n_trials": 6},
    }
    spec.update(fields)
    return spec


def solver_spec(name: str, **fields: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name,
        "objective": {"solver": "sa", "problem": "flowshop", "iterations": 1500},
        "instances": ["ta001", "ta002", "ta003"],
        "seeds": [1],
        "space": {"cooling_rate": {"type": "float", "low": 0.99, "high": 0.9999, "log": True}},
        "sampler": {"type": "random", "seed": 3},
        "budget": {"n_trials": 3},
    }
    spec.update(fields)
    return spec
