"""Re-evaluating a configuration outside a study (e.g. before promotion): same budget, other seeds/instances."""

from __future__ import annotations

from typing import Any

from studies.objectives import normalised, solve_once
from studies.spec import SolverObjective, StudySpec


def evaluate_config(
    spec: StudySpec, config: dict[str, Any], *, instances: list[str], seeds: list[int]
) -> list[float]:
    """Normalised result (relative gap) of `config` on each (instance, seed), seed-major.

    The solver, fixed parameters and per-solve limits are the study's, so the comparison is at
    the same budget. Only built-in solver objectives can be re-evaluated this way.
    """
    objective = spec.objective
    if not isinstance(objective, SolverObjective):
        raise ValueError(f"only solver objectives can be re-evaluated; {spec.name!r} uses {objective.label}")
    problem = objective.problem
    qualified = [name if ":" in name else f"{problem}:{name}" for name in instances]
    merged = {**objective.fixed, **config}
    return [normalised(solve_once(objective, merged, name, seed)) for seed in seeds for name in qualified]


def evaluate_metrics(
    spec: StudySpec, config: dict[str, Any], *, instances: list[str], seeds: list[int], cost_rate: float = 1.0
) -> list[dict[str, float]]:
    """Like `evaluate_config`, with every metric a multi-objective solver study can optimise per evaluation."""
    from studies.objectives._solver import evaluation_metrics

    objective = spec.objective
    if not isinstance(objective, SolverObjective):
        raise ValueError(f"only solver objectives can be re-evaluated; {spec.name!r} uses {objective.label}")
    qualified = [name if ":" in name else f"{objective.problem}:{name}" for name in instances]
    merged = {**objective.fixed, **config}
    return [evaluation_metrics(solve_once(objective, merged, name, seed), cost_rate)
            for seed in seeds for name in qualified]
