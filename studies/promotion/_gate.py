"""The decision gate: promote only a candidate that wins a paired test and holds across seeds.

Rule (both must hold, unless forced):
1. **Paired test.** Over every (instance, seed) pair, the improvement `current - candidate`
   (`candidate - current` when maximising) is tested with `studies.stats.paired_test`, the
   one-sided Wilcoxon signed-rank test racing and `compare_trials` use too (zero differences
   split); the candidate passes when p < alpha.
2. **Holds across seeds.** For each seed, the mean over instances of the candidate is
   strictly better than that of the current constants on a strict majority of the seeds
   (2 of 3, 3 of 4 ...): a gain carried by one lucky seed is refused.

`force=True` accepts whatever the figures say and records the decision as forced, with the
reason it would otherwise have been refused.

>>> pairs = [Pair(instance=f"i{k}", seed=s, current=1.0 + k / 10, candidate=0.5 + k / 10)
...          for k in range(3) for s in (1, 2, 3)]
>>> decide(pairs).accepted
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from studies.promotion._errors import PromotionError
from studies.stats import paired_test

Direction = Literal["minimize", "maximize"]


class Pair(BaseModel):
    """One (instance, seed) evaluated with the current constants and with the candidate."""

    instance: str
    seed: int
    current: float
    candidate: float


class SeedFigure(BaseModel):
    """Means over instances for one seed."""

    seed: int
    current: float
    candidate: float
    better: bool


class GateDecision(BaseModel):
    """The gate's verdict with the figures it rests on."""

    accepted: bool = Field(description="True when the candidate may be written (won, or forced).")
    passed: bool = Field(description="True when the candidate won on the figures alone.")
    forced: bool
    reason: str
    direction: Direction
    alpha: float
    p_value: float
    n_pairs: int
    mean_current: float
    mean_candidate: float
    seeds_better: int
    seeds_total: int
    per_seed: list[SeedFigure]

    @property
    def relative_change(self) -> float:
        """(candidate - current) / |current| of the means (negative is lower)."""
        return (self.mean_candidate - self.mean_current) / abs(self.mean_current) if self.mean_current else 0.0


def decide(
    pairs: Sequence[Pair], *, direction: Direction = "minimize", alpha: float = 0.05, force: bool = False
) -> GateDecision:
    """Apply the gate (see the module docstring) to paired evaluations.

    Args:
        pairs: one entry per (instance, seed), both configurations evaluated on it.
        direction: "minimize" when lower values are better (gaps, losses).
        alpha: significance level of the one-sided Wilcoxon signed-rank test.
        force: accept even if the gate fails; the decision says so.
    """
    if not 0.0 < alpha < 1.0:
        raise PromotionError(f"alpha: must be in (0, 1) but got {alpha}")
    if not pairs:
        raise PromotionError("the gate needs at least one (instance, seed) pair")
    bad = [p for p in pairs if not (math.isfinite(p.current) and math.isfinite(p.candidate))]
    if bad:
        raise PromotionError(f"non-finite values for {bad[0].instance} seed {bad[0].seed}: "
                             f"current {bad[0].current}, candidate {bad[0].candidate}")
    sign = 1.0 if direction == "minimize" else -1.0
    current = np.array([p.current for p in pairs])
    candidate = np.array([p.candidate for p in pairs])
    p_value = paired_test(candidate, current, direction).p_value
    per_seed = []
    for seed in sorted({p.seed for p in pairs}):
        cur = float(np.mean([p.current for p in pairs if p.seed == seed]))
        cand = float(np.mean([p.candidate for p in pairs if p.seed == seed]))
        per_seed.append(SeedFigure(seed=seed, current=cur, candidate=cand, better=sign * (cur - cand) > 0))
    better = sum(s.better for s in per_seed)
    mean_cur, mean_cand = float(current.mean()), float(candidate.mean())
    figures = (f"mean {mean_cur:.6g} -> {mean_cand:.6g} over {len(pairs)} (instance, seed) pairs, "
               f"one-sided Wilcoxon p={p_value:.4g} (alpha {alpha:g}), better on {better}/{len(per_seed)} seeds")
    failures = []
    if not p_value < alpha:
        failures.append(f"not significantly better (p={p_value:.4g} >= alpha {alpha:g})")
    if not better * 2 > len(per_seed):
        failures.append(f"does not hold across seeds (better on {better} of {len(per_seed)}; "
                        "a strict majority is required)")
    passed = not failures
    if passed:
        reason = f"candidate wins: {figures}"
    elif force:
        reason = f"forced despite: {'; '.join(failures)}; {figures}"
    else:
        reason = f"refused: {'; '.join(failures)}; {figures}"
    return GateDecision(
        accepted=passed or force, passed=passed, forced=force, reason=reason, direction=direction,
        alpha=alpha, p_value=p_value, n_pairs=len(pairs), mean_current=mean_cur, mean_candidate=mean_cand,
        seeds_better=better, seeds_total=len(per_seed), per_seed=per_seed,
    )

