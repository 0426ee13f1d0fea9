"""Python's cyclic garbage collector around a command: paused while it starts, not run again at exit.

A command imports thousands of modules (MLflow alone is 1,800) as it starts, and every full
collection walks all of their objects, for garbage that importing does not make; the
interpreter's own collections at exit walk them all once more. On `tunetrack solve ...
--iterations 1000` the two cost about as much CPU as importing MLflow does (see
`benchmarks/startup.py`). So the collector pauses for the first `START_UP_S` seconds of a
command; then what exists is frozen (`gc.freeze`: kept, never walked again) and collection
resumes for the rest of a long command (a worker, a server). At exit, once output and stores
are flushed, the heap is frozen again so the interpreter does not walk it: as Python documents,
objects still alive at exit are not guaranteed to be finalised, and every command closes what it
opens itself.
"""

from __future__ import annotations

import gc
import os
import sys
import threading

START_UP_S = 10.0  # longer than any command takes to import what it needs, even on busy cores


def pause_during_start_up() -> None:
    """Stop collecting now; collection resumes after `START_UP_S` (and at once in a forked child)."""
    gc.disable()
    timer = threading.Timer(START_UP_S, resume)
    timer.daemon = True
    timer.start()
    os.register_at_fork(after_in_child=resume)  # a forked child has no timer thread


def resume() -> None:
    """Freeze what start-up made and collect again from here on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def skip_at_exit() -> None:
    """Flush the standard streams and freeze the heap, so that the interpreter's exit does not walk it."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken (a pipe whose reader left)
            pass
    gc.freeze()
