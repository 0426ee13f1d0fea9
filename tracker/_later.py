"""Calls due later, run by one daemon thread per process: no thread started per run."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_due: list[tuple[float, int, Callable[[], None]]] = []
_order = itertools.count()
_wake = threading.Condition()
_thread: threading.Thread | None = None


def later(delay_s: float, call: Callable[[], None]) -> None:
    """Run `call()` after `delay_s` seconds in the shared thread (a call that finds nothing to do returns)."""
    global _thread
    with _wake:
        heapq.heappush(_due, (time.monotonic() + delay_s, next(_order), call))
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="tunetrack-later", daemon=True)
            _thread.start()
        _wake.notify()


def _loop() -> None:
    while True:
        with _wake:
            while not _due or _due[0][0] > time.monotonic():
                _wake.wait(_due[0][0] - time.monotonic() if _due else None)
            _, _, call = heapq.heappop(_due)
        try:
            call()
        except Exception as exc:  # one failed call never stops the others
            log.warning("a deferred tracking call failed: %s", exc)
