"""The outcome of one solve, as an immutable value."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class SolveResult:
    """What `solvers.solve` returns.

    Attributes:
        instance: instance name; family: its family; solver: `sa`, `ils` or `tabu`.
        objective: objective of `solution` (recomputed from scratch by the driver).
        reference: best-known value (flow shop upper bound, chromatic number) or None.
        lower_bound: a valid lower bound or None.
        gap: (objective - reference) / reference, None without a reference.
        seconds: wall-clock seconds of the solve (construction included).
        iterations: iterations run.
        solution: flow shop: the job permutation, 0-based job indices (job j = column j of
            the instance, Taillard's job j+1); colouring: the colour of each vertex in DIMACS
            vertex order.
        feasible: always True for a returned result (the driver checks it).
        events: controller and driver actions, in order (see `solvers.records`).
        config: the validated configuration used (every field, defaults included).
        seed: the seed of the run's RNG stream.
        stop_reason: `iterations`, `time_limit` or `optimal` (the best meets a lower bound).
    """

    instance: str
    family: str
    solver: str
    objective: float
    reference: float | None
    lower_bound: float | None
    gap: float | None
    seconds: float
    iterations: int
    solution: tuple[int, ...]
    feasible: bool
    events: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    config: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    stop_reason: str = "iterations"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (solution as a list)."""
        data = asdict(self)
        data["solution"] = list(self.solution)
        data["events"] = list(self.events)
        return data


def relative_gap(objective: float, reference: float | None) -> float | None:
    """(objective - reference) / reference, or None without a (non-zero) reference."""
    if reference is None or reference == 0:
        return None
    return (objective - reference) / reference
