"""Samplers for studies: Optuna's own plus coordinate descent over parameter tiers."""

from __future__ import annotations

import optuna

from studies.samplers._coordinate import CoordinateDescentSampler
from studies.spec import StudySpec

__all__ = ["CoordinateDescentSampler", "make_sampler"]


def make_sampler(spec: StudySpec, *, worker_index: int = 0) -> optuna.samplers.BaseSampler:
    """The sampler a worker uses. Seeds differ per worker so parallel workers do not propose alike.

    TPE always lies constantly about running trials: with one worker there are none, and a
    study may gain workers at any time (`tunetrack study worker`).
    """
    s = spec.sampler
    seed = None if s.seed is None else s.seed + 7919 * worker_index
    if s.type == "tpe":
        return optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=s.n_startup_trials, constant_liar=True, multivariate=True)
    if s.type == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if s.type in ("nsga2", "nsga3"):
        kind = optuna.samplers.NSGAIISampler if s.type == "nsga2" else optuna.samplers.NSGAIIISampler
        return kind(seed=seed, **({"population_size": s.population_size} if s.population_size else {}))
    if s.type == "grid":
        # Grid points are enqueued once by the runner; anything else is sampled at random.
        return optuna.samplers.RandomSampler(seed=seed)
    if s.type == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, n_startup_trials=s.n_startup_trials, warn_independent_sampling=False)
    if s.type == "gp":
        return optuna.samplers.GPSampler(seed=seed, n_startup_trials=s.n_startup_trials)
    tiers = s.tiers or []
    inner = (
        optuna.samplers.TPESampler(seed=seed, n_startup_trials=s.n_startup_trials, constant_liar=True)
        if s.inner == "tpe"
        else optuna.samplers.RandomSampler(seed=seed)
    )
    return CoordinateDescentSampler(
        tiers=[t.params for t in tiers],
        trials=[t.trials for t in tiers],
        min_improvement=[t.min_improvement for t in tiers],
        defaults={name: p.default for name, p in spec.space.items() if p.default is not None},
        inner=inner,
    )
