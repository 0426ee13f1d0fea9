"""Shared fixtures: a clean environment, and the real stores tests talk to.

Stores: PostgreSQL on 127.0.0.1:5432 (a fresh database per use), moto's S3 in server mode, and
one `mlflow server` (MLflow's own command, one worker) on PostgreSQL with S3 artefacts, the
scaled-out topology of `docker/compose.yaml`. The tracker's and the studies' contract tests
run over these.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
BUCKET = "tunetrack-test"
S3_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No TUNETRACK_* variable or `.env` file from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("TUNETRACK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    yield


POSTGRES_ADMIN_URL = os.environ.get("TUNETRACK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new database on the machine's PostgreSQL server, dropped afterwards (skips if unreachable)."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sqlalchemy.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    name = f"tt_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database for one test."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 in server mode on 127.0.0.1 with a bucket for artefacts."""
    import boto3
    from moto.server import ThreadedMotoServer

    from tracker.server import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", **S3_KEYS).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture
def s3_client_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let this process's boto3 reach moto; every variable the tracker exports is restored afterwards."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MLFLOW_S3_ENDPOINT_URL"):
        monkeypatch.setenv(key, os.environ.get(key, ""))


SERVER_STARTUP_S = 240.0  # migrating a new PostgreSQL store takes ~50 s on a busy 2-core machine


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[str]:
    """`mlflow server` on a PostgreSQL backend store with artefacts in S3 (moto), for the whole session.

    Clients given an `s3://` artefact root write artefacts to S3 themselves; others go through
    the server, which proxies them to the same bucket.
    """
    from tracker.server import start_server, wait_until_ready
    from tracker.settings import TrackerSettings, TrackingSettings

    root = tmp_path_factory.mktemp("mlflow-server-pg")
    with fresh_postgres_database() as backend:
        settings = TrackerSettings(tracking=TrackingSettings(
            uri=backend, artifact_root=f"s3://{BUCKET}/server", s3_endpoint_url=s3_endpoint, **S3_KEYS))
        # MLflow's own `mlflow server` command, as a team deploys it (`tunetrack ui` runs the one-process form)
        server = start_server(settings, log_path=root / "server.log", wait=False, one_process=False)
        wait_until_ready(server, timeout=SERVER_STARTUP_S)
        yield server.url
        server.stop()


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `condition` until it returns something truthy (returned); fail naming `what` after `timeout` s.

    A bound on a wait for an event, never an assertion about speed: the timeout only ends a hung test.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
