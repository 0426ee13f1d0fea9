"""Guardrails from `settings.agent`: what an agent may start, how much it may spend, where it may write.

* objective: its label (`solver:sa`, `pkg.module:function`) must match one of
  `agent.allowed_objectives` (shell-style patterns: `solver:*`, `mypkg.*:*`);
* trials: the study's total target may not pass `agent.max_trials`;
* cost: `budget.cost` may not pass `agent.max_cost`; a spec without one gets `max_cost`;
* workers: at most `agent.max_workers`;
* space: `load_spec` refuses ranges and choices that are not valid values of the solver's
  parameters; warm-start configurations must lie in the space;
* paths: spec files, instance files and promotion targets must be inside the project directory.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

from studies.agent._base import GuardrailError
from studies.promotion import project_root
from studies.settings import Settings
from studies.spec import ParamSpec, StudySpec


def check_objective(spec: StudySpec, settings: Settings) -> None:
    allowed = settings.agent.allowed_objectives
    label = spec.objective_label
    if not any(fnmatch.fnmatchcase(label, pattern) for pattern in allowed):
        raise GuardrailError(f"objective {label!r} is not allowed for agents (allowed: {', '.join(allowed) or 'none'}; "
                             "an operator can change agent.allowed_objectives)")


def capped(spec: StudySpec, settings: Settings, *, n_trials: int | None, workers: int | None) -> StudySpec:
    """`spec` with the requested totals, refused past the caps; a missing cost budget becomes the cap."""
    agent = settings.agent
    total = n_trials if n_trials is not None else spec.budget.n_trials
    if total > agent.max_trials:
        raise GuardrailError(f"n_trials {total} is above the agent cap of {agent.max_trials} trials per study "
                             "(agent.max_trials)")
    cost = spec.budget.cost
    if cost is not None and cost > agent.max_cost:
        raise GuardrailError(f"budget.cost {cost:g} is above the agent cap of {agent.max_cost:g} per study "
                             "(agent.max_cost)")
    count = workers if workers is not None else spec.workers
    if count > agent.max_workers:
        raise GuardrailError(f"workers {count} is above the agent cap of {agent.max_workers} (agent.max_workers)")
    budget = spec.budget.model_copy(update={"n_trials": total, "cost": agent.max_cost if cost is None else cost})
    return spec.model_copy(update={"budget": budget, "workers": count})


def check_params(spec: StudySpec, params: dict[str, Any], where: str = "params") -> None:
    """Every parameter is one of the study's space and lies within it."""
    for name, value in params.items():
        if name not in spec.space:
            raise GuardrailError(f"{where}.{name}: not in the study's space ({', '.join(spec.space) or 'empty'})")
        if not _in_space(spec.space[name], value):
            raise GuardrailError(f"{where}.{name}: {value!r} is outside the space ({_describe(spec.space[name])})")


def inside_project(path: str | Path, settings: Settings, what: str) -> Path:
    """`path` (relative ones are under the project) resolved, refused outside the project directory."""
    root = project_root(settings)
    given = Path(path).expanduser()
    resolved = (given if given.is_absolute() else root / given).resolve()
    if not resolved.is_relative_to(root):
        raise GuardrailError(f"{what} {str(path)!r} is outside the project directory {root}")
    return resolved


def check_instance_files(data: dict[str, Any], settings: Settings) -> None:
    """Instances given as file paths (not `family:name`) must be inside the project; checked before any is read."""
    from solvers import family_names

    families = family_names()
    for k, name in enumerate(data.get("instances") or []):
        family, sep, _ = str(name).partition(":")
        if not (sep and family in families):
            inside_project(str(name), settings, f"instances[{k}]")


def _in_space(param: ParamSpec, value: Any) -> bool:
    if param.type == "categorical":
        return value in (param.choices or [])
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if param.type == "int" and float(value) != int(value):
        return False
    return param.low <= value <= param.high


def _describe(param: ParamSpec) -> str:
    if param.type == "categorical":
        return f"one of {param.choices}"
    return f"{param.type} in [{param.low:g}, {param.high:g}]"
