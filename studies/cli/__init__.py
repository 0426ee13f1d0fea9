"""The `tunetrack` command line: each submodule registers its commands on one Typer app.

Commands parse flags, call one library function and render the result; the logic lives in
`tracker`, `solvers` and `studies`.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="tunetrack",
    help="Track and tune metaheuristic solvers with MLflow and Optuna.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Each module defines `register(app)`; the order is the order of `tunetrack --help`.
_COMMAND_MODULES = ("_tracking", "_env", "_solve", "_warmup", "_study", "_monitor", "_gc", "_agent", "_plan", "_report")

for _name in _COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"tunetrack {version('tunetrack')}")
        except PackageNotFoundError:
            typer.echo("tunetrack (not installed)")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Track and tune metaheuristic solvers with MLflow and Optuna."""


def main() -> None:
    """Console-script entry point: exit codes, errors and signals as `studies.cli._exit` documents;
    garbage collection paused while the command starts and skipped at exit (`studies.cli._heap`)."""
    from studies.cli import _heap
    from studies.cli._exit import run

    _heap.pause_during_start_up()
    try:
        run(app)
    finally:
        _heap.skip_at_exit()
