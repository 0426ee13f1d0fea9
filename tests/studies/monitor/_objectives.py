"""Objectives for the monitor and retention tests; importable by spawned workers."""

from __future__ import annotations

import optuna

from tracker import RunKind, Tag, Tracker


def constant(trial) -> float:
    """Always 1.0: a study that can never find a new best after its first trial."""
    trial.suggest_float("x", 0.0, 1.0)
    return 1.0


def mixed_with_solves(trial) -> float:
    """One nested solve run with an artefact per trial; trial numbers 4k+2 are pruned, 4k+3 fail."""
    x = trial.suggest_float("x", 0.0, 1.0)
    with Tracker().start_run(kind=RunKind.SOLVE, parent_run_id=trial.run.run_id, run_name=f"solve {trial.number}",
                             tags={Tag.STUDY: "gc", Tag.TRIAL: trial.number}) as run:
        run.log_text("solution " * 200, "solution.txt")
    if trial.number % 4 == 2:
        raise optuna.TrialPruned("pruned on purpose")
    if trial.number % 4 == 3:
        raise ValueError("failed on purpose")
    return x
