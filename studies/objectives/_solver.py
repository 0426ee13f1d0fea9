"""The built-in objective: a solver over instances and seeds, racing one evaluation at a time."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import optuna

from studies.objectives._context import TrialContext
from studies.spec import SolverObjective, StudySpec


@lru_cache(maxsize=256)
def _instance(name: str) -> Any:
    import solvers

    return solvers.load_instance(name)


def solve_once(objective: SolverObjective, config: dict[str, Any], instance_name: str, seed: int,
               on_step=None, on_event=None) -> Any:
    import solvers

    return solvers.solve(
        _instance(instance_name), objective.solver, config, seed=seed,
        time_limit=objective.time_limit, iterations=objective.iterations, on_step=on_step, on_event=on_event,
    )


def normalised(result: Any) -> float:
    """The per-instance value a study compares: the relative gap to the reference, else the objective."""
    return float(result.gap) if result.gap is not None else float(result.objective)


def expected_steps(objective: SolverObjective, config: dict[str, Any]) -> int | None:
    chunk = config.get("chunk_size")
    if objective.iterations is None or not chunk:
        return None
    return max(1, math.ceil(objective.iterations / int(chunk)))


def solver_objective(ctx: TrialContext, spec: StudySpec, recorder: Any) -> float:
    """Mean normalised result over the spec's (instance, seed) evaluations; prunable after each."""
    import solvers

    objective = spec.objective
    assert isinstance(objective, SolverObjective)
    config_model = solvers.make_config(objective.solver, {**objective.fixed, **ctx.params})
    config = config_model.model_dump()
    values: list[float] = []
    for step, (instance_name, seed) in enumerate(spec.evaluations()):
        instance = _instance(instance_name)
        with recorder.solve_run(
            ctx.run, ctx.number, solver=objective.solver, instance=instance, seed=seed, config=config,
            expected_steps=expected_steps(objective, config),
        ) as run:
            result = solve_once(objective, config, instance_name, seed, run.log_step, run.log_event)
            run.log_metrics({
                "objective": result.objective, "seconds": result.seconds, "iterations": result.iterations,
                **({"gap": result.gap} if result.gap is not None else {}),
                **({"reference": result.reference} if result.reference is not None else {}),
            })
            run.log_dict({"solution": list(result.solution), "objective": result.objective}, "solution.json")
        values.append(normalised(result))
        ctx.report(values[-1], step)
        if ctx.should_prune():
            raise optuna.TrialPruned(f"pruned after {step + 1} of {len(spec.evaluations())} evaluations")
    return sum(values) / len(values)
