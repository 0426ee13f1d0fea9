"""Tracking writes that outlive a store outage: retries with backoff, then a local spool replayed later.

`ResilientClient` stands in front of an `MlflowClient`:
* writes (`log_batch`, `set_terminated`, `log_artifact`, ...) are retried a few times with
  backoff; if the store still does not answer they go to an on-disk spool, in order, and every
  later write follows them there until a background thread has replayed the spool;
* calls that need an answer (`create_run`, reads) wait with backoff while a store that answered
  before is down (up to `OUTAGE_WAIT_S`); a store that never answered fails at once with a
  message naming `tracking.uri`;
* time a thread spends in tracking calls is counted (`store_seconds()`), so a trial's cost can
  leave it out: nobody is billed for a tracking outage.
A spool left by a process that died is adopted and replayed by the next one on the same store.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tracker.errors import StoreUnavailable

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"log_batch", "finish_run", "set_terminated", "log_artifact", "set_tag", "update_run",
                           "delete_tag"})
WRITE_RETRIES_S = (0.5, 1.0, 2.0)  # then spool
OUTAGE_WAIT_S = 600.0
FIRST_CONTACT_S = 10.0
REPLAY_POLL_S = 1.0
EXIT_FLUSH_S = 30.0

_OUTAGE_MARKERS = (
    "connection refused", "max retries exceeded", "failed to establish a new connection", "connection aborted",
    "connection reset", "remote end closed", "temporarily unavailable", "could not connect", "timed out",
    "name or service not known", "server closed the connection", "bad gateway", "service unavailable",
    "gateway timeout", "connectionerror", "response ended prematurely", "database is locked",
    "connection to server", "ssl syscall", "broken pipe",
)

_local = threading.local()


# ---- billing ---------------------------------------------------------------------------
def store_seconds() -> float:
    """Seconds this thread has spent in tracking calls (a trial's cost leaves them out)."""
    return getattr(_local, "seconds", 0.0)


@contextlib.contextmanager
def counted() -> Iterator[None]:
    """Count the time of the block as tracking time of this thread (the outermost block only)."""
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    started = time.monotonic()
    try:
        yield
    finally:
        _local.depth = depth
        if depth == 0:
            _local.seconds = store_seconds() + time.monotonic() - started


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says the store did not answer (as opposed to refusing the request)."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    name = type(exc).__name__
    text = f"{name}: {exc}".lower()
    return any(marker in text for marker in _OUTAGE_MARKERS)


# ---- the spool on disk ---------------------------------------------------------------------
class Spool:
    """Writes that could not be delivered, in order: `ops.jsonl` plus copies of artefact files."""

    def __init__(self, root: Path, uri: str, directory: Path | None = None) -> None:
        self.root = root
        self.uri = uri
        self.dir = directory or root / f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._ops: list[dict[str, Any]] = []
        self._done = 0
        self.lock = threading.RLock()
        if directory is not None:
            self._load()

    def _load(self) -> None:
        ops = self.dir / "ops.jsonl"
        if ops.exists():
            self._ops = [json.loads(line) for line in ops.read_text().splitlines() if line.strip()]
        progress = self.dir / "progress"
        self._done = int(progress.read_text() or 0) if progress.exists() else 0

    def __len__(self) -> int:
        return len(self._ops) - self._done

    def append(self, op: dict[str, Any]) -> None:
        with self.lock:
            if not self.dir.exists():
                self.dir.mkdir(parents=True)
                (self.dir / "meta.json").write_text(json.dumps({"uri": self.uri, "pid": os.getpid(),
                                                                "host": socket.gethostname()}))
            if op["method"] == "log_artifact":
                files = self.dir / "files" / uuid.uuid4().hex[:12]
                files.mkdir(parents=True)
                source = Path(op["local_path"])
                target = files / source.name
                shutil.copytree(source, target) if source.is_dir() else shutil.copy2(source, target)
                op = {**op, "local_path": str(target)}
            self._ops.append(op)
            with open(self.dir / "ops.jsonl", "a") as handle:
                handle.write(json.dumps(op) + "\n")

    def head(self) -> dict[str, Any] | None:
        with self.lock:
            return self._ops[self._done] if len(self) else None

    def pop(self) -> None:
        with self.lock:
            self._done += 1
            if len(self):
                (self.dir / "progress").write_text(str(self._done))
            else:
                shutil.rmtree(self.dir, ignore_errors=True)
                self._ops, self._done = [], 0

    @classmethod
    def orphans(cls, root: Path, uri: str) -> list["Spool"]:
        """Spools of dead processes on this host for the same store."""
        found = []
        if not root.is_dir():
            return found
        for directory in sorted(root.iterdir()):
            try:
                meta = json.loads((directory / "meta.json").read_text())
            except (OSError, ValueError):
                continue
            if meta.get("uri") != uri or meta.get("host") != socket.gethostname() or _alive(meta.get("pid")):
                continue
            claimed = directory.with_name(directory.name + f".adopted-{os.getpid()}")
            try:
                directory.rename(claimed)  # atomic: one process adopts it
            except OSError:
                continue
            found.append(cls(root, uri, claimed))
        return found


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{int(pid)}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return True


def _encode(method: str, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    names = {
        "log_batch": ("run_id", "metrics", "params", "tags"),
        "finish_run": ("run_id", "metrics", "params", "tags", "status", "end_time"),
        "set_terminated": ("run_id", "status", "end_time"),
        "log_artifact": ("run_id", "local_path", "artifact_path"),
        "set_tag": ("run_id", "key", "value"),
        "update_run": ("run_id", "status", "name"),
        "delete_tag": ("run_id", "key"),
    }[method]
    values = dict(zip(names, args, strict=False)) | kwargs
    op: dict[str, Any] = {"method": method}
    for key, value in values.items():
        if key == "metrics":
            value = [[m.key, m.value, m.timestamp, m.step] for m in value or []]
        elif key in ("params", "tags"):
            value = [[e.key, e.value] for e in value or []]
        op[key] = value
    return op


def _decode(op: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    from mlflow.entities import Metric, Param, RunTag

    kwargs = {k: v for k, v in op.items() if k != "method"}
    if op["method"] in ("log_batch", "finish_run"):
        kwargs["metrics"] = [Metric(k, v, t, s) for k, v, t, s in kwargs.get("metrics") or []]
        kwargs["params"] = [Param(k, v) for k, v in kwargs.get("params") or []]
        kwargs["tags"] = [RunTag(k, v) for k, v in kwargs.get("tags") or []]
    return op["method"], kwargs


# ---- the client --------------------------------------------------------------------------
class ResilientClient:
    """An `MlflowClient` whose writes survive an outage and whose waits are counted (see module doc)."""

    def __init__(self, client: Any, uri: str, spool_root: Path, *, shown_uri: str | None = None) -> None:
        self._client = client
        self._uri = uri
        self._shown = shown_uri or uri
        self._spool = Spool(spool_root, uri)
        self._adopted: list[Spool] = []
        self._answered = False
        self._replayer: threading.Thread | None = None
        self._wake = threading.Event()
        self._spool_root = spool_root
        _CLIENTS.append(self)

    # passthrough for anything not wrapped
    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr) or name.startswith("_"):
            return attr
        if name in WRITE_METHODS:
            return lambda *a, **k: self._write(name, attr, a, k)
        return lambda *a, **k: self._call(name, attr, a, k)

    @property
    def pending(self) -> int:
        """Writes waiting in the spool (this process's and adopted ones)."""
        return len(self._spool) + sum(len(s) for s in self._adopted)

    def adopt_orphans(self) -> None:
        """Take over the spools dead processes left for this store; replay them in the background."""
        self._adopted.extend(Spool.orphans(self._spool_root, self._uri))
        if self._adopted:
            log.warning("replaying %d tracking writes left by stopped processes", self.pending)
            self._start_replay()

    def _call(self, name: str, method: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
        """A call that needs an answer: wait while a store that answered before is down."""
        with counted():
            deadline = time.monotonic() + (OUTAGE_WAIT_S if self._answered else FIRST_CONTACT_S)
            delay = 0.5
            while True:
                try:
                    result = method(*args, **kwargs)
                    self._answered = True
                    return result
                except Exception as exc:
                    if not is_outage(exc):
                        raise
                    if time.monotonic() + delay > deadline:
                        raise StoreUnavailable(
                            f"tracking.uri {self._shown} does not answer ({_first_line(exc)}); "
                            "start the tracking server or change TUNETRACK_TRACKING__URI") from None
                    log.warning("tracking store %s does not answer (%s); retrying in %.1f s",
                                self._shown, name, delay)
                    time.sleep(delay)
                    delay = min(delay * 2, 10.0)

    def _write(self, name: str, method: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
        with counted():
            with self._spool.lock:
                if len(self._spool):
                    self._spool.append(_encode(name, args, kwargs))
                    return None
            for delay in (*WRITE_RETRIES_S, None):
                try:
                    result = method(*args, **kwargs)
                    self._answered = True
                    return result
                except Exception as exc:
                    if not is_outage(exc):
                        raise
                    if delay is None:
                        log.warning("tracking store %s does not answer; %s kept in the local spool %s",
                                    self._shown, name, self._spool.dir)
                        with self._spool.lock:
                            self._spool.append(_encode(name, args, kwargs))
                        self._start_replay()
                        return None
                    time.sleep(delay)

    # ---- replay ------------------------------------------------------------------------
    def _start_replay(self) -> None:
        if self._replayer is None or not self._replayer.is_alive():
            self._replayer = threading.Thread(target=self._replay_loop, name="tunetrack-spool", daemon=True)
            self._replayer.start()
        self._wake.set()

    def _replay_loop(self) -> None:
        while self.pending:
            if not self.replay_once():
                self._wake.wait(REPLAY_POLL_S)
                self._wake.clear()

    def replay_once(self) -> bool:
        """Send spooled writes in order until one fails; True when everything was sent."""
        for spool in (*self._adopted, self._spool):
            while True:
                op = spool.head()
                if op is None:
                    break
                method, kwargs = _decode(op)
                try:
                    getattr(self._client, method)(**kwargs)
                except Exception as exc:
                    if is_outage(exc):
                        return False
                    log.warning("dropping a spooled %s the store refuses: %s", method, _first_line(exc))
                spool.pop()
        self._adopted = [s for s in self._adopted if len(s)]
        return True

    def flush(self, timeout_s: float = EXIT_FLUSH_S) -> int:
        """Try to send what is spooled within `timeout_s`; returns the writes still pending."""
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            if not self.replay_once():
                time.sleep(REPLAY_POLL_S)
        return self.pending


def _first_line(exc: BaseException) -> str:
    from tracker.redaction import redact_text

    text = str(exc).strip().splitlines()
    return redact_text(f"{type(exc).__name__}: {text[0] if text else ''}")[:300]


_CLIENTS: list[ResilientClient] = []


def flush_all(timeout_s: float = EXIT_FLUSH_S) -> int:
    """Send every spooled write of this process (at exit); returns how many are still pending."""
    left = 0
    for client in list(_CLIENTS):
        if client.pending:
            left += client.flush(timeout_s)
            if client.pending:
                print(f"tunetrack: {client.pending} tracking writes for {client._shown} are kept in "
                      f"{client._spool.dir}; the next tunetrack command on this store sends them", file=sys.stderr)
    return left


atexit.register(flush_all)
