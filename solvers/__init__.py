"""Numba kernels for metaheuristic solvers and the problem families they solve.

Imports neither MLflow nor Optuna: drivers report step records through a callback.

>>> import solvers
>>> inst = solvers.load_instance("flowshop:ta001")
>>> res = solvers.solve(inst, "ils", {"perturbation_strength": 4}, seed=1, iterations=20)
>>> res.feasible and res.objective >= inst.reference
True

Layout:
  constants.py   every default of every parameter, named <SOLVER>_<PARAM> or <PARAM>
                 (promotion rewrites one line)
  config.py      `SAConfig`, `ILSConfig`, `TabuConfig` (pydantic, extra="forbid")
  records.py     step-record and event key names
  _base.py       the family contract: `Instance`, `Family`, `Search`, `ChunkStats`
  _families.py   family registry (`FAMILY_MODULES`), `load_instance`
  _driver.py     the chunk loop (`solve`), `check` (validate without running);
                 _controller.py: reheat / tenure / restart on stall
  _rng.py        explicit xorshift64* RNG state for kernels (`seed_state`, `rand_below` ...)
  flowshop/      permutation flow shop (Taillard generator, reader/writer, kernels, searches)
  coloring/      graph colouring

How a family plugs in:
  1. Create `solvers/<family>/__init__.py` that defines `FAMILY = <YourFamily>()`, an instance
     of `solvers._base.Family`, and add `"<family>": "solvers.<family>"` to
     `solvers._families.FAMILY_MODULES` (flowshop and coloring are already listed).
  2. `Family.load(rest)` handles specs `<family>:<rest>`; `Family.read(path)` reads a file
     (chosen by `Family.suffixes`, else by `Family.sniff(head)`). Both return an
     `Instance(family, name, data, reference, lower_bound, descriptor)`; the descriptor
     is flat scalars (sizes, density, reference) that become run params.
  3. `Family.evaluate(instance, solution) -> (objective, feasible)` recomputes from scratch
     (plain code or a kernel); the driver checks every returned solution with it.
  4. `Family.search(instance, solver, config, seed) -> Search` for solver in SOLVER_NAMES,
     config an already validated `SAConfig`/`ILSConfig`/`TabuConfig`. A `Search` holds the
     state arrays (solution, best, RNG from `_rng.seed_state(seed)`, a float64 params
     array) and implements `start()` (initial solution per `config.initial`), `run(k)` (ONE
     call into an `@njit(cache=True, nogil=True)` chunk kernel for k iterations, returning
     `ChunkStats` with per-operator proposals/accepts), `best_solution()`, and optionally
     `reheat`, `scale_tenure`, `restart_from_best` for the controller.
  5. Family-specific units: `operators()` names operators per solver (step keys
     `op.<name>.proposals`), `presets()` gives SA operator weights per preset name.
The driver handles limits, step records, events, restarts and the final feasibility check.
"""

from solvers._base import ChunkStats, Family, Instance, Search
from solvers._describe import describe_solvers
from solvers._driver import check, solve
from solvers._families import available_families, get_family, load_instance
from solvers._result import SolveResult
from solvers.config import SOLVER_NAMES, ILSConfig, SAConfig, TabuConfig, config_model, make_config
from solvers.errors import ConfigError, ProblemError, SolverError, UnknownSolverError

__all__ = [
    "SOLVER_NAMES",
    "ChunkStats",
    "ConfigError",
    "Family",
    "ILSConfig",
    "Instance",
    "ProblemError",
    "SAConfig",
    "Search",
    "SolveResult",
    "SolverError",
    "TabuConfig",
    "UnknownSolverError",
    "available_families",
    "check",
    "config_model",
    "describe_solvers",
    "get_family",
    "load_instance",
    "make_config",
    "solve",
]
