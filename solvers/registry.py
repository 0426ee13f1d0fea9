"""The one registry of solvers and problem families: the spec, the guardrails and the CLI read it.

A family registers once (`register_family`), by module path (imported lazily on first use)
or as a `Family` instance; from then on a study spec, the agent guardrails, `tunetrack
solve` and `tunetrack solvers` accept it without any edit outside its own package. An
installed package can also declare its family as an entry point in the group
`tunetrack.families` (`name = "package.module"`): every process then finds it, including the
worker processes a study spawns, which do not see a `register_family` call made elsewhere.

>>> from solvers import registry
>>> registry.solver_names()
('sa', 'ils', 'tabu')
>>> "flowshop" in registry.family_names()
True
>>> registry.config_class("tabu").__name__
'TabuConfig'
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from solvers import constants
from solvers._base import Family
from solvers.config import ILSConfig, SAConfig, SolverConfig, TabuConfig
from solvers.errors import ConfigError, ProblemError, UnknownSolverError


@dataclass(frozen=True)
class SolverEntry:
    """A registered algorithm: its config model, a one-line description, its default length."""

    name: str
    config: type[BaseModel]
    algorithm: str
    default_iterations: str  # name of the `solvers.constants` entry (promotion may rewrite it)

    def iterations(self) -> int:
        return int(getattr(constants, self.default_iterations))


_SOLVERS: dict[str, SolverEntry] = {}
# family name -> a module path defining `FAMILY` (imported on first use) or the Family itself
_FAMILIES: dict[str, str | Family] = {}


def register_solver(name: str, config: type[BaseModel], algorithm: str, default_iterations: str) -> None:
    """Make `name` a solver every family may implement (`Family.search(..., name, config, seed)`)."""
    _SOLVERS[name] = SolverEntry(name, config, algorithm, default_iterations)


def register_family(name: str, family: str | Family) -> None:
    """Register a problem family under `name`: a module path whose `FAMILY` is the family, or a `Family`."""
    if not name or ":" in name:
        raise ProblemError(f"family name: must be non-empty and without ':' (got {name!r})")
    if not isinstance(family, str | Family):
        raise ProblemError(f"family {name!r}: must be a module path or a solvers.Family (got {type(family).__name__})")
    _FAMILIES[name] = family


def unregister_family(name: str) -> None:
    """Forget a family (tests that register a temporary one clean up with this)."""
    _FAMILIES.pop(name, None)


_ENTRY_POINTS = "tunetrack.families"
_discovered = False


def _discover() -> None:
    """Register the families installed packages declare as entry points (once per process)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    from importlib.metadata import entry_points

    for entry in entry_points(group=_ENTRY_POINTS):
        _FAMILIES.setdefault(entry.name, entry.value)


def solver_names() -> tuple[str, ...]:
    """Every registered solver name, in registration order."""
    return tuple(_SOLVERS)


def family_names() -> tuple[str, ...]:
    """Every registered family name (whether or not its module imports; see `available_families`)."""
    _discover()
    return tuple(_FAMILIES)


def solver_entry(solver: str) -> SolverEntry:
    try:
        return _SOLVERS[solver]
    except KeyError:
        raise UnknownSolverError(f"solver: must be one of {', '.join(_SOLVERS)} (got {solver!r})") from None


def config_class(solver: str) -> type[BaseModel]:
    """The pydantic model of one solver's configuration."""
    return solver_entry(solver).config


def make_config(solver: str, config: Mapping[str, Any] | BaseModel | None = None) -> SolverConfig:
    """Validate `config` (a mapping, a model or None for the defaults) for `solver`."""
    model = config_class(solver)
    if isinstance(config, model):
        return config
    if isinstance(config, BaseModel):
        config = config.model_dump()
    try:
        return model(**dict(config or {}))
    except ValidationError as exc:
        raise ConfigError.from_validation(exc, model) from None


def get_family(name: str) -> Family:
    """The family registered under `name` (its module imported on first use)."""
    _discover()
    target = _FAMILIES.get(name)
    if target is None:
        raise ProblemError(f"problem family: must be one of {', '.join(_FAMILIES)} (got {name!r})")
    if isinstance(target, Family):
        return target
    try:
        family = importlib.import_module(target).FAMILY
    except (ImportError, AttributeError) as exc:
        raise ProblemError(f"problem family {name!r} is not available ({exc})") from None
    _FAMILIES[name] = family
    return family


def available_families() -> list[str]:
    """Names of the registered families that import cleanly."""
    names = []
    for name in family_names():
        try:
            get_family(name)
        except ProblemError:
            continue
        names.append(name)
    return names


register_solver("sa", SAConfig, "simulated annealing", "SA_ITERATIONS")
register_solver("ils", ILSConfig, "iterated local search / iterated greedy", "ILS_ITERATIONS")
register_solver("tabu", TabuConfig, "tabu search", "TABU_ITERATIONS")
register_family("flowshop", "solvers.flowshop")
register_family("coloring", "solvers.coloring")
