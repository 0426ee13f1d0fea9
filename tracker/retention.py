"""Deleting runs for good: soft delete, then MLflow's own garbage collection for metadata and artefacts.

`tunetrack gc` decides *which* runs go (that is study knowledge); this module only knows how
to measure what a run holds, mark runs deleted and let `mlflow gc` purge them with their
artefact directories, so the MLflow side of retention stays in the one package that imports MLflow.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlflow import MlflowClient

GC_TIMEOUT_S = 600
_IDS_PER_CALL = 200  # keeps the `--run-ids` argument well under any command-line limit


@dataclass(frozen=True)
class PurgeResult:
    """What MLflow's garbage collection did: runs purged, or why it could not run here."""

    purged: int
    skipped_reason: str | None = None


def artifact_bytes(client: MlflowClient, run_id: str) -> int:
    """Total size of a run's artefacts (every file under its artefact root)."""
    total, pending = 0, [None]
    while pending:
        path = pending.pop()
        for entry in client.list_artifacts(run_id, path):
            if entry.is_dir:
                pending.append(entry.path)
            else:
                total += int(entry.file_size or 0)
    return total


def delete_runs(client: MlflowClient, run_ids: Sequence[str]) -> list[str]:
    """Mark runs deleted (MLflow's soft delete: hidden from searches, purged by `mlflow gc`); their artefact URIs."""
    uris = []
    for run_id in run_ids:
        uris.append(client.get_run(run_id).info.artifact_uri)
        client.delete_run(run_id)
    return uris


def remove_empty_run_dirs(artifact_uris: Sequence[str]) -> None:
    """`mlflow gc` empties a local run's `<run_id>/artifacts` but leaves `<run_id>/`: remove it when empty."""
    for uri in artifact_uris:
        if not uri or not uri.startswith("file:"):
            continue
        run_dir = Path(urllib.parse.urlparse(uri).path).parent
        for leftover in (run_dir / "artifacts", run_dir):
            try:
                leftover.rmdir()  # only ever removes an empty directory
            except OSError:
                pass


def purge_deleted(backend_uri: str, run_ids: Sequence[str], *, artifacts_destination: str | None = None) -> PurgeResult:
    """Run `mlflow gc` on the backend store for `run_ids`: their rows and artefacts are removed for good.

    A tracking server's backend store is not reachable from here; then the runs stay soft-deleted
    and `mlflow gc` must run where the server's store is.
    """
    if not run_ids:
        return PurgeResult(0)
    if backend_uri.startswith(("http://", "https://")):
        return PurgeResult(0, f"the tracking store is a server ({backend_uri}); run `mlflow gc` on its host")
    env = dict(os.environ, MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false", MLFLOW_TRACKING_URI=backend_uri)
    for start in range(0, len(run_ids), _IDS_PER_CALL):
        command = [sys.executable, "-m", "mlflow", "gc", "--backend-store-uri", backend_uri,
                   "--run-ids", ",".join(run_ids[start:start + _IDS_PER_CALL])]
        if artifacts_destination:
            command += ["--artifacts-destination", artifacts_destination]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=GC_TIMEOUT_S)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"mlflow gc failed (exit {done.returncode}): {' | '.join(tail)}")
    return PurgeResult(len(run_ids))
