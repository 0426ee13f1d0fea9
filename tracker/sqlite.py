"""SQLite store URLs in one place: what path a URL names, making it absolute, fitting it for many processes.

Both of tunetrack's stores may be SQLite files (MLflow's tracking store and Optuna's study
storage), written at once by a study's runner, its workers and readers (the UI, an agent).

Example:
    >>> sqlite_path("sqlite:////tmp/tt/studies.db?timeout=5")
    PosixPath('/tmp/tt/studies.db')
    >>> sqlite_path("postgresql://db-host/studies") is None
    True
    >>> absolute_sqlite_url("sqlite:///:memory:")
    'sqlite:///:memory:'
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

SCHEME = "sqlite:///"
SQLITE_BUSY_TIMEOUT_S = 120


def is_sqlite(url: str) -> bool:
    return url.startswith(SCHEME)


def sqlite_path(url: str) -> Path | None:
    """The database file a `sqlite:///` URL names (None for other URLs and in-memory databases)."""
    if not is_sqlite(url):
        return None
    path = url.removeprefix(SCHEME).partition("?")[0]
    if path in ("", ":memory:"):
        return None
    return Path(path).expanduser()


def absolute_sqlite_url(url: str) -> str:
    """`sqlite:///relative.db` resolved against the current directory (other URLs unchanged).

    Relative SQLite URLs mean "relative to where the command runs"; resolving them once keeps
    that meaning even if the process changes directory or a library caches stores by URL.
    """
    path = sqlite_path(url)
    if path is None:
        return url
    query = url.partition("?")[2]
    resolved = SCHEME + str(path.resolve())
    return f"{resolved}?{query}" if query else resolved


def ensure_parent_dir(url: str) -> None:
    """Create the directory of a SQLite URL's file (nothing for other URLs)."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def apply_pragmas(dbapi_connection: Any) -> None:
    """WAL (readers beside the writer), NORMAL sync, and a busy timeout so a writer waits instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    apply_pragmas(dbapi_connection)


def tune_engine(engine: Any) -> None:
    """Give every later connection of a SQLite SQLAlchemy `engine` the pragmas above (others: nothing).

    MLflow opens its store with SQLite's default FULL sync, which syncs the WAL to disk at every
    commit: a trial's few runs writes then wait on the disk. NORMAL syncs at checkpoints only; a
    killed process loses nothing committed (a power cut may lose the last commits, never the file).
    """
    import sqlalchemy

    if engine.dialect.name != "sqlite" or sqlalchemy.event.contains(engine, "connect", _on_connect):
        return
    sqlalchemy.event.listen(engine, "connect", _on_connect)
    engine.dispose()  # connections already pooled are closed; later ones get the pragmas


def shared_sqlite_url(url: str) -> str:
    """A SQLite store URL fit for several processes: absolute, WAL mode, a long busy timeout.

    MLflow opens SQLite with Python's default 5 s busy timeout, and a study's workers, its
    runner and a reader (the UI, an agent) write the same file; under load a writer then fails
    with "database is locked". WAL lets readers run beside the writer and persists in the
    file; the timeout (a pysqlite URL argument) makes a writer wait instead of failing.
    Other URLs are returned unchanged.
    """
    url = absolute_sqlite_url(url)
    path = sqlite_path(url)
    if path is None:
        return url
    path.parent.mkdir(parents=True, exist_ok=True)
    import sqlite3

    with contextlib.closing(sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    query = url.partition("?")[2]
    if "timeout=" in query:
        return url
    return f"{url}{'&' if query else '?'}timeout={SQLITE_BUSY_TIMEOUT_S}"
