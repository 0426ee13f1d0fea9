"""Every default of every solver parameter, one simple assignment per line.

Promotion rewrites exactly one assignment of this file (the rest byte-identical), so keep
each default a plain literal on its own line: `NAME: type = value  # comment`. The config
models in `solvers.config` read these names when a model is built, so a rewritten constant
becomes the new default in the next process.
"""

from __future__ import annotations

# --- shared by every algorithm -------------------------------------------------------------
INITIAL: str = "constructive"  # initial solution: random | constructive | multistart
MULTISTART_K: int = 4  # constructions tried by the multistart strategy (best kept)
RESTARTS: int = 0  # extra passes, each restarting from the best solution so far

# --- simulated annealing (sa) --------------------------------------------------------------
SA_ITERATIONS: int = 200000  # iterations when neither an iteration nor a time limit is given
SA_CHUNK_SIZE: int = 5000  # iterations per kernel call (one step record per chunk)
SA_INITIAL_TEMPERATURE: float = 0.0  # 0 = estimate from sampled deltas
SA_INITIAL_ACCEPTANCE: float = 0.5  # acceptance probability of a mean worsening move at T0
SA_TEMPERATURE_SAMPLES: int = 200  # random moves sampled to estimate T0
SA_COOLING: str = "geometric"  # geometric | linear | adaptive
SA_COOLING_RATE: float = 0.9999  # geometric factor per iteration (linear: 1 - rate of T0 per iteration)
SA_MIN_TEMPERATURE: float = 0.01  # temperature floor
SA_TARGET_ACCEPTANCE: float = 0.05  # adaptive schedule: acceptance rate it steers to
SA_STALL_LIMIT: int = 200000  # iterations without a new best before a reheat (0 = never)
SA_REHEAT_FACTOR: float = 0.1  # on stall, T <- max(T, T0 * factor)
SA_NEIGHBOURS: int = 1  # neighbours sampled per iteration, best one proposed
SA_OPERATOR_PRESET: str = "default"  # default | intensify | diversify | uniform

# --- iterated local search / iterated greedy (ils) -----------------------------------------
ILS_ITERATIONS: int = 2000  # iterations when neither an iteration nor a time limit is given
ILS_CHUNK_SIZE: int = 20  # iterations per kernel call (one step record per chunk)
ILS_PERTURBATION_STRENGTH: int = 4  # elements destroyed / perturbed per iteration
ILS_ACCEPTANCE_TEMPERATURE: float = 0.4  # Ruiz & Stuetzle T_p (scaled by the family)
ILS_LOCAL_SEARCH: str = "full"  # full (to a local optimum) | single_pass | none
ILS_PARTIAL_LOCAL_SEARCH: bool = False  # also improve the partial solution after destruction
ILS_STALL_LIMIT: int = 0  # iterations without a new best before a restart from the best (0 = never)

# --- tabu search (tabu) --------------------------------------------------------------------
TABU_ITERATIONS: int = 5000  # iterations when neither an iteration nor a time limit is given
TABU_CHUNK_SIZE: int = 200  # iterations per kernel call (one step record per chunk)
TABU_TENURE: int = 7  # base tabu tenure (iterations)
TABU_TENURE_RANDOM: int = 5  # extra tenure drawn uniformly in 0..this
TABU_ASPIRATION: bool = True  # a tabu move that gives a new best is allowed
TABU_CANDIDATES: int = 8  # candidate list size per iteration (family-specific unit)
TABU_TENURE_CONFLICT_FACTOR: float = 0.6  # colouring: tenure += factor * conflicting vertices (flow shop ignores it)
TABU_ADAPTIVE_TENURE: bool = False  # controller raises the tenure on stall, resets on a new best
TABU_STALL_LIMIT: int = 0  # iterations without a new best before tenure rise / restart (0 = never)
