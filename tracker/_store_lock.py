"""One inter-process lock around creating and migrating a store (MLflow's or Optuna's).

Several processes opening the same *new* store at once race the schema migration: all but
one fail, and an interrupted SQLite batch migration leaves `_alembic_tmp_*` tables behind that
break the store for good. Whoever opens a store holds this lock while the schema is created:
SQLite takes an advisory file lock beside the database (`<file>.init.lock`), PostgreSQL a
session advisory lock; a tracking server migrates its own schema, so clients only retry until
it answers (see `tracker._spool`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

LOCK_SUFFIX = ".init.lock"
LOCK_TIMEOUT_S = 300.0


def sqlite_file(url: str) -> Path | None:
    """The database file of a `sqlite:///` URL (None for other URLs and in-memory databases)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").partition("?")[0]
    return None if path in ("", ":memory:") else Path(path).expanduser()


def _pg_key(url: str) -> int:
    return int.from_bytes(hashlib.sha1(f"tunetrack-init:{url}".encode()).digest()[:7], "big")


@contextlib.contextmanager
def store_lock(url: str, *, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the store-creation lock of `url` (SQLite file lock, PostgreSQL advisory lock, else none)."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + LOCK_SUFFIX), "a+") as handle:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"another process holds {handle.name} for more than {timeout_s:.0f} s") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    if url.startswith(("postgresql", "postgres")):
        import sqlalchemy

        engine = sqlalchemy.create_engine(url.split("?")[0] if "timeout=" in url else url, poolclass=sqlalchemy.pool.NullPool)
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({_pg_key(url)})")
                try:
                    yield
                finally:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_pg_key(url)})")
        finally:
            engine.dispose()
        return
    yield


def drop_interrupted_migration(url: str) -> list[str]:
    """Drop `_alembic_tmp_*` tables an interrupted SQLite batch migration left behind (call under the lock)."""
    path = sqlite_file(url)
    if path is None or not path.exists():
        return []
    import sqlite3

    with contextlib.closing(sqlite3.connect(path, timeout=120)) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '\\_alembic\\_tmp\\_%' ESCAPE '\\'")]
        for name in names:
            connection.execute(f'DROP TABLE "{name}"')
        connection.commit()
    return names


def create_locked(url: str, create: Callable[[], T]) -> T:
    """`create()` (which creates or migrates the store at `url`) under the store's lock."""
    with store_lock(url):
        drop_interrupted_migration(url)
        return create()
