"""Backends for the tracker's contract tests: embedded SQLite, a real `mlflow server`, S3 (moto), PostgreSQL."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker import Tracker
from tracker.server import free_port, start_server
from tracker.settings import StepSettings, TrackerSettings, TrackingSettings

POINTS = 40
FLUSH_S = 0.2
BUCKET = "tunetrack-test"


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


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `mlflow server` on 127.0.0.1 (free port), one worker, for the whole session."""
    root = tmp_path_factory.mktemp("mlflow-server")
    settings = TrackerSettings(
        tracking=TrackingSettings(uri=f"sqlite:///{root}/mlflow.db", artifact_root=str(root / "artifacts"))
    )
    server = start_server(settings, log_path=root / "server.log")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 in server mode on 127.0.0.1 with a bucket for artefacts."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture(params=["sqlite", "server", "s3", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Backend:
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
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MLFLOW_S3_ENDPOINT_URL"):
            monkeypatch.setenv(key, os.environ.get(key, ""))  # restored after the test
        tracking = TrackingSettings(
            uri=f"sqlite:///{tmp_path}/mlflow.db",
            artifact_root=f"s3://{BUCKET}/{tmp_path.name}",
            s3_endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    return Backend(request.param, _settings(tracking), _env(tracking))
