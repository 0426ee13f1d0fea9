"""Objectives given as `module:function(trial) -> float`, e.g. a training loop reporting per epoch."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from studies.objectives._context import TrialContext
from studies.spec import CallableObjective, SpecError


def resolve(function: str) -> Callable[..., float]:
    module_name, _, attribute = function.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SpecError(f"objective.function: cannot import module {module_name!r}: {exc}") from None
    target = getattr(module, attribute, None)
    if not callable(target):
        raise SpecError(f"objective.function: {module_name!r} has no callable {attribute!r}")
    return target


def callable_objective(ctx: TrialContext, objective: CallableObjective, metrics: list[str] | None = None
                       ) -> float | list[float]:
    """The function's value; with several `metrics`, its tuple (in order) or dict (by name) of values."""
    from tracker.redaction import expand_env_references

    value: Any = resolve(objective.function)(ctx, **expand_env_references(objective.kwargs))
    if not metrics or len(metrics) == 1:
        return float(value)
    return named_values(value, metrics, objective.function)


def named_values(value: Any, metrics: list[str], function: str) -> list[float]:
    """The values of `metrics`, in order, from a tuple/list or a dict a multi-objective function returned."""
    if isinstance(value, Mapping):
        missing = [name for name in metrics if name not in value]
        if missing:
            raise ValueError(f"{function} returned a dict without {missing}; the spec's metrics are {metrics} "
                             f"(got keys {sorted(value)})")
        return [float(value[name]) for name in metrics]
    if isinstance(value, (tuple, list)):
        if len(value) != len(metrics):
            raise ValueError(f"{function} returned {len(value)} values for the spec's {len(metrics)} metrics "
                             f"{metrics}")
        return [float(v) for v in value]
    raise ValueError(f"{function} returned {type(value).__name__}; a multi-objective function returns a tuple "
                     f"of {len(metrics)} values or a dict with keys {metrics}")
