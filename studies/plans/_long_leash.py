"""Long-budget solves of each cell's best configuration, for convergence data (`plan run --long-leash`).

Each solve is a solve run under the plan run, tagged with the cell (`tt.cell` = its study),
tuner, bundle and tier, with its trace, events and a convergence plot. A solve already
recorded (same cell, scenario and seed, finished) is not run again.
"""

from __future__ import annotations

from studies.plans._matrix import Cell
from studies.plans._model import PlanSpec
from studies.settings import Settings
from tracker import RunKind, Tag, Tracker

SEED_OFFSET = 1000  # long-leash seeds never coincide with the study's own seeds


def run_long_leash(plan: PlanSpec, cells: list[Cell], tracker: Tracker, plan_run_id: str, settings: Settings) -> int:
    import solvers
    from studies.queries import UnknownStudy, best_params
    from studies.reports import solve_figure

    recorded = tracker.runs(plan.experiment_name, kind=RunKind.SOLVE, parent_run_id=plan_run_id,
                            filter_string="attributes.status = 'FINISHED'")
    done = set()
    if not recorded.empty:
        done = set(zip(recorded[f"tags.{Tag.CELL.value}"], recorded[f"tags.{Tag.SCENARIO.value}"],
                       recorded[f"tags.{Tag.SEED.value}"].astype(int)))
    count = 0
    for cell in cells:
        try:
            best = best_params(cell.study, settings)
        except UnknownStudy:
            continue
        iterations = plan.tiers[cell.tier].iterations * plan.long_leash.factor
        params = {**plan.fixed, **best.params}
        params.setdefault("chunk_size", max(1, iterations // plan.trace_points))
        config = solvers.make_config(plan.solver, params).model_dump()
        for name in cell.spec.evaluation_instances():
            instance = solvers.load_instance(name)
            for k in range(plan.long_leash.seeds):
                seed = plan.base_seed + SEED_OFFSET + k
                if (cell.study, instance.name, seed) in done:
                    continue
                _solve(tracker, plan_run_id, cell, instance, seed, config, iterations, plan.solver, solve_figure)
                count += 1
    return count


def _solve(tracker, plan_run_id, cell, instance, seed, config, iterations, solver, solve_figure) -> None:
    import solvers

    records: list[dict] = []
    tags = {Tag.PLAN: cell.plan, Tag.TUNER: cell.tuner, Tag.BUNDLE: cell.bundle, Tag.TIER: cell.tier,
            Tag.CELL: cell.study, Tag.SOLVER: solver, Tag.SEED: seed, Tag.SCENARIO: instance.name}
    with tracker.start_run(kind=RunKind.SOLVE, parent_run_id=plan_run_id, run_name=f"{solver} {instance.name} seed={seed}",
                           params=config, descriptor=instance.descriptor, tags=tags,
                           expected_steps=max(1, iterations // max(1, int(config.get("chunk_size", 1))))) as run:
        def on_step(record: dict) -> None:
            records.append(record)
            run.log_step(record)

        result = solvers.solve(instance, solver, config, seed=seed, iterations=iterations, on_step=on_step,
                               on_event=run.log_event)
        run.log_metrics({"objective": result.objective, "seconds": result.seconds, "iterations": result.iterations,
                         **({"gap": result.gap} if result.gap is not None else {}),
                         **({"reference": result.reference} if result.reference is not None else {})})
        figure = solve_figure(records, result.reference, title=f"{solver} on {instance.name}, seed {seed}")
        run.log_figure(figure, "convergence.png")
        import matplotlib.pyplot as plt

        plt.close(figure)
