"""What the simulated-annealing kernels of every family share: the params and temperature
layouts, the cooling step and the initial-temperature estimate.

Cooling schedules (one meaning in every family):
  geometric  T <- T * rate after every iteration;
  linear     T <- T - (1 - rate) * T0 after every iteration;
  adaptive   only worsening proposals move T: an accepted one cools (T * rate), a rejected one
             heats (T / rate ** (target / (1 - target))), so T settles where the share of
             worsening proposals accepted equals `target_acceptance`.
T never drops below `min_temperature`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from solvers import codes

# params (float64) layout of every SA kernel
P_SCHEDULE = 0  # codes.COOLING
P_RATE = 1
P_TMIN = 2
P_TARGET = 3  # adaptive: target share of worsening proposals accepted
P_NEIGHBOURS = 4  # moves sampled per iteration, the best proposed
P_WEIGHTS = 5  # cumulative operator weights, one per operator, last = 1


def n_params(n_operators: int) -> int:
    return P_WEIGHTS + n_operators


# fstate (float64) layout: the temperature state the kernels update
F_T = 0  # current temperature
F_T0 = 1  # initial temperature
N_FSTATE = 2


def make_params(config, cumulative_weights: np.ndarray) -> np.ndarray:
    """The params array of an `SAConfig` and the operators' cumulative weights."""
    params = np.zeros(n_params(cumulative_weights.shape[0]))
    params[P_SCHEDULE] = codes.code(codes.COOLING, config.cooling)
    params[P_RATE] = config.cooling_rate
    params[P_TMIN] = config.min_temperature
    params[P_TARGET] = config.target_acceptance
    params[P_NEIGHBOURS] = config.neighbours
    params[P_WEIGHTS:] = cumulative_weights
    return params


def initial_temperature(config, worsening: np.ndarray) -> float:
    """T0: the configured one, else the T at which a mean worsening delta is accepted with
    probability `initial_acceptance` (1.0 when no sampled move worsens)."""
    if config.initial_temperature > 0:
        return float(config.initial_temperature)
    worse = worsening[worsening > 0]
    return float(-worse.mean() / math.log(config.initial_acceptance)) if worse.size else 1.0


@njit(cache=True, nogil=True)
def pick_operator(params, u):
    """Operator index drawn by the cumulative weights in params[P_WEIGHTS:] for u in [0, 1)."""
    op = 0
    last = params.shape[0] - P_WEIGHTS - 1
    while op < last and u >= params[P_WEIGHTS + op]:
        op += 1
    return op


@njit(cache=True, nogil=True)
def cool(params, fstate, delta, accepted):
    """Apply one iteration's cooling step to fstate[F_T] (see the module docstring)."""
    t = fstate[F_T]
    schedule = int(params[P_SCHEDULE])
    rate = params[P_RATE]
    if schedule == codes.GEOMETRIC:
        t *= rate
    elif schedule == codes.LINEAR:
        t -= (1.0 - rate) * fstate[F_T0]
    elif delta > 0:
        target = params[P_TARGET]
        t = t * rate if accepted else t * rate ** (-target / (1.0 - target))
    fstate[F_T] = max(t, params[P_TMIN])
