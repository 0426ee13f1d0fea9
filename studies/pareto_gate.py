"""Promotion of a picked Pareto point: the usual gate on the first metric, and no metric significantly worse.

A trade-off point is promoted for what it gains on its first metric; the check here makes
sure that gain is not bought with a significant loss elsewhere (a faster configuration
whose gap grows, a better gap that takes twice the time). Each metric's re-evaluations are
tested with `studies.stats.paired_test`, one-sided, for the current constants being better by
more than a `tolerance` (a fraction of each current value): re-measured times of short solves
differ by several per cent from run to run, and that noise must not count as a loss.

>>> checks = objective_checks({"gap": [1, 1, 1, 1, 1, 1], "seconds": [1, 1, 1, 1, 1, 1]},
...                           {"gap": [0, 0, 0, 0, 0, 0], "seconds": [2, 3, 2, 3, 2, 3]},
...                           ["gap", "seconds"], ["minimize", "minimize"], alpha=0.05)
>>> [(c.metric, c.worse) for c in checks]
[('gap', False), ('seconds', True)]
>>> noisy = objective_checks({"seconds": [1.0] * 6}, {"seconds": [1.05, 1.06, 1.04, 1.05, 1.07, 1.05]},
...                          ["seconds"], ["minimize"], alpha=0.05)
>>> noisy[0].worse  # 5 % slower on every pair: within the default 10 % tolerance
False
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from studies.settings import DEFAULT_PROMOTION_TOLERANCE
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
    directions: Sequence[str], *, alpha: float, tolerance: float = DEFAULT_PROMOTION_TOLERANCE,
) -> list[ObjectiveCheck]:
    """Per metric, the one-sided p-value that the current constants beat the candidate by more than `tolerance`.

    `tolerance` 0.1: the candidate is worse only if it is significantly worse than the current
    values made 10 % worse (a time of 1.0 s against 1.1 s per pair; a zero gap stays zero).
    """
    if not 0.0 <= tolerance < 1.0:
        raise ValueError(f"tolerance must be in [0, 1) but got {tolerance}")
    checks = []
    for metric, direction in zip(metrics, directions):
        a, b = list(current[metric]), list(candidate[metric])
        sign = 1.0 if direction == "minimize" else -1.0
        shifted = [x + sign * tolerance * abs(x) for x in a]  # the current values, worse by the tolerance
        test = paired_test(shifted, b, direction)  # small p: even so `current` is better: the candidate is worse
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
