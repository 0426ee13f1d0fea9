"""Samplers for studies: Optuna's own plus coordinate descent over parameter tiers, never replaying.

Every sampled study is wrapped in `DistinctSampler` (no configuration proposed twice, whatever
the number of processes, resumes, joins and respawns), seeded per process by `process_seed`.
Grids are enqueued by the runner and are left as they are.
"""

from __future__ import annotations

import importlib.util
import sys

import optuna

from studies.samplers._coordinate import CoordinateDescentSampler, TierDecision
from studies.samplers._distinct import DistinctSampler, process_seed
from studies.spec import StudySpec

__all__ = ["EXTRAS", "CoordinateDescentSampler", "DistinctSampler", "TierDecision", "make_sampler",
           "missing_extra", "process_seed"]

EXTRAS: dict[str, tuple[str, str]] = {"gp": ("torch", "gp")}
"""Sampler type -> (module it needs, the tunetrack extra that installs it)."""


def missing_extra(sampler_type: str) -> str | None:
    """The extra to install when `sampler_type` needs a module that is not importable, else None."""
    if sampler_type not in EXTRAS:
        return None
    module, extra = EXTRAS[sampler_type]
    if module in sys.modules:  # already imported, or blocked (None)
        return None if sys.modules[module] is not None else extra
    return None if importlib.util.find_spec(module) is not None else extra


def make_sampler(spec: StudySpec, *, worker_index: int = 0, trials_at_start: int = 0) -> optuna.samplers.BaseSampler:
    """The sampler one worker process uses, seeded for that process (see `process_seed`).

    TPE always lies constantly about running trials: with one worker there are none, and a
    study may gain workers at any time (`tunetrack study worker`).
    """
    from studies.space import distribution

    s = spec.sampler
    seed = process_seed(s.seed, worker_index, trials_at_start)
    if s.type == "grid":
        # Grid points are enqueued once by the runner; anything else is sampled at random.
        return optuna.samplers.RandomSampler(seed=seed)
    space = {name: distribution(p) for name, p in spec.space.items() if not p.condition}
    if s.type == "coordinate":
        tiers = s.tiers or []
        inner = (
            optuna.samplers.TPESampler(seed=seed, n_startup_trials=s.n_startup_trials, constant_liar=True)
            if s.inner == "tpe"
            else optuna.samplers.RandomSampler(seed=seed)
        )
        coordinate = CoordinateDescentSampler(
            tiers=[t.params for t in tiers],
            trials=[t.trials for t in tiers],
            min_improvement=[t.min_improvement for t in tiers],
            defaults={name: p.default for name, p in spec.space.items() if p.default is not None},
            inner=inner,
        )
        return DistinctSampler(coordinate, space, seed=seed, fallback=False)
    return DistinctSampler(_optuna_sampler(s, seed), space, seed=seed)


def _optuna_sampler(s, seed: int | None) -> optuna.samplers.BaseSampler:
    kind, n_startup_trials = s.type, s.n_startup_trials
    if kind in ("nsga2", "nsga3"):
        nsga = optuna.samplers.NSGAIISampler if kind == "nsga2" else optuna.samplers.NSGAIIISampler
        return nsga(seed=seed, **({"population_size": s.population_size} if s.population_size else {}))
    if kind == "tpe":
        return optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=n_startup_trials, constant_liar=True, multivariate=True)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if kind == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, n_startup_trials=n_startup_trials,
                                            warn_independent_sampling=False)
    if kind == "gp":
        return optuna.samplers.GPSampler(seed=seed, n_startup_trials=n_startup_trials)
    raise ValueError(f"sampler.type: unknown sampler {kind!r}")
