"""Objectives a study can optimise: built-in solvers, or any importable function."""

from __future__ import annotations

from typing import Any

from studies.objectives._callable import callable_objective, resolve
from studies.objectives._context import TrialContext, TrialTimeout
from studies.objectives._solver import normalised, solve_once, solver_objective
from studies.spec import SolverObjective, StudySpec

__all__ = [
    "TrialContext",
    "TrialTimeout",
    "callable_objective",
    "evaluate",
    "normalised",
    "resolve",
    "solve_once",
    "solver_objective",
]


def evaluate(ctx: TrialContext, spec: StudySpec, recorder: Any) -> float | list[float]:
    """Run the spec's objective for one trial: one value, or one per metric of a multi-objective spec."""
    if isinstance(spec.objective, SolverObjective):
        return solver_objective(ctx, spec, recorder)
    return callable_objective(ctx, spec.objective, spec.objective_names)
