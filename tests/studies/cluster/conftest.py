"""The scale-out topology on one machine: PostgreSQL, an `mlflow server` on PostgreSQL proxying moto S3.

Every tunetrack process of a test (the runner, Dask workers, a second client) reaches the
stores only through these servers: the clients hold no S3 credentials, so an artefact they
read came through the server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, fresh_postgres_database
from studies.settings import Settings, load_settings
from tracker.server import free_port, start_server, wait_until_ready
from tracker.settings import TrackerSettings, TrackingSettings

BUCKET = "tunetrack-cluster"
SERVER_START_S = 240.0
S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass(frozen=True)
class Topology:
    tracking_uri: str  # the MLflow server
    storage: str  # PostgreSQL study storage (postgresql+psycopg://)
    log_dir: Path

    def settings(self) -> Settings:
        return load_settings(tracking={"uri": self.tracking_uri}, studies={"storage": self.storage},
                             steps={"flush_interval_s": 0.2}).resolved()

    def env(self) -> dict[str, str]:
        """The environment of a tunetrack process that reaches the stores only through the servers."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TUNETRACK_", "AWS_", "MLFLOW_S3"))}
        env.update({
            "TUNETRACK_TRACKING__URI": self.tracking_uri, "TUNETRACK_STUDIES__STORAGE": self.storage,
            "TUNETRACK_STEPS__FLUSH_INTERVAL_S": "0.2", "PYTHONPATH": str(REPO),
            "NUMBA_CACHE_DIR": os.environ.get("NUMBA_CACHE_DIR", str(REPO / ".numba_cache")),
        })
        return env


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    """Two fresh databases (studies, MLflow), moto S3 with a bucket, `mlflow server` over both; dropped after."""
    import boto3
    from moto.server import ThreadedMotoServer

    root = tmp_path_factory.mktemp("topology")
    with fresh_postgres_database() as studies_db, fresh_postgres_database() as mlflow_db:
        psycopg = {role: url.replace("postgresql://", "postgresql+psycopg://", 1)
                   for role, url in (("studies", studies_db), ("mlflow", mlflow_db))}
        port = free_port()
        s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
        s3.start()
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint, **{k.lower(): v for k, v in S3_KEYS.items() if k != "AWS_DEFAULT_REGION"},
                     region_name="us-east-1").create_bucket(Bucket=BUCKET)
        server_settings = TrackerSettings(tracking=TrackingSettings(uri=psycopg["mlflow"], artifact_root=f"s3://{BUCKET}/runs"))
        with pytest.MonkeyPatch.context() as env:  # only the server holds the S3 endpoint and keys
            env.setenv("MLFLOW_S3_ENDPOINT_URL", endpoint)
            for key, value in S3_KEYS.items():
                env.setenv(key, value)
            server = start_server(server_settings, log_path=root / "mlflow-server.log", wait=False, one_process=False)
        wait_until_ready(server, timeout=SERVER_START_S)  # its first start migrates a fresh PostgreSQL database
        try:
            yield Topology(tracking_uri=server.url, storage=psycopg["studies"], log_dir=root)
        finally:
            server.stop()
            s3.stop()
