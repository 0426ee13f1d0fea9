"""An objective for the cluster tests; importable by Dask worker processes (PYTHONPATH = the repository)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def sleepy_with_artefact(ctx, seconds: float = 0.25, steps: int = 4, pid_dir: str | None = None) -> float:
    """Writes `<pid>-<trial>` to `pid_dir` as it starts, sleeps `steps` x `seconds`, logs a small artefact."""
    if pid_dir:
        Path(pid_dir).mkdir(parents=True, exist_ok=True)
        (Path(pid_dir) / f"{os.getpid()}-{ctx.number}").write_text(str(os.getpid()))
    x = ctx.suggest_float("x", 0.0, 1.0)
    for step in range(steps):
        time.sleep(seconds)
        ctx.report(x, step)
    ctx.run.log_text(f"trial {ctx.number} ran in process {os.getpid()}\n", "where.txt")
    return x
