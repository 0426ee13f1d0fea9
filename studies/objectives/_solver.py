"""The built-in objective: a solver over instances and seeds, racing one evaluation at a time."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import optuna

from studies.objectives._context import TrialContext
from studies.spec import SolverObjective, StudySpec
from studies.vocabulary import Attr


@lru_cache(maxsize=256)
def _instance(name: str) -> Any:
    import solvers

    return solvers.load_instance(name)


def solve_once(objective: SolverObjective, config: dict[str, Any], instance_name: str, seed: int) -> Any:
    """One untracked solve at the objective's budget (re-evaluation outside a study)."""
    import solvers

    return solvers.solve(
        _instance(instance_name), objective.solver, config, seed=seed,
        time_limit=objective.time_limit, iterations=objective.iterations,
    )


def normalised(result: Any) -> float:
    """The per-instance value a study compares: the relative gap to the reference, else the objective."""
    return float(result.gap) if result.gap is not None else float(result.objective)


def evaluation_metrics(result: Any, cost_rate: float) -> dict[str, float]:
    """The per-evaluation values a multi-objective solver study can optimise (`spec.SOLVER_METRICS`)."""
    return {"gap": normalised(result), "objective": float(result.objective), "seconds": float(result.seconds),
            "iterations": float(result.iterations), "cost": float(result.seconds) * cost_rate}


def solver_objective(ctx: TrialContext, spec: StudySpec, recorder: Any) -> float | list[float]:
    """Mean normalised result over the spec's (instance, seed) evaluations; prunable after each.

    Each evaluation is a tracked solve nested under the trial run. A multi-objective study gets
    each of its metrics averaged over the evaluations, except `cost`, which is the trial's spend
    as the cost budget counts it; the per-evaluation values go into the trial's `tt_evaluations`
    attr for comparisons and promotion.
    """
    import solvers

    from studies.solve import tracked_solve

    objective = spec.objective
    assert isinstance(objective, SolverObjective)
    config = solvers.make_config(objective.solver, {**objective.fixed, **ctx.params})
    evaluations = spec.evaluations()
    reported = spec.objective_names[0] if spec.multi_objective else "gap"
    per_eval: dict[str, list[float]] = {}
    for step, (instance_name, seed) in enumerate(evaluations):
        done = tracked_solve(
            recorder.tracker, _instance(instance_name), objective.solver, config, seed=seed,
            time_limit=objective.time_limit, iterations=objective.iterations, experiment=spec.experiment_name,
            parent_run_id=ctx.run.run_id, tags=recorder.solve_tags(ctx.number),
        )
        for name, value in evaluation_metrics(done.result, ctx.cost_rate).items():
            per_eval.setdefault(name, []).append(value)
        ctx.report(per_eval[reported][-1], step)
        if ctx.should_prune():
            raise optuna.TrialPruned(f"pruned after {step + 1} of {len(evaluations)} evaluations")
    if not spec.multi_objective:
        return sum(per_eval["gap"]) / len(per_eval["gap"])
    ctx.set_user_attr(Attr.EVALUATIONS, {name: per_eval[name] for name in spec.objective_names})
    return [ctx.cost() if name == "cost" else sum(per_eval[name]) / len(per_eval[name])
            for name in spec.objective_names]
