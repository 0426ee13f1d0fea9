"""Coordinate descent over parameter tiers with gates.

Tier 1's parameters are tuned (by an inner sampler) with every other parameter fixed at its
default; after the tier's trials its best is kept only if it beats the incumbent by the
tier's `min_improvement` (the gate), then the next tier is tuned with tier 1 fixed, and so on.
The schedule is derived from the study's trial history every time, so any number of
workers share it without coordination.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler
from optuna.trial import FrozenTrial, TrialState

from studies.vocabulary import Attr


@dataclasses.dataclass(frozen=True)
class TierDecision:
    """One tier's gate: what it tuned, how it did against the incumbent, and whether it was kept."""

    tier: int
    params: list[str]
    trials: int
    incumbent: float | None
    best: float | None
    best_trial: int | None
    kept: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class CoordinateDescentSampler(BaseSampler):
    """Tune `tiers[i]` for `trials[i]` trials each; parameters outside the current tier are fixed.

    Args:
        tiers: parameter names per tier, in tuning order.
        trials: trials per tier.
        min_improvement: relative improvement each tier needs over the incumbent to be kept.
        defaults: value of every parameter while it is not being tuned and no tier has set it.
        inner: sampler proposing values of the current tier's parameters.
    """

    def __init__(
        self,
        tiers: Sequence[Sequence[str]],
        trials: Sequence[int],
        min_improvement: Sequence[float],
        defaults: dict[str, Any],
        inner: BaseSampler | None = None,
    ) -> None:
        if not (len(tiers) == len(trials) == len(min_improvement)) or not tiers:
            raise ValueError("tiers, trials and min_improvement must be non-empty and of equal length")
        self._tiers = [list(t) for t in tiers]
        self._trials = list(trials)
        self._gains = list(min_improvement)
        self._defaults = dict(defaults)
        self._inner = inner or optuna.samplers.TPESampler()

    # The tier a trial belongs to is decided by its number: tier i owns a contiguous block.
    def tier_of(self, number: int) -> int:
        start = 0
        for index, count in enumerate(self._trials):
            if number < start + count:
                return index
            start += count
        return len(self._trials) - 1

    def incumbent(self, study: optuna.Study, before_tier: int) -> tuple[dict[str, Any], list[TierDecision]]:
        """Fixed values after the gates of tiers < `before_tier`, and the gate decisions taken."""
        fixed = dict(self._defaults)
        decisions: list[TierDecision] = []
        trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        sign = 1.0 if study.direction == optuna.study.StudyDirection.MINIMIZE else -1.0
        incumbent_value: float | None = None
        for tier in range(before_tier):
            members = [t for t in trials if self.tier_of(t.number) == tier and t.value is not None]
            before = incumbent_value
            if not members:
                decisions.append(TierDecision(tier, self._tiers[tier], 0, before, None, None, False,
                                              "no completed trial"))
                continue
            best = min(members, key=lambda t: sign * t.value)
            if incumbent_value is None:
                kept, reason = True, "first tier sets the incumbent"
            else:
                needed = abs(incumbent_value) * self._gains[tier]
                gain = sign * (incumbent_value - best.value)
                kept = gain > needed or (self._gains[tier] == 0 and gain >= 0)
                reason = f"gain {gain:.6g} vs required {needed:.6g}"
            if kept:
                fixed.update({k: v for k, v in best.params.items() if k in self._tiers[tier]})
                incumbent_value = best.value
            decisions.append(TierDecision(tier, self._tiers[tier], len(members), before, best.value, best.number,
                                          kept, reason))
        return fixed, decisions

    def decisions(self, study: optuna.Study) -> list[TierDecision]:
        """The gate decision of every tier whose trials have all been proposed (for the record)."""
        finished = {t.number for t in study.get_trials(deepcopy=False) if t.state.is_finished()}
        reached, start = 0, 0
        for count in self._trials:
            if not finished.issuperset(range(start, start + count)):
                break
            reached, start = reached + 1, start + count
        return self.incumbent(study, reached)[1]

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(self, study, trial, search_space) -> dict[str, Any]:
        return {}

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        study._storage.set_trial_system_attr(trial._trial_id, Attr.TIER, self.tier_of(trial.number))
        self._inner.before_trial(study, trial)

    def sample_independent(self, study, trial, param_name: str, param_distribution: BaseDistribution) -> Any:
        tier = self.tier_of(trial.number)
        if param_name in self._tiers[tier]:
            return self._inner.sample_independent(study, trial, param_name, param_distribution)
        fixed, _ = self.incumbent(study, tier)
        if param_name in fixed:
            return fixed[param_name]
        return self._inner.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study, trial, state, values) -> None:
        self._inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self._inner.reseed_rng()
