"""Benchmark plans: a matrix of tuners x bundles x budget tiers, run as one study per cell.

>>> from studies.plans import cell_specs, load_plan
>>> plan = load_plan({"name": "p", "solver": "sa", "problem": "flowshop",
...                   "space": {"cooling_rate": {"type": "float", "low": 0.99, "high": 0.999}},
...                   "bundles": [{"name": "tiny", "instances": ["ta001"]}],
...                   "tuners": [{"name": "random", "sampler": "random"}, {"name": "tpe", "sampler": "tpe"}],
...                   "tiers": {"short": {"iterations": 500, "trials": {"random": 2, "tpe": 4}}}})
>>> [(c.study, c.trials) for c in cell_specs(plan)]
[('p.short.tiny.random', 2), ('p.short.tiny.tpe', 4)]
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
