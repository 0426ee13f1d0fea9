"""The audit trail of agent tool calls: per MCP session one run in the `agents` experiment, per call a row.

A row holds the tool, its arguments after redaction (secret-named keys and passwords in URLs),
the outcome (`ok` or the error kind), the duration and the study it touched. The table is
rewritten as `audit/calls.csv` on the session run after every call and the counts are metrics,
so an agent's decisions can be read back (`tunetrack agent log`) and replayed.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from studies.settings import Settings
from tracker import RunKind, RunState, Tag

if TYPE_CHECKING:
    from tracker import Tracker
from tracker.records import AGENTS_EXPERIMENT, AUDIT_ARTIFACT

log = logging.getLogger(__name__)

REDACTED = "***"
_SECRET_WORDS = ("password", "passwd", "secret", "token", "api_key", "apikey", "access_key", "credential", "authorization")
# scheme://user:password@host, also as a path collapsed it (scheme:/user:password@host)
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*:/{1,2}[^:/@\s]*:)[^@\s/]*@")
COLUMNS = ("call", "at", "tool", "arguments", "outcome", "error", "duration_ms", "study")


def redact(value: Any, key: str = "") -> Any:
    """`value` with every secret-named key's value and every password in a URL replaced by '***'."""
    if key and any(word in key.lower() for word in _SECRET_WORDS) and value is not None:
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _URL_PASSWORD.sub(lambda m: m.group("head") + REDACTED + "@", value)
    return value


def touched_study(arguments: Mapping[str, Any]) -> str:
    """The study (or plan) a call was about, from its arguments."""
    for key in ("name", "study", "plan"):
        if isinstance(arguments.get(key), str):
            return arguments[key]
    names = arguments.get("names")
    return ",".join(map(str, names)) if isinstance(names, list) else ""


class AuditTrail:
    """The calls of one session; the session run is opened at the first call (client known by then)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._tracker: Tracker | None = None
        self._lock = threading.Lock()
        self.run_id: str | None = None
        self.rows: list[dict[str, Any]] = []

    def record(self, tool: str, arguments: Mapping[str, Any], output: Any, duration_s: float,
               client: tuple[str, str] | None = None) -> None:
        """Add one call; never raises (an audit failure is logged, the tool's answer still goes out)."""
        try:
            with self._lock:
                self._record(tool, arguments, output, duration_s, client)
        except Exception:  # noqa: BLE001 - auditing must not break the tool call it records
            log.warning("could not record the audit row of %s", tool, exc_info=True)

    def _record(self, tool, arguments, output, duration_s, client) -> None:
        error = getattr(output, "error", None)
        ok = bool(getattr(output, "ok", False))
        row = {
            "call": len(self.rows) + 1,
            "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "tool": tool,
            "arguments": json.dumps(redact(dict(arguments)), sort_keys=True, default=str),
            "outcome": "ok" if ok else (getattr(error, "kind", None) or "error"),
            "error": "" if error is None else str(redact(error.message))[:500],
            "duration_ms": round(duration_s * 1000.0, 1),
            "study": touched_study(arguments),
        }
        self.rows.append(row)
        tracker = self._session(client)
        with_outcome = [r["outcome"] for r in self.rows]
        tracker.log_metrics(self.run_id, {
            "calls": len(self.rows), "calls_ok": with_outcome.count("ok"),
            "calls_error": len(self.rows) - with_outcome.count("ok"), "last_duration_ms": row["duration_ms"],
        }, step=len(self.rows))
        tracker.log_text(self.run_id, table_csv(self.rows), AUDIT_ARTIFACT)

    def _session(self, client: tuple[str, str] | None) -> Tracker:
        if self._tracker is None:
            from tracker import Tracker  # MLflow: at the first call, not when the server starts

            self._tracker = Tracker(self._settings)
        if self.run_id is None:
            name, version = client or ("unknown", "")
            run = self._tracker.start_run(
                kind=RunKind.AGENT_SESSION, experiment=AGENTS_EXPERIMENT,
                run_name=f"{name} {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S}",
                params={"client_name": name, "client_version": version},
                tags={Tag.AGENT_CLIENT: f"{name} {version}".strip(), Tag.STATE: RunState.RUNNING.value},
            )
            self.run_id = run.run_id
        return self._tracker

    def close(self) -> None:
        """End the session run (FINISHED); a session without calls leaves no run."""
        if self.run_id is not None and self._tracker is not None:
            try:
                self._tracker.end_run(self.run_id, RunState.COMPLETE)
            except Exception:  # noqa: BLE001
                log.warning("could not close the agent session run %s", self.run_id, exc_info=True)


def table_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read_log(settings: Settings, study: str | None = None):
    """Every recorded call of every session, oldest first, as a DataFrame (optionally only one study's)."""
    import pandas as pd

    from tracker import Tracker

    tracker = Tracker(settings)
    sessions = tracker.runs(AGENTS_EXPERIMENT, kind=RunKind.AGENT_SESSION)
    frames = []
    for _, session in sessions.iterrows():
        text = tracker.read_text(session["run_id"], AUDIT_ARTIFACT)
        if text is None:
            continue
        frame = pd.read_csv(io.StringIO(text), dtype={"study": str, "error": str}, keep_default_na=False)
        frame.insert(0, "session", session["run_id"])
        frame.insert(1, "client", session.get(f"tags.{Tag.AGENT_CLIENT.value}", ""))
        frames.append(frame)
    columns = ["session", "client", *COLUMNS]
    if not frames:
        return pd.DataFrame(columns=columns)
    calls = pd.concat(frames, ignore_index=True).sort_values(["at", "call"]).reset_index(drop=True)
    if study:
        calls = calls[calls["study"].astype(str).str.split(",").map(lambda names: study in names)]
    return calls.reset_index(drop=True)


def now() -> float:
    return time.perf_counter()
