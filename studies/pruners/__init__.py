"""Pruners for studies: cost budgets, racing across instances, and Optuna's step-based ones."""

from __future__ import annotations

import optuna
from optuna.pruners import BasePruner

from studies.pruners._cost_budget import CostBudgetPruner
from studies.pruners._paid import PaidEvaluationsGuard
from studies.pruners._racing import RacingPruner, racing_evidence
from studies.pruners._spend import spend_of, study_spend
from studies.spec import PrunerSpec, SolverObjective, StudySpec

__all__ = ["CostBudgetPruner", "PaidEvaluationsGuard", "RacingPruner", "make_pruner", "racing_evidence", "spend_of", "study_spend"]


def _one(spec: PrunerSpec) -> BasePruner:
    if spec.type == "racing":
        return RacingPruner(p_threshold=spec.p_threshold, n_startup_steps=spec.n_startup_steps)
    if spec.type == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=spec.n_startup_trials, n_warmup_steps=spec.n_startup_steps)
    if spec.type == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=spec.min_resource, max_resource=spec.max_resource)
    return optuna.pruners.NopPruner()


def make_pruner(spec: StudySpec) -> BasePruner:
    """One pruner for the study: the cost budget (when set) wraps the racing/step pruner.

    A solver study knows how many evaluations a trial makes, so the whole is wrapped in
    `PaidEvaluationsGuard`: a trial that finished every evaluation completes with its value.
    """
    inner_specs = [p for p in spec.pruners if p.type not in ("cost_budget", "none")]
    if len(inner_specs) > 1:
        raise ValueError(f"pruners: use at most one of racing/median/hyperband, got {[p.type for p in inner_specs]}")
    pruner = _one(inner_specs[0]) if inner_specs else optuna.pruners.NopPruner()
    if spec.budget.cost is not None:
        pruner = CostBudgetPruner(spec.budget.cost, pruner)
    if isinstance(spec.objective, SolverObjective):
        pruner = PaidEvaluationsGuard(pruner, len(spec.evaluations()))
    return pruner


def find(pruner: BasePruner, kind: type) -> BasePruner | None:
    """The pruner of type `kind` inside `pruner` (itself or one it wraps, at any depth)."""
    if isinstance(pruner, kind):
        return pruner
    inner = getattr(pruner, "inner", None)
    return find(inner, kind) if inner is not None else None
