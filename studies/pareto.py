"""The Pareto front of a multi-objective study, as pure functions over value arrays.

Everything here takes plain numbers (one row per point, one column per objective, with the
objectives' directions) and knows nothing of Optuna or MLflow, so the front, the hypervolume,
the reference point and the pick rule are defined once and tested on constructed data.

Example:
    >>> points = [[0.10, 5.0], [0.20, 1.0], [0.15, 6.0], [0.30, 0.5]]
    >>> front_mask(points, ["minimize", "minimize"]).tolist()
    [True, True, False, True]
    >>> rule = parse_pick("seconds<=2", ["gap", "seconds"])
    >>> pick(points, ["gap", "seconds"], ["minimize", "minimize"], rule)
    1
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tracker.errors import TunetrackError

DIRECTIONS = ("minimize", "maximize")
REFERENCE_MARGIN = 0.1
"""A derived reference point lies this fraction of the observed range beyond the worst values."""

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "==": operator.eq, "<": operator.lt, ">": operator.gt,
}
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|==|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


class PickError(TunetrackError, ValueError):
    """A pick rule that cannot be read, names an unknown metric, or that no point of the front meets."""


def losses(points: Sequence[Sequence[float]] | np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Values turned into losses (maximised objectives negated), shape (points, objectives)."""
    for d in directions:
        if d not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS} but got {d!r}.")
    array = np.asarray(points, dtype=np.float64).reshape(-1, len(directions))
    signs = np.array([1.0 if d == "minimize" else -1.0 for d in directions])
    return array * signs


def front_mask(points: Sequence[Sequence[float]] | np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """True for each point no other point dominates (equal points all stay on the front).

    A point dominates another when it is at least as good on every objective and better on one.
    Points are visited in lexicographic order of their losses, so a dominating point is always
    visited first and each point is compared with the front found so far only.
    """
    loss = losses(points, directions)
    mask = np.zeros(loss.shape[0], dtype=bool)
    front: list[int] = []
    for i in np.lexsort(loss.T[::-1]):
        if front:
            kept = loss[front]
            if np.any(np.all(kept <= loss[i], axis=1) & np.any(kept < loss[i], axis=1)):
                continue
        front.append(int(i))
        mask[i] = True
    return mask


def reference_point(
    points: Sequence[Sequence[float]] | np.ndarray, directions: Sequence[str], margin: float = REFERENCE_MARGIN
) -> list[float]:
    """The worst observed value of each objective, moved `margin` x its observed range further out.

    As points are added the worst values only get worse and the ranges only widen, so the
    derived point only moves outwards and the hypervolume against it never decreases.
    """
    loss = losses(points, directions)
    if loss.shape[0] == 0:
        raise ValueError("a reference point needs at least one point")
    worst, best = loss.max(axis=0), loss.min(axis=0)
    ref_loss = worst + margin * (worst - best)
    signs = np.array([1.0 if d == "minimize" else -1.0 for d in directions])
    return [float(v) for v in ref_loss * signs]


def hypervolume(
    points: Sequence[Sequence[float]] | np.ndarray, directions: Sequence[str], reference: Sequence[float]
) -> float:
    """The volume the points dominate up to `reference` (Optuna's exact algorithm; WFG from 3 objectives).

    Points not strictly better than the reference on every objective add nothing.
    """
    from optuna._hypervolume import compute_hypervolume

    loss = losses(points, directions)
    ref = losses([list(reference)], directions)[0]
    inside = loss[np.all(loss < ref, axis=1)]
    if inside.shape[0] == 0:
        return 0.0
    return float(compute_hypervolume(inside, ref))


# ---- pick rules --------------------------------------------------------------------------
@dataclass(frozen=True)
class Constraint:
    """`metric op bound`, e.g. seconds <= 2."""

    metric: str
    op: str
    bound: float

    def holds(self, value: float) -> bool:
        return _OPERATORS[self.op](value, self.bound)

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.bound:g}"


def parse_pick(rule: str | None, metrics: Sequence[str]) -> list[Constraint]:
    """Constraints of a pick rule: `NAME OP NUMBER`, joined by `,` or `and` (empty: no constraint).

    Raises `PickError` naming the metrics allowed and the operators understood.
    """
    if rule is None or not rule.strip():
        return []
    allowed = ", ".join(metrics)
    constraints = []
    for part in re.split(r",|\band\b", rule):
        match = _CONSTRAINT.match(part)
        if match is None:
            raise PickError(
                f"pick rule {rule!r}: cannot read {part.strip()!r}; write NAME OP NUMBER (OP one of "
                f"{', '.join(_OPERATORS)}), joined by ',' or 'and'; metric names: {allowed}")
        name, op, bound = match.groups()
        if name not in metrics:
            raise PickError(f"pick rule {rule!r}: unknown metric {name!r}; allowed: {allowed}")
        constraints.append(Constraint(name, op, float(bound)))
    return constraints


def pick(
    points: Sequence[Sequence[float]] | np.ndarray, metrics: Sequence[str], directions: Sequence[str],
    constraints: Sequence[Constraint],
) -> int:
    """Index of the point best on the first objective among those meeting every constraint.

    Ties go to the other objectives in order, then to the earlier point. Raises `PickError`
    when no point meets the constraints, with each constrained metric's range over `points`.
    """
    array = np.asarray(points, dtype=np.float64).reshape(-1, len(metrics))
    if array.shape[0] == 0:
        raise PickError("the front is empty: no completed trial yet")
    column = {name: i for i, name in enumerate(metrics)}
    meets = [i for i in range(array.shape[0]) if all(c.holds(array[i, column[c.metric]]) for c in constraints)]
    if not meets:
        ranges = "; ".join(
            f"{name} from {array[:, column[name]].min():.6g} to {array[:, column[name]].max():.6g}"
            for name in dict.fromkeys(c.metric for c in constraints))
        rule = ", ".join(map(str, constraints))
        raise PickError(f"no point of the front meets {rule!r} (on the front: {ranges})")
    loss = losses(array, directions)
    return min(meets, key=lambda i: (*loss[i].tolist(), i))


def finite_rows(points: Sequence[Sequence[float]]) -> list[int]:
    """Indices of the rows whose values are all finite numbers."""
    return [i for i, row in enumerate(points) if all(v is not None and math.isfinite(v) for v in row)]
