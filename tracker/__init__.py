"""The MLflow layer of tunetrack: settings, the record model, tracked runs, step pipeline, queries.

This is the only package that imports `mlflow`.

Example:
    from tracker import RunKind, Tracker

    with Tracker().start_run(kind=RunKind.SOLVE, experiment="flowshop", params={"seed": 1}) as run:
        run.log_step({"iteration": 1000, "current": 1302.0, "best": 1297.0})
        run.log_metrics({"objective": 1297.0})
"""

from typing import TYPE_CHECKING

from tracker._values import redact_url
from tracker.errors import RecordError, SettingsError, StoreUnavailable, TunetrackError
from tracker.redaction import redact, redact_text
from tracker.records import SCHEMA_VERSION, RunKind, RunState, Tag

if TYPE_CHECKING:
    from tracker._run import TrackedRun
    from tracker._spool import flush_all as flush_tracking
    from tracker._spool import store_seconds
    from tracker._tracker import Tracker
    from tracker.settings import TrackerSettings, load_tracker_settings

# Imported on first use (PEP 562): the names above cost nothing, these import MLflow or pydantic-settings,
# which a command that never records (`--help`, `--version`, the MCP handshake) should not pay for.
_LAZY = {
    "TrackedRun": ("tracker._run", "TrackedRun"),
    "Tracker": ("tracker._tracker", "Tracker"),
    "flush_tracking": ("tracker._spool", "flush_all"),
    "store_seconds": ("tracker._spool", "store_seconds"),
    "TrackerSettings": ("tracker.settings", "TrackerSettings"),
    "load_tracker_settings": ("tracker.settings", "load_tracker_settings"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'tracker' has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


__all__ = [
    "SCHEMA_VERSION",
    "RecordError",
    "RunKind",
    "RunState",
    "SettingsError",
    "StoreUnavailable",
    "Tag",
    "TrackedRun",
    "Tracker",
    "TrackerSettings",
    "TunetrackError",
    "flush_tracking",
    "load_tracker_settings",
    "redact",
    "redact_text",
    "redact_url",
    "store_seconds",
]
