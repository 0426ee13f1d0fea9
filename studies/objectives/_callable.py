"""Objectives given as `module:function(trial) -> float`, e.g. a training loop reporting per epoch."""

from __future__ import annotations

import importlib
from collections.abc import Callable
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


def callable_objective(ctx: TrialContext, objective: CallableObjective) -> float:
    value: Any = resolve(objective.function)(ctx, **objective.kwargs)
    return float(value)
