"""Objectives the study benchmarks hand to Optuna and to tunetrack workers (importable by spawned workers).

Each takes a trial-like object: an `optuna.Trial` or tunetrack's `TrialContext` (whose
`suggest_*` return the values the spec's space already sampled). Keep imports light: every
worker process imports this module.
"""

from __future__ import annotations

import time

import optuna

SPACE = {"x": {"type": "float", "low": -10.0, "high": 10.0}}


def square(trial, steps: int = 1) -> float:
    """`x**2`, instant; reports the value `steps` times (step 0, 1, ...)."""
    x = trial.suggest_float("x", -10.0, 10.0)
    value = x * x
    for step in range(steps):
        trial.report(value, step)
    return value


def probe(trial) -> float:
    """Trial number mod 3: 0 completes, 1 is pruned after one report, 2 fails after one report."""
    value = square(trial, steps=2)
    if trial.number % 3 == 1:
        raise optuna.TrialPruned("probe: pruned on purpose")
    if trial.number % 3 == 2:
        raise ValueError("probe: failed on purpose")
    return value


def sleepy(trial, seconds: float = 1.0, steps: int = 4) -> float:
    """Sleeps `seconds` in `steps` equal parts, reporting after each: a trial of known length."""
    x = trial.suggest_float("x", -10.0, 10.0)
    for step in range(steps):
        time.sleep(seconds / steps)
        trial.report(x * x + steps - step, step)
    return x * x


def costly(trial, step_s: float = 0.5, steps: int = 4) -> float:
    """Sleeps `step_s` per step, reports per step and honours pruning (the cost budget's lever)."""
    x = trial.suggest_float("x", -10.0, 10.0)
    for step in range(steps):
        time.sleep(step_s)
        trial.report(x * x + steps - step, step)
        if trial.should_prune():
            raise optuna.TrialPruned(f"pruned after step {step}")
    return x * x
