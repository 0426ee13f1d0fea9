"""A tracked solve: one solver run on one instance, recorded as a `solve` run in MLflow.

The one place a solve becomes a run: `tunetrack solve` calls it for a stand-alone solve (a
top-level run in the family's experiment) and the built-in solver objective calls it for each
evaluation of a trial (a run nested under the trial run), so both record the same params,
metrics, step series and artefacts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import solvers
from tracker import RunKind, Tag, Tracker

SOLUTION_ARTIFACT = "solution.json"


@dataclass(frozen=True)
class TrackedSolve:
    """The solver's result and where it was recorded."""

    result: solvers.SolveResult
    run_id: str
    experiment_id: str


def expected_steps(iterations: int | None, chunk_size: int | None) -> int | None:
    """How many step records an iteration-limited solve emits (None when only a time limit applies)."""
    if not iterations or not chunk_size:
        return None
    return max(1, math.ceil(iterations / int(chunk_size)))


def result_metrics(result: solvers.SolveResult) -> dict[str, float]:
    """The final metrics of a solve run (gap and reference only when the instance has a reference)."""
    metrics = {"objective": result.objective, "seconds": result.seconds, "iterations": result.iterations}
    if result.gap is not None:
        metrics["gap"] = result.gap
    if result.reference is not None:
        metrics["reference"] = result.reference
    return metrics


def tracked_solve(
    tracker: Tracker,
    instance: solvers.Instance,
    solver: str,
    config: Any,
    *,
    seed: int = 0,
    time_limit: float | None = None,
    iterations: int | None = None,
    experiment: str | None = None,
    parent_run_id: str | None = None,
    tags: Mapping[str | Tag, Any] | None = None,
) -> TrackedSolve:
    """Solve `instance` with `solver` under a new `solve` run; the run closes FAILED if the solve raises.

    `config` is a validated solver config (`solvers.check` / `solvers.make_config`). Without
    `experiment` and `parent_run_id` the run goes to the experiment named after the family.
    """
    params = {k: v for k, v in config.model_dump(mode="json").items() if v is not None}
    params.update({k: v for k, v in {"solver": solver, "seed": seed, "time_limit": time_limit,
                                     "iterations": iterations}.items() if v is not None})
    if experiment is None and parent_run_id is None:
        experiment = instance.family
    with tracker.start_run(
        kind=RunKind.SOLVE,
        experiment=experiment,
        parent_run_id=parent_run_id,
        run_name=f"{instance.name} seed {seed}" if parent_run_id else f"{solver} {instance.name} seed {seed}",
        params=params,
        descriptor={k: v for k, v in instance.descriptor.items() if v is not None},
        tags={Tag.SOLVER: solver, Tag.SCENARIO: instance.name, Tag.SEED: seed, **(tags or {})},
        expected_steps=expected_steps(iterations, getattr(config, "chunk_size", None)),
        hold_params=True,
    ) as run:
        result = solvers.solve(instance, solver, config, seed=seed, time_limit=time_limit, iterations=iterations,
                               on_step=run.log_step, on_event=run.log_event)
        run.set_final_metrics(result_metrics(result))  # with the closing tags: one store call
        run.log_dict({"instance": result.instance, "objective": result.objective, "solution": list(result.solution)},
                     SOLUTION_ARTIFACT)
    return TrackedSolve(result, run.run_id, run.experiment_id)
