"""A sampler wrapper that never proposes a configuration the study has already had.

Every new process (a resumed study, a joining `tunetrack study worker`, a respawned worker)
builds its sampler afresh. With a fixed seed the inner sampler would replay the same
proposals; per-process seeds (`process_seed`) make that unlikely, and this wrapper makes it
impossible: it draws whole configurations from the inner sampler and keeps the first one no
trial of the study (any state, any process) has, falling back to random draws when the
inner sampler insists. Enqueued trials (grid points, warm starts, retries) carry fixed
parameters and never reach a sampler, so they are not affected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler
from optuna.search_space import IntersectionSearchSpace
from optuna.trial import FrozenTrial, TrialState

ATTEMPTS = 20


def process_seed(seed: int | None, worker_index: int, trials_at_start: int) -> int | None:
    """A sampler seed unique to one process of a study: the study's seed, the worker's index and the
    number of trials the storage held when the process started (so a resume or a join differs)."""
    if seed is None:
        return None
    if worker_index == 0 and trials_at_start == 0:
        return seed  # the first process of a fresh study keeps the spec's seed as given
    return int(np.random.SeedSequence([seed, worker_index, trials_at_start]).generate_state(1)[0] % (2**31 - 1))


def config_key(params: Mapping[str, Any], names: list[str]) -> tuple:
    return tuple((name, params.get(name)) for name in names)


class DistinctSampler(BaseSampler):
    """Wraps `inner`; proposes configurations over `space` that no trial of the study has had.

    Args:
        inner: the sampler that proposes.
        space: the distributions of every unconditional parameter (empty: inferred from the
            completed trials, for objectives that call `trial.suggest_*` themselves).
        seed: seed of the random fallback.
        fallback: draw at random when the inner sampler keeps proposing known configurations
            (off for samplers whose proposals must keep a structure, e.g. coordinate descent).
    """

    def __init__(self, inner: BaseSampler, space: Mapping[str, BaseDistribution], *, seed: int | None = None,
                 fallback: bool = True) -> None:
        self._inner = inner
        self._space = dict(space)
        self._fallback = optuna.samplers.RandomSampler(seed=seed) if fallback else None
        self._intersection = IntersectionSearchSpace()
        self._known: list[FrozenTrial] | None = None

    @contextlib.contextmanager
    def knowing(self, trials: list[FrozenTrial]) -> Iterator[None]:
        """Take `trials` as the study's trials for proposals made in the block.

        A worker reads every trial under the study lock to decide whether to start one; handing
        that read over spares a second read of the whole study for the same trial.
        """
        self._known = trials
        try:
            yield
        finally:
            self._known = None

    @property
    def inner(self) -> BaseSampler:
        return self._inner

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        if self._space:
            return dict(self._space)
        return {name: dist for name, dist in self._intersection.calculate(study).items() if not dist.single()}

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        if not search_space:
            return {}
        names = sorted(search_space)
        trials = self._known if self._known is not None else study.get_trials(deepcopy=False)
        seen = {config_key(t.params, names) for t in trials
                if t.number != trial.number and t.params and t.state != TrialState.WAITING}
        inner_space = {k: v for k, v in self._inner.infer_relative_search_space(study, trial).items()
                       if k in search_space}
        candidate: dict[str, Any] = {}
        for _ in range(ATTEMPTS):
            candidate = dict(self._inner.sample_relative(study, trial, inner_space)) if inner_space else {}
            for name, dist in search_space.items():
                if name not in candidate:
                    candidate[name] = self._inner.sample_independent(study, trial, name, dist)
            if config_key(candidate, names) not in seen:
                return candidate
        if self._fallback is not None:
            for _ in range(ATTEMPTS * 5):
                drawn = {name: self._fallback.sample_independent(study, trial, name, dist)
                         for name, dist in search_space.items()}
                if config_key(drawn, names) not in seen:
                    return drawn
        return candidate  # a small discrete space may be exhausted: nothing distinct is left

    def sample_independent(self, study: optuna.Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        return self._inner.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self._inner.before_trial(study, trial)

    def after_trial(self, study: optuna.Study, trial: FrozenTrial, state: TrialState, values) -> None:
        self._inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self._inner.reseed_rng()
        if self._fallback is not None:
            self._fallback.reseed_rng()
