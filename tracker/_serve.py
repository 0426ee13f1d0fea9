"""The process behind `tracker.server.start_server`: MLflow's tracking server, started in one process.

`mlflow server` imports MLflow in a first process, which creates the stores and then starts
uvicorn in a second process that imports MLflow again: the start-up is paid twice, one after
the other. This does what that command does for tunetrack's case (a backend store, proxied
artefacts, one worker, no job runner) in one process: it creates the store (under tunetrack's
store lock, with MLflow's own `initialize_backend_stores`), hands MLflow's server its settings
through the environment variables `mlflow server` sets (MLflow's names, imported, not copied),
and runs uvicorn on MLflow's FastAPI app with one worker and no reload.

    python -m tracker._serve --backend-store-uri URI --artifacts-destination URI --host H --port P
"""

from __future__ import annotations

import argparse
import gc
import os
import uuid


def server_environment(backend_uri: str, artifacts_destination: str) -> dict[str, str]:
    """The environment `mlflow server --backend-store-uri B --artifacts-destination A --workers 1` gives its workers."""
    from mlflow.environment_variables import (
        _MLFLOW_IN_JOB_EXECUTOR,
        _MLFLOW_SERVER_BOOT_ID,
        _MLFLOW_SGI_NAME,
        MLFLOW_ENABLE_WORKSPACES,
    )
    from mlflow.server import constants
    from mlflow.utils.server_cli_utils import resolve_default_artifact_root

    return {
        constants.BACKEND_STORE_URI_ENV_VAR: backend_uri,
        constants.REGISTRY_STORE_URI_ENV_VAR: backend_uri,
        constants.ARTIFACT_ROOT_ENV_VAR: resolve_default_artifact_root(True, None, backend_uri),
        constants.SERVE_ARTIFACTS_ENV_VAR: "true",
        constants.ARTIFACTS_DESTINATION_ENV_VAR: artifacts_destination,
        MLFLOW_ENABLE_WORKSPACES.name: "false",
        _MLFLOW_SERVER_BOOT_ID.name: uuid.uuid4().hex,
        _MLFLOW_IN_JOB_EXECUTOR.name: "false",
        _MLFLOW_SGI_NAME.name: "uvicorn",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tracker._serve", description=__doc__.splitlines()[0])
    parser.add_argument("--backend-store-uri", required=True)
    parser.add_argument("--artifacts-destination", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    gc.disable()  # importing the server's ~2,500 modules makes no garbage worth walking them for

    environment = server_environment(args.backend_store_uri, args.artifacts_destination)
    os.environ.update(environment)
    from mlflow.server.constants import ARTIFACT_ROOT_ENV_VAR
    from mlflow.server.handlers import initialize_backend_stores

    from tracker._store_lock import create_locked

    backend = args.backend_store_uri
    create_locked(backend, lambda: initialize_backend_stores(  # creates or migrates the schema
        backend, backend, environment[ARTIFACT_ROOT_ENV_VAR]))

    import mlflow.server.fastapi_app  # noqa: F401 - imported here, before collection resumes
    import uvicorn

    gc.freeze()  # the start-up heap is kept for good and never walked again
    gc.enable()
    uvicorn.run("mlflow.server.fastapi_app:app", host=args.host, port=args.port, workers=1, log_level="warning")


if __name__ == "__main__":
    main()
