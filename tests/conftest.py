"""Shared fixtures: a clean environment, and the real stores tests talk to."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No TUNETRACK_* variable or `.env` file from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("TUNETRACK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    yield
