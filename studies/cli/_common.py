"""Helpers every command shares: loading settings, printing errors, JSON output."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.console import Console

from studies.settings import Settings, load_settings
from tracker import TunetrackError

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `message` (credentials masked, shown literally) to stderr and leave with a non-zero exit code."""
    from rich.markup import escape

    from tracker.redaction import redact_text

    errors.print(f"[bold red]error:[/] {escape(redact_text(message))}", highlight=False)
    raise typer.Exit(code)


def settings_or_exit(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except TunetrackError as exc:
        fail(str(exc))


def print_json(obj: Any) -> None:
    """One JSON object on stdout, nothing else (for scripts and agents); credentials masked."""
    from tracker.redaction import redact

    typer.echo(json.dumps(redact(obj), default=str))
