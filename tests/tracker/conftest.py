"""Backends for the tracker's contract tests: embedded SQLite, S3 (moto), `mlflow server` (PostgreSQL + S3), PostgreSQL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.conftest import BUCKET, S3_KEYS
from tracker import Tracker
from tracker.settings import StepSettings, TrackerSettings, TrackingSettings

POINTS = 40
FLUSH_S = 0.2


@dataclasses.dataclass
class Backend:
    """A tracking configuration under test plus the environment a child process needs to reach it."""

    name: str
    settings: TrackerSettings
    env: dict[str, str]

    def tracker(self) -> Tracker:
        return Tracker(self.settings)


def _settings(tracking: TrackingSettings) -> TrackerSettings:
    return TrackerSettings(tracking=tracking, steps=StepSettings(points_per_metric=POINTS, flush_interval_s=FLUSH_S))


def _env(tracking: TrackingSettings) -> dict[str, str]:
    env = {
        "TUNETRACK_TRACKING__URI": tracking.uri,
        "TUNETRACK_TRACKING__ARTIFACT_ROOT": tracking.artifact_root,
        "TUNETRACK_STEPS__POINTS_PER_METRIC": str(POINTS),
        "TUNETRACK_STEPS__FLUSH_INTERVAL_S": str(FLUSH_S),
    }
    if tracking.s3_endpoint_url:
        env["TUNETRACK_TRACKING__S3_ENDPOINT_URL"] = tracking.s3_endpoint_url
        env["TUNETRACK_TRACKING__AWS_ACCESS_KEY_ID"] = "testing"
        env["TUNETRACK_TRACKING__AWS_SECRET_ACCESS_KEY"] = "testing"
    return env


@pytest.fixture(params=["sqlite", "s3", pytest.param("server", marks=pytest.mark.postgres),
                        pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each contract test runs once per backend."""
    if request.param == "sqlite":
        tracking = TrackingSettings(uri=f"sqlite:///{tmp_path}/mlflow.db", artifact_root=str(tmp_path / "artifacts"))
    elif request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        tracking = TrackingSettings(uri=url, artifact_root=str(tmp_path / "artifacts"))
    elif request.param == "server":
        tracking = TrackingSettings(uri=request.getfixturevalue("mlflow_server"))
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        request.getfixturevalue("s3_client_env")
        tracking = TrackingSettings(
            uri=f"sqlite:///{tmp_path}/mlflow.db", artifact_root=f"s3://{BUCKET}/{tmp_path.name}",
            s3_endpoint_url=endpoint, **S3_KEYS,
        )
    return Backend(request.param, _settings(tracking), _env(tracking))
