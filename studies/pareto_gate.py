"""Promotion of a picked Pareto point: the usual gate on the first metric, and no metric significantly worse.

A trade-off point is promoted for what it gains on its first metric; the check here makes
sure that gain is not bought with a significant loss elsewhere (a faster configuration
whose gap grows, a better gap that takes twice the time). Each metric's re-evaluations are
tested with `studies.stats.paired_test`, one-sided, for the current constants being better.

>>> checks = objective_checks({"gap": [1, 1, 1, 1, 1, 1], "seconds": [1, 1, 1, 1, 1, 1]},
...                           {"gap": [0, 0, 0, 0, 0, 0], "seconds": [2, 3, 2, 3, 2, 3]},
...                           ["gap", "seconds"], ["minimize", "minimize"], alpha=0.05)
>>> [(c.metric, c.worse) for c in checks]
[('gap', False), ('seconds', True)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from studies.stats import paired_test


class ObjectiveCheck(BaseModel):
    """One metric of a multi-objective promotion: the means and whether the candidate is significantly worse."""

    metric: str
    direction: str
    mean_current: float
    mean_candidate: float
    p_worse: float
    worse: bool


def objective_checks(
    current: Mapping[str, Sequence[float]], candidate: Mapping[str, Sequence[float]], metrics: Sequence[str],
    directions: Sequence[str], *, alpha: float,
) -> list[ObjectiveCheck]:
    """Per metric, the one-sided p-value that the current constants beat the candidate on the same pairs."""
    checks = []
    for metric, direction in zip(metrics, directions):
        a, b = list(current[metric]), list(candidate[metric])
        test = paired_test(a, b, direction)  # small p: `current` is better, so the candidate is worse
        p = 1.0 if test is None else test.p_value
        checks.append(ObjectiveCheck(metric=metric, direction=direction, mean_current=sum(a) / len(a),
                                     mean_candidate=sum(b) / len(b), p_worse=p, worse=p < alpha))
    return checks


def gate_every_objective(decision: Any, checks: Sequence[ObjectiveCheck]) -> Any:
    """The gate's decision (`studies.promotion.GateDecision`), refused when any metric got significantly worse."""
    worse = [c for c in checks if c.worse]
    if not worse:
        return decision
    note = "; ".join(f"{c.metric} significantly worse (mean {c.mean_current:.6g} -> {c.mean_candidate:.6g}, "
                     f"one-sided p={c.p_worse:.4g})" for c in worse)
    reason = (f"forced despite: {note}; {decision.reason}" if decision.forced
              else f"refused: {note}; first metric: {decision.reason}")
    return decision.model_copy(update={"passed": False, "accepted": decision.forced, "reason": reason})
