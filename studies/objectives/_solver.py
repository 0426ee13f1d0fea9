"""The built-in objective: a solver over instances and seeds, racing one evaluation at a time."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import optuna

from studies.objectives._context import TrialContext
from studies.spec import SolverObjective, StudySpec


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


def solver_objective(ctx: TrialContext, spec: StudySpec, recorder: Any) -> float:
    """Mean normalised result over the spec's (instance, seed) evaluations; prunable after each.

    Each evaluation is a tracked solve nested under the trial run.
    """
    import solvers

    from studies.solve import tracked_solve

    objective = spec.objective
    assert isinstance(objective, SolverObjective)
    config = solvers.make_config(objective.solver, {**objective.fixed, **ctx.params})
    evaluations = spec.evaluations()
    values: list[float] = []
    for step, (instance_name, seed) in enumerate(evaluations):
        done = tracked_solve(
            recorder.tracker, _instance(instance_name), objective.solver, config, seed=seed,
            time_limit=objective.time_limit, iterations=objective.iterations, experiment=spec.experiment_name,
            parent_run_id=ctx.run.run_id, tags=recorder.solve_tags(ctx.number),
        )
        values.append(normalised(done.result))
        ctx.report(values[-1], step)
        if ctx.should_prune():
            raise optuna.TrialPruned(f"pruned after {step + 1} of {len(evaluations)} evaluations")
    return sum(values) / len(values)
