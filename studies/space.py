"""Sampling a study's search space on an Optuna trial (conditional parameters included)."""

from __future__ import annotations

from typing import Any

import optuna

from studies.spec import ParamSpec


def distribution(param: ParamSpec) -> optuna.distributions.BaseDistribution:
    if param.type == "categorical":
        return optuna.distributions.CategoricalDistribution(list(param.choices or []))
    if param.type == "int":
        return optuna.distributions.IntDistribution(
            int(param.low), int(param.high), log=param.log, step=int(param.step or 1))
    return optuna.distributions.FloatDistribution(param.low, param.high, log=param.log, step=param.step)


def is_active(param: ParamSpec, chosen: dict[str, Any]) -> bool:
    """A conditional parameter is sampled only when its condition holds for the values chosen so far."""
    return all(chosen.get(name) in values for name, values in (param.condition or {}).items())


def suggest(trial: optuna.Trial, space: dict[str, ParamSpec]) -> dict[str, Any]:
    """Sample every active parameter of `space`, in order, through `trial.suggest_*`."""
    chosen: dict[str, Any] = {}
    for name, param in space.items():
        if not is_active(param, chosen):
            continue
        chosen[name] = suggest_one(trial, name, param)
    return chosen


def suggest_one(trial: optuna.Trial, name: str, param: ParamSpec) -> Any:
    if param.type == "categorical":
        return trial.suggest_categorical(name, list(param.choices or []))
    if param.type == "int":
        return trial.suggest_int(name, int(param.low), int(param.high), step=int(param.step or 1), log=param.log)
    return trial.suggest_float(name, param.low, param.high, step=param.step, log=param.log)
