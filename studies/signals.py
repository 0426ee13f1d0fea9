"""One signal path for every long-running command: SIGINT, SIGTERM and SIGHUP end it cleanly.

The first of these signals becomes a `KeyboardInterrupt` in the main thread, which every
command already turns into a clean stop (trials interrupted and failed, MLflow runs closed
KILLED, workers told to stop and joined, the study's state recorded); later signals are
ignored while that cleanup runs, so a second Ctrl+C or a supervisor's repeated SIGTERM cannot
cut it short. The process then exits with `128 + signal number`: 130 for SIGINT, 143 for
SIGTERM, 129 for SIGHUP (what shells, systemd, Docker and Kubernetes expect).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_received: int | None = None
_deferring = 0  # depth of `deferred()` blocks on the main thread
_held = False  # a signal arrived inside a `deferred()` block and is raised when it ends


def received() -> int | None:
    """The first stop signal this process received, if any."""
    return _received


def exit_code(default: int = 130) -> int:
    """`128 + signal number` of the signal received (130 when a plain KeyboardInterrupt had no signal)."""
    return 128 + _received if _received is not None else default


def _stop(signum: int, _frame: FrameType | None) -> None:
    global _received, _held
    if _received is not None:
        return  # cleaning up after the first signal: do not interrupt the cleanup
    _received = signum
    if _deferring:
        _held = True
        return
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold a stop signal until the block ends, then raise its `KeyboardInterrupt` there.

    For short steps that must not be cut in the middle: a worker creating a trial in the study
    storage and keeping its handle, so that an interrupt never leaves a trial nobody will fail.
    """
    global _deferring, _held
    if threading.current_thread() is not threading.main_thread():  # signals land on the main thread only
        yield
        return
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if not _deferring and _held:
            _held = False
            raise KeyboardInterrupt(signal.Signals(_received).name if _received else "stop")


def install() -> None:
    """Route SIGINT, SIGTERM and SIGHUP through the one handler (main thread only; idempotent)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in HANDLED:
        signal.signal(sig, _stop)


def ignore() -> None:
    """Ignore every stop signal from now on: this process's cleanup has begun.

    Called where a process starts to wind down (a worker leaving its loop, a command
    returning): a signal landing later, while threads are joined, finalisers run or the
    interpreter shuts down, would otherwise raise `KeyboardInterrupt` inside that shutdown
    and print an "Exception ignored" traceback. The exit code still reports a signal
    received before this point.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in HANDLED:
        signal.signal(sig, signal.SIG_IGN)


def reset() -> None:
    """Forget a received signal (a new process or a test)."""
    global _received, _held
    _received, _held = None, False


def stop_when_parent_dies(poll_s: float = 1.0) -> None:
    """In a spawned worker: interrupt this process if its parent (the runner) dies, even by SIGKILL.

    Without this a killed runner leaves its workers running trials for a study nobody supervises.
    """
    parent = os.getppid()

    def watch() -> None:
        while not threading.Event().wait(poll_s):
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="tunetrack-parent-watch", daemon=True).start()
