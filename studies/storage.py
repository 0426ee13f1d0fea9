"""Optuna RDB storage for studies, tuned for several worker processes on one machine or many.

SQLite (the default) runs in WAL mode with a long busy timeout, so readers never block the
writer and a writer waits instead of failing with "database is locked"; PostgreSQL is the
answer past one machine. Heartbeats let a live worker fail the trials of a dead one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import inspect
from collections.abc import Callable, Iterator

import optuna
import sqlalchemy
from optuna.storages import RDBStorage
from optuna.trial import FrozenTrial

from studies.settings import DEFAULT_HEARTBEAT_GRACE_S, HEARTBEAT_INTERVAL_S
from tracker._store_lock import create_locked
from tracker._stores import make_directory, store_failure
from tracker.errors import StoreUnavailable
from tracker.redaction import redact_text
from tracker.sqlite import SQLITE_BUSY_TIMEOUT_S, absolute_sqlite_url, apply_pragmas, sqlite_path, tune_engine

# Optuna 4.9 renamed the stale-trial callback argument.
_STALE_CALLBACK_ARG = (
    "heartbeat_stale_trial_callback"
    if "heartbeat_stale_trial_callback" in inspect.signature(RDBStorage.__init__).parameters
    else "failed_trial_callback"
)


def get_storage(
    url: str,
    *,
    heartbeat_interval: int | None = HEARTBEAT_INTERVAL_S,
    grace_period: int | None = DEFAULT_HEARTBEAT_GRACE_S,
    failed_trial_callback: Callable[[optuna.Study, FrozenTrial], None] | None = None,
) -> RDBStorage:
    """An RDB storage for `url`, creating the SQLite file's directory when needed."""
    url = absolute_sqlite_url(url)
    try:
        return create_locked(url, lambda: _open(url, heartbeat_interval, grace_period, failed_trial_callback))
    except StoreUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - one line naming the setting instead of a traceback
        raise store_failure("studies.storage", url, exc) from None


def _open(url: str, heartbeat_interval, grace_period, failed_trial_callback) -> RDBStorage:
    engine_kwargs: dict = {}
    path = sqlite_path(url)
    if path is not None:
        make_directory(path.parent, "studies.storage", redact_text(url))
        engine_kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
        with contextlib.closing(sqlalchemy.create_engine(url).raw_connection()) as raw:  # WAL before Optuna's engine
            apply_pragmas(raw.driver_connection)
    else:
        engine_kwargs["pool_pre_ping"] = True
    storage = RDBStorage(
        url,
        engine_kwargs=engine_kwargs,
        heartbeat_interval=heartbeat_interval,
        grace_period=grace_period,
        **{_STALE_CALLBACK_ARG: failed_trial_callback},
    )
    tune_engine(storage.engine)
    return storage


@contextlib.contextmanager
def study_lock(url: str, study_name: str) -> Iterator[None]:
    """Serialise short critical sections (reserving a trial slot) among a study's workers.

    SQLite: an advisory file lock next to the database (one machine). PostgreSQL: a
    transaction-scoped advisory lock (any number of hosts). Other backends: no lock.
    """
    url = absolute_sqlite_url(url)
    path = sqlite_path(url)
    if path is not None:
        lock_path = path.with_name(path.name + f".{_key(study_name) & 0xFFFF:04x}.lock")
        with open(lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    if url.startswith("postgresql"):
        engine = _engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_key(study_name)})")
            yield
        return
    yield


_ENGINES: dict[str, sqlalchemy.Engine] = {}


def _engine(url: str) -> sqlalchemy.Engine:
    if url not in _ENGINES:
        _ENGINES[url] = sqlalchemy.create_engine(url, pool_size=1, pool_pre_ping=True)
    return _ENGINES[url]


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha1(name.encode()).digest()[:7], "big")
