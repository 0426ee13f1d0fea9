"""Opening the tracking store: created once under the store lock, probed, wrapped for outages.

Every failure to open becomes a `StoreUnavailable` whose one-line message names the setting
(`tracking.uri`) with credentials masked, never a traceback.
"""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from tracker._spool import FIRST_CONTACT_S, OUTAGE_WAIT_S, ResilientClient, is_outage
from tracker._store_lock import create_locked, sqlite_file
from tracker.errors import StoreUnavailable
from tracker.redaction import redact_text

if TYPE_CHECKING:
    from tracker._sql_writes import RunWrites


def spool_root(uri: str, artifact_root: str) -> Path:
    """Where undelivered writes wait: beside a SQLite store, else beside local artefacts, else the user cache."""
    path = sqlite_file(uri)
    if path is not None:
        return path.resolve().parent / "spool"
    if "://" not in artifact_root:
        return Path(artifact_root).expanduser().resolve().parent / "spool"
    return Path.home() / ".cache" / "tunetrack" / "spool"


_ANSWERED: set[str] = set()  # stores this process (or the runner that started it) has reached


def store_known_reachable(uri: str) -> None:
    """Mark `uri` as a store that answered before: opening it again waits out an outage instead of failing fast.

    A study's workers are started by a runner that has just used the store, so for them a store that
    does not answer is an outage to wait for, not a wrong setting.
    """
    _ANSWERED.add(uri)


def wait_for_server(uri: str, timeout_s: float | None = None) -> None:
    """Until a tracking server's `/health` answers; `StoreUnavailable` naming tracking.uri after `timeout_s`
    (default: `FIRST_CONTACT_S` for a store never reached, `OUTAGE_WAIT_S` for one that answered before)."""
    if timeout_s is None:
        timeout_s = OUTAGE_WAIT_S if uri in _ANSWERED else FIRST_CONTACT_S
    import re

    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    health = re.sub(r"^(\w+://)[^@/]*@", r"\1", uri.rstrip("/")) + "/health"  # credentials are not needed here
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(health, timeout=2) as reply:
                if reply.status == 200:
                    _ANSWERED.add(uri)
                    return
        except Exception as exc:  # noqa: BLE001 - any failure means "not answering yet"
            last = exc
        time.sleep(0.5)
    raise StoreUnavailable(
        f"tracking.uri {redact_text(uri)} does not answer after {timeout_s:.0f} s ({type(last).__name__}: "
        f"{redact_text(str(last))[:200]}); start the tracking server or change TUNETRACK_TRACKING__URI")


def open_tracking(settings) -> tuple[str, ResilientClient]:
    """The tracking URI as opened (absolute, WAL for SQLite) and its client; one-line errors naming the setting."""
    from tracker.sqlite import shared_sqlite_url

    tracking = settings.tracking
    local = [("tracking.uri", sqlite_file(tracking.uri), True)]
    if "://" not in tracking.artifact_root:
        local.append(("tracking.artifact_root", Path(tracking.artifact_root).expanduser(), False))
    for setting, path, is_file in local:
        if path is not None:
            make_directory(path.parent if is_file else path, setting, str(path))
    try:
        uri = create_locked(tracking.uri, lambda: shared_sqlite_url(tracking.uri))
    except Exception as exc:  # noqa: BLE001
        raise store_failure("tracking.uri", tracking.uri, exc) from None
    return uri, open_tracking_client(uri, tracking.artifact_root)


def make_directory(directory: Path, setting: str, shown: str) -> None:
    """Create a local store's directory, or `StoreUnavailable` naming the setting."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(f"{setting} {shown}: cannot create {directory} ({exc.strerror or exc})") from None


def open_tracking_client(uri: str, artifact_root: str) -> ResilientClient:
    """An outage-proof client on `uri`, its store created (or migrated) once, under the lock."""
    from mlflow import MlflowClient

    from tracker._sql_writes import RunWrites

    shown = redact_text(uri)
    if uri.startswith(("http://", "https://")):
        wait_for_server(uri)
        client = RunWrites(MlflowClient(tracking_uri=uri))
    else:
        try:
            client = create_locked(uri, lambda: _created(MlflowClient(tracking_uri=uri)))
        except StoreUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - one line naming the setting instead of a traceback
            raise store_failure("tracking.uri", uri, exc) from None
    resilient = ResilientClient(client, uri, spool_root(uri, artifact_root), shown_uri=shown)
    resilient._answered = True
    resilient.adopt_orphans()
    return resilient


def _created(client) -> RunWrites:
    """Build the store (creating or migrating its schema); a SQLite store's connections get tunetrack's pragmas.

    Run writes to a SQL store then go one transaction per call (`tracker._sql_writes`).
    """
    from tracker._sql_writes import run_writes
    from tracker.sqlite import tune_engine

    engine = getattr(client._tracking_client.store, "engine", None)
    if engine is not None:
        tune_engine(engine)
    return run_writes(client)


def store_failure(setting: str, url: str, exc: BaseException) -> StoreUnavailable:
    """The one-line error for a store that cannot be opened: the setting, the URL (masked), the cause."""
    return StoreUnavailable(f"{setting} {redact_text(url)}: cannot open the store ({_describe(exc)})")


def _describe(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    kind = "store did not answer" if is_outage(exc) else type(exc).__name__
    return redact_text(f"{kind}: {text[0] if text else ''}")[:300]
