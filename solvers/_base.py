"""The contract a problem family implements: instances, a loader, an evaluator, searches."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np


@dataclass(frozen=True, eq=False)
class Instance:
    """One problem instance.

    Attributes:
        family: family name (`flowshop`, `coloring`).
        name: instance name (`ta021`, `queen8_8`, a file stem).
        data: the family's payload (arrays the kernels read).
        reference: best-known objective (upper bound / chromatic number) or None.
        lower_bound: a valid lower bound or None.
        descriptor: flat scalars describing the instance (sizes, density, reference ...),
            logged as params so runs can be filtered across instances.
    """

    family: str
    name: str
    data: Any
    reference: float | None = None
    lower_bound: float | None = None
    descriptor: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Instance({self.family}:{self.name})"


@dataclass(frozen=True)
class ChunkStats:
    """What one kernel call reports back to the driver.

    `proposals`/`accepts` count moves per operator in this chunk only.
    """

    iterations: int
    current: float
    best: float
    temperature: float = float("nan")
    proposals: Mapping[str, int] = field(default_factory=dict)
    accepts: Mapping[str, int] = field(default_factory=dict)


class Search(abc.ABC):
    """One algorithm running on one instance: state arrays plus a chunk kernel.

    The driver calls `run(k)` repeatedly; between calls it may call the controller hooks.
    A hook returns a dict describing what changed (logged as an event's detail) or None
    when the search does not support that action.
    """

    operators: tuple[str, ...] = ()

    @abc.abstractmethod
    def start(self) -> dict[str, Any]:
        """Build the initial solution; return event detail (objective, strategy ...)."""

    @abc.abstractmethod
    def run(self, iterations: int) -> ChunkStats:
        """Run `iterations` iterations inside the kernel (one call into numba)."""

    @abc.abstractmethod
    def best_solution(self) -> np.ndarray:
        """A copy of the best solution found (the family's encoding)."""

    def reheat(self, factor: float) -> dict[str, Any] | None:
        """Raise the temperature after a stall (SA)."""
        return None

    def scale_tenure(self, factor: float) -> dict[str, Any] | None:
        """Multiply the tabu tenure by `factor`; factor 0 resets it to the configured base."""
        return None

    def restart_from_best(self) -> dict[str, Any] | None:
        """Continue from the best solution so far (fresh temperature / tabu list)."""
        return None

    def finished(self) -> bool:
        """Whether the best is proven optimal (it meets a lower bound); the driver then stops."""
        return False


class Family(abc.ABC):
    """A problem family: how to load instances, check solutions and build searches.

    A family module exposes one instance as `FAMILY`; `solvers.registry` finds it by name.
    """

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]] = ()  # file name endings this family reads
    # a tiny instance (`load` spec) on which every kernel runs, compiled before any solver clock
    # starts (`solvers.warm`); empty = nothing to compile
    warmup_spec: ClassVar[str] = ""

    @abc.abstractmethod
    def load(self, spec: str) -> Instance:
        """An instance from the part of a spec after `<family>:` (e.g. `ta021`, `random:50x10:seed=3`)."""

    @abc.abstractmethod
    def read(self, path: Path) -> Instance:
        """An instance from a file in the family's public format."""

    def sniff(self, head: str) -> bool:
        """Whether the first lines of a file of unknown suffix look like this family's format."""
        return False

    @abc.abstractmethod
    def evaluate(self, instance: Instance, solution: np.ndarray) -> tuple[float, bool]:
        """(objective, feasible) recomputed from scratch, independent of any search state."""

    @abc.abstractmethod
    def search(self, instance: Instance, solver: str, config: Any, seed: int) -> Search:
        """A ready-to-start search of `solver` ("sa", "ils", "tabu") with a validated config."""

    def operators(self) -> dict[str, tuple[str, ...]]:
        """Operator names per solver (for `describe_solvers`)."""
        return {}

    def presets(self) -> dict[str, dict[str, float]]:
        """Operator weights of each named SA preset."""
        return {}
