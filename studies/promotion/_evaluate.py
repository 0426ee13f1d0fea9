"""Re-evaluating configurations for promotion: one solver, a budget, held-out instances, fresh seeds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from studies.promotion._budget import Budget
from studies.promotion._errors import PromotionError


class Evaluation(BaseModel):
    """The re-evaluation of one configuration on every (seed, instance), seed-major."""

    label: str = Field(description="'current', or '<study> trial <n>'.")
    config: dict[str, Any]
    values: list[float]
    mean: float
    metrics: dict[str, list[float]] | None = Field(None, description="Multi-objective: every metric's values.")


def order(instances: list[str], seeds: list[int]) -> list[tuple[int, str]]:
    """The (seed, instance) order of an evaluation's values: seed-major."""
    return [(seed, inst) for seed in seeds for inst in instances]


def evaluate(objective: Any, label: str, config: dict[str, Any], instances: list[str], seeds: list[int],
             budget: Budget, measure: str, metric_names: list[str] | None = None) -> Evaluation:
    """`config` (the objective's fixed values under it) solved on each (seed, instance) at `budget`.

    `metric_names` (a multi-objective study): every one of those metrics is kept per solve too.
    """
    import solvers
    from studies.objectives._solver import evaluation_metrics

    if not hasattr(objective, "solver"):
        raise PromotionError(f"only built-in solver objectives can be re-evaluated; got {objective.label}")
    merged = {**objective.fixed, **config}
    loaded = {name: solvers.load_instance(name) for name in instances}
    values: list[float] = []
    metrics: dict[str, list[float]] = {name: [] for name in metric_names or []}
    for seed, name in order(instances, seeds):
        result = solvers.solve(loaded[name], objective.solver, merged, seed=seed,
                               iterations=budget.iterations, time_limit=budget.time_limit)
        values.append(float(result.gap) if measure == "gap" else float(result.objective))
        if metrics:
            row = evaluation_metrics(result, 1.0)
            for metric in metrics:
                metrics[metric].append(values[-1] if metric == "gap" else float(row[metric]))
    return Evaluation(label=label, config=merged, values=values, mean=sum(values) / len(values),
                      metrics=metrics or None)
