"""Errors the solvers raise on purpose; each message names the bad value and what is allowed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError


class SolverError(ValueError):
    """Base class of the solvers' deliberate errors (a `ValueError`, so callers may catch either)."""


class ConfigError(SolverError):
    """A solver configuration that cannot be used: `param: must be <= 0.99999 (got 1.5)`."""

    @classmethod
    def from_validation(cls, exc: ValidationError, model: type[BaseModel]) -> "ConfigError":
        return cls("\n".join(_describe(err, model) for err in exc.errors()))


class UnknownSolverError(SolverError):
    """A solver name that is not registered (`solvers.registry.solver_names()`)."""


class ProblemError(SolverError):
    """A problem spec or instance file that cannot be loaded."""


def allowed_range(model: type[BaseModel], name: str) -> str:
    """The documented range of one field, e.g. `0.5 <= x <= 0.99999` or `one of a, b`."""
    field = model.model_fields[name]
    choices = getattr(field.annotation, "__args__", None)
    if choices and all(isinstance(c, str) for c in choices):
        return "one of " + ", ".join(choices)
    bounds = []
    for meta in field.metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                bounds.append(f"{sign} {value}")
    return " and ".join(bounds) if bounds else getattr(field.annotation, "__name__", str(field.annotation))


def _describe(err: dict[str, Any], model: type[BaseModel]) -> str:
    name = str(err["loc"][0]) if err["loc"] else "<config>"
    got = err.get("input")
    if err["type"] == "extra_forbidden":
        return f"{name}: unknown parameter (got {got!r}); allowed: {', '.join(model.model_fields)}"
    if name in model.model_fields:
        return f"{name}: must be {allowed_range(model, name)} (got {got!r})"
    return f"{name}: {err['msg']} (got {got!r})"
