"""Pruners for studies: cost budgets, racing across instances, and Optuna's step-based ones."""

from __future__ import annotations

import optuna
from optuna.pruners import BasePruner

from studies.pruners._cost_budget import CostBudgetPruner
from studies.pruners._racing import RacingPruner, racing_evidence
from studies.pruners._spend import spend_of, study_spend
from studies.spec import PrunerSpec, SolverObjective, StudySpec

__all__ = ["CostBudgetPruner", "RacingPruner", "make_pruner", "racing_evidence", "spend_of", "study_spend"]


def _one(spec: PrunerSpec, n_steps: int | None) -> BasePruner:
    if spec.type == "racing":
        return RacingPruner(p_threshold=spec.p_threshold, n_startup_steps=spec.n_startup_steps, n_steps=n_steps)
    if spec.type == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=spec.n_startup_trials, n_warmup_steps=spec.n_startup_steps)
    if spec.type == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=spec.min_resource, max_resource=spec.max_resource)
    return optuna.pruners.NopPruner()


def make_pruner(spec: StudySpec) -> BasePruner:
    """One pruner for the study: the cost budget (when set) wraps the racing/step pruner."""
    inner_specs = [p for p in spec.pruners if p.type not in ("cost_budget", "none")]
    if len(inner_specs) > 1:
        raise ValueError(f"pruners: use at most one of racing/median/hyperband, got {[p.type for p in inner_specs]}")
    n_steps = len(spec.evaluations()) if isinstance(spec.objective, SolverObjective) else None
    inner = _one(inner_specs[0], n_steps) if inner_specs else optuna.pruners.NopPruner()
    if spec.budget.cost is not None:
        return CostBudgetPruner(spec.budget.cost, inner)
    return inner


def find(pruner: BasePruner, kind: type) -> BasePruner | None:
    """The pruner of type `kind` inside `pruner` (itself or the one a cost budget wraps)."""
    if isinstance(pruner, kind):
        return pruner
    inner = getattr(pruner, "inner", None)
    return find(inner, kind) if inner is not None else None
