"""The "other core busy" condition of the benchmarks: one busy-loop process on the last core."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator


def start_spinner() -> subprocess.Popen[bytes]:
    """A process that keeps one core busy (the last one this process may use)."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > 1:
        os.sched_setaffinity(spinner.pid, {cores[-1]})
    time.sleep(0.2)  # let it reach full speed
    return spinner


def stop_spinner(spinner: subprocess.Popen[bytes]) -> None:
    spinner.kill()
    spinner.wait()


@contextlib.contextmanager
def other_core_busy() -> Iterator[None]:
    """Run the block with the spinner going; it is stopped however the block ends."""
    spinner = start_spinner()
    try:
        yield
    finally:
        stop_spinner(spinner)
