"""Several commands on a new directory at once: one creates (migrates) each store, all succeed.

The full repro (4 commands x 20 rounds) is `python benchmarks/store_concurrency.py`; here 2 rounds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from benchmarks.store_concurrency import one_round
from tracker._store_lock import drop_interrupted_migration


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_concurrent_first_use_succeeds_and_leaves_sound_stores() -> None:
    for _ in range(2):
        result = one_round(4)
        assert result["failures"] == [] and result["tracebacks"] == 0
        assert result["runs_recorded"] == result["runs_expected"]
        assert result["stores_sound"], result["store_checks"]


def test_an_interrupted_migration_is_cleaned_up_under_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "mlflow.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE runs (id INTEGER)")
        connection.execute("CREATE TABLE _alembic_tmp_runs (id INTEGER)")
    assert drop_interrupted_migration(f"sqlite:///{db}") == ["_alembic_tmp_runs"]
    with sqlite3.connect(db) as connection:
        names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"runs"}
