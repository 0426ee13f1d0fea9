"""Backends for the study contract tests: everything embedded, and the scaled-out topology.

- `sqlite`: MLflow and Optuna in SQLite files, artefacts on local disk (the default install);
- `server`: an `mlflow server` on PostgreSQL with S3 artefacts (moto) written by the clients,
  and the Optuna storage in PostgreSQL (what `docker/compose.yaml` runs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studies.settings import Settings, load_settings
from tests.conftest import BUCKET, REPO, S3_KEYS


@pytest.fixture(params=["sqlite", pytest.param("server", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for one backend; worker processes can import the tests package."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    steps = {"flush_interval_s": 0.2, "points_per_metric": 40}
    if request.param == "sqlite":
        return load_settings(steps=steps).resolved()
    server = request.getfixturevalue("mlflow_server")
    endpoint = request.getfixturevalue("s3_endpoint")
    request.getfixturevalue("s3_client_env")
    return load_settings(
        steps=steps,
        tracking={"uri": server, "artifact_root": f"s3://{BUCKET}/{tmp_path.name}", "s3_endpoint_url": endpoint,
                  **S3_KEYS},
        studies={"storage": request.getfixturevalue("postgres_url")},
    ).resolved()
