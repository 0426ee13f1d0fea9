"""The MLflow layer of tunetrack: settings, the record model, tracked runs, step pipeline, queries.

This is the only package that imports `mlflow`.

Example:
    from tracker import RunKind, Tracker

    with Tracker().start_run(kind=RunKind.SOLVE, experiment="flowshop", params={"seed": 1}) as run:
        run.log_step({"iteration": 1000, "current": 1302.0, "best": 1297.0})
        run.log_metrics({"objective": 1297.0})
"""

from tracker._run import TrackedRun
from tracker._spool import flush_all as flush_tracking
from tracker._spool import store_seconds
from tracker._tracker import Tracker
from tracker._values import redact_url
from tracker.errors import RecordError, SettingsError, StoreUnavailable, TunetrackError
from tracker.redaction import redact, redact_text
from tracker.records import SCHEMA_VERSION, RunKind, RunState, Tag
from tracker.settings import TrackerSettings, load_tracker_settings

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
