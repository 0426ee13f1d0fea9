"""Starting a local MLflow tracking server in its fast form (one process, one worker, no job runner) on our stores."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tracker.settings import TrackerSettings
from tracker.sqlite import shared_sqlite_url

DEFAULT_HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 120.0  # a busy 2-core machine has been seen to need more than 60 s
UI_STARTUP_TIMEOUT_S = 240.0  # `tunetrack ui` waits longer: a person can wait, a busy machine is slow to import MLflow


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A running MLflow tracking server; stop it with `stop()` or use it as a context manager."""

    url: str
    process: subprocess.Popen
    log_path: Path | None = field(default=None)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and every process it started (its own process group), so the port is freed."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait()
        self._signal_group(signal.SIGKILL)  # children the server left behind

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def server_command(backend_uri: str, artifact_root: str, host: str, port: int, *, one_process: bool = True) -> list[str]:
    """The command line of a single-worker MLflow server that proxies artefacts.

    `one_process` (what `tunetrack ui` runs): `tracker._serve`, which is `mlflow server
    --backend-store-uri B --artifacts-destination A --workers 1` in one process instead of two
    (MLflow's command imports MLflow, then starts uvicorn, which imports it again), so it answers
    in about half the time. Otherwise MLflow's own `mlflow server` command, as a team deploys it.
    """
    artifacts = artifact_root if "://" in artifact_root else Path(artifact_root).expanduser().resolve().as_uri()
    backend_uri = shared_sqlite_url(backend_uri)
    stores = ["--backend-store-uri", backend_uri, "--artifacts-destination", artifacts, "--host", host, "--port", str(port)]
    if one_process:
        return [sys.executable, "-m", "tracker._serve", *stores]
    return [sys.executable, "-m", "mlflow", "server", *stores, "--workers", "1"]


def start_server(
    settings: TrackerSettings,
    *,
    host: str = DEFAULT_HOST,
    port: int | None = None,
    log_path: Path | None = None,
    wait: bool = True,
    timeout: float = STARTUP_TIMEOUT_S,
    one_process: bool = True,
) -> ServerProcess:
    """Start MLflow's tracking server on the settings' tracking store and wait until it answers.

    `one_process`: the fast form (`tracker._serve`, see `server_command`); False runs `mlflow server` itself.
    """
    backend = settings.tracking.uri
    if backend.startswith(("http://", "https://")):
        raise ValueError(f"tracking.uri is already a server ({backend}); open it in a browser instead")
    settings.prepare_local_stores()
    port = port or free_port(host)
    env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false", **settings.s3_environment())
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        server_command(backend, settings.tracking.artifact_root, host, port, one_process=one_process),
        stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,  # stopped as one group
    )
    server = ServerProcess(url=f"http://{host}:{port}", process=process, log_path=log_path)
    if wait:
        wait_until_ready(server, timeout)
    return server


def wait_until_ready(server: ServerProcess, timeout: float = STARTUP_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"mlflow server exited with code {server.process.returncode}; log: {server.log_path}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise TimeoutError(f"mlflow server at {server.url} did not answer within {timeout:.0f} s")
