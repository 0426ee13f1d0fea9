"""Objectives for the studies tests; importable by spawned worker processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import optuna


def quadratic(trial, steps: int = 3) -> float:
    """(x - 0.3)^2, reported once per step."""
    x = trial.suggest_float("x", -1.0, 1.0)
    for step in range(steps):
        trial.report((x - 0.3) ** 2 + 0.01 * (steps - step), step)
    return (x - 0.3) ** 2


def slow(trial, seconds: float = 0.3, steps: int = 4, pid_dir: str | None = None) -> float:
    """Sleeps `seconds` per step; writes this worker's pid to `pid_dir` when a trial starts."""
    if pid_dir:
        Path(pid_dir).mkdir(parents=True, exist_ok=True)
        (Path(pid_dir) / f"{os.getpid()}-{trial.number}").write_text(str(os.getpid()))
    x = trial.suggest_float("x", 0.0, 1.0)
    for step in range(steps):
        time.sleep(seconds)
        trial.report(x, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return x


def fails_once(trial, marker_dir: str) -> float:
    """Fails the first time a given x is tried, succeeds on the retry."""
    x = trial.suggest_float("x", 0.0, 1.0)
    marker = Path(marker_dir) / f"{x:.12f}"
    if not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("failed once")
        raise RuntimeError(f"transient failure for x={x}")
    return x


def always_fails(trial) -> float:
    trial.suggest_float("x", 0.0, 1.0)
    raise ValueError("this objective never works")


def per_instance(trial, instances: int = 12) -> float:
    """A racing objective: per-instance values grow with x, so large x is clearly worse."""
    x = trial.suggest_float("x", 0.0, 1.0)
    values = []
    for step in range(instances):
        values.append(x + 0.01 * ((step * 7) % 5))
        trial.report(values[-1], step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return sum(values) / len(values)


def hangs_once(trial, marker_dir: str) -> float:
    """The first trial to claim `marker_dir/victim` writes its pid there, reports a step and hangs until killed.

    Every other trial waits for `marker_dir/release`, so a test kills a worker that is certainly
    mid-trial and decides when the rest may finish, with no sleep to guess timings.
    """
    x = trial.suggest_float("x", 0.0, 1.0)
    trial.report(x, 0)
    marker = Path(marker_dir)
    marker.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(marker / "victim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        while not (marker / "release").exists():
            time.sleep(0.05)
        return x
    os.write(fd, f"{os.getpid()}-{trial.number}".encode())
    os.close(fd)
    while True:  # until SIGKILL
        time.sleep(1)
