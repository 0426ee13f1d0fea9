"""`tunetrack env`: the variables that point plain `mlflow`, `optuna` and optuna-dashboard at tunetrack's stores."""

from __future__ import annotations

import re
import shlex

import typer

from studies.cli._common import settings_or_exit

_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*(@)")


def register(app: typer.Typer) -> None:
    app.command("env")(env)


def hide_password(url: str) -> str:
    """`postgresql://user:***@host/db`: a password in a URL never reaches the terminal unasked."""
    return _PASSWORD.sub(r"\1***\2", url)


def env(
    reveal: bool = typer.Option(False, "--reveal", help="Print passwords in URLs as they are (for `eval`)."),
) -> None:
    """Print the `export` lines for this directory's stores: `eval "$(tunetrack env)"`.

    Without them a plain `mlflow` command opens (and creates) its own ./mlflow.db, and `optuna`
    needs `--storage` on every call.
    """
    settings = settings_or_exit().resolved()
    shown = (lambda url: url) if reveal else hide_password
    tracking, storage = shown(settings.tracking.uri), shown(settings.studies.storage)
    lines = [
        "# tunetrack's stores, as absolute URLs (relative defaults depend on the directory)",
        f"export MLFLOW_TRACKING_URI={shlex.quote(tracking)}",
        f"export OPTUNA_STORAGE={shlex.quote(storage)}",
        f"export TUNETRACK_TRACKING__URI={shlex.quote(tracking)}",
        f"export TUNETRACK_TRACKING__ARTIFACT_ROOT={shlex.quote(settings.tracking.artifact_root)}",
        f"export TUNETRACK_STUDIES__STORAGE={shlex.quote(storage)}",
    ]
    if not tracking.startswith(("http://", "https://")):
        lines.append(f"export MLFLOW_BACKEND_STORE_URI={shlex.quote(tracking)}  # read by `mlflow server` / `mlflow ui`")
    lines += [
        "# then: mlflow runs list --experiment-id ID | optuna studies | optuna-dashboard \"$OPTUNA_STORAGE\"",
    ]
    if not reveal and (tracking != settings.tracking.uri or storage != settings.studies.storage):
        lines.append("# passwords are shown as ***; `tunetrack env --reveal` prints them for eval")
    typer.echo("\n".join(lines))
