"""Benchmark plans: a matrix of tuners x bundles x budget tiers, run as one study per cell.

>>> from studies.plans import load_plan, cell_specs
>>> plan = load_plan("configs/plans/smoke.yaml")   # doctest: +SKIP
>>> [c.study for c in cell_specs(plan)][:1]        # doctest: +SKIP
['smoke.short.tiny.random']
"""

from studies.plans._matrix import Cell, cell_specs, study_name
from studies.plans._model import PlanError, PlanSpec, load_plan
from studies.plans._run import CellOutcome, PlanOutcome, find_plan_run, run_plan

__all__ = [
    "Cell",
    "CellOutcome",
    "PlanError",
    "PlanOutcome",
    "PlanSpec",
    "cell_specs",
    "find_plan_run",
    "load_plan",
    "run_plan",
    "study_name",
]
