"""Numba kernels for metaheuristic solvers and the problem families they solve.

Imports neither MLflow nor Optuna: drivers report step records through a callback.

>>> import solvers
>>> inst = solvers.load_instance("flowshop:ta001")
>>> res = solvers.solve(inst, "ils", {"perturbation_strength": 4}, seed=1, iterations=20)
>>> res.feasible and res.objective >= inst.reference
True

Layout:
  registry.py    the one registry of solvers and families: `solver_names()`, `family_names()`,
                 `config_class(solver)`, `make_config`, `get_family`, `register_family`,
                 `register_solver`; the study spec, the agent guardrails and the CLI read it
  constants.py   every default of every parameter, named <SOLVER>_<PARAM> or <PARAM>
                 (promotion rewrites one line)
  config.py      `SAConfig`, `ILSConfig`, `TabuConfig` (pydantic, extra="forbid")
  codes.py       integer codes of categorical values, the same in every family's kernels
  records.py     step-record and event key names
  _base.py       the family contract: `Instance`, `Family`, `Search`, `ChunkStats`
  _instances.py  `load_instance` (a `family:name` spec or a file)
  _driver.py     the chunk loop (`solve`), `check` (validate without running);
                 _controller.py: reheat / tenure / restart on stall
  _warmup.py     `warm(family, solver)` / `warmup()`: kernels compiled before any solver clock
  _anneal.py     what every SA kernel shares: params layout, cooling schedules, T0 estimate
  _rng.py        explicit xorshift64* RNG state for kernels (`seed_state`, `rand_below` ...)
  flowshop/      permutation flow shop
  coloring/      graph colouring

Every family package has the same file roles:
  __init__.py    `FAMILY = <YourFamily>()` and the public names
  _family.py     the `Family`: specs, files, evaluation, `search(...)`
  _searches.py   one `Search` per solver (Python state holders; `SEARCHES` by solver name)
  _sa_kernel.py, _ils_kernel.py, _tabu_kernel.py
                 one chunk kernel per solver: `<solver>_chunk(data, state..., params, [fstate],
                 workspaces, rng, counts, iterations)`; `OPERATORS`, `P_*` params layout
  _moves.py      objective and move evaluation kernels (no allocation; workspaces passed in)
  _construct.py  constructive solutions (NEH / greedy, DSatur)
  _io.py         the public file format

How a family plugs in:
  1. Create a package (anywhere importable) whose `__init__.py` defines `FAMILY = <YourFamily>()`,
     an instance of `solvers.Family`, and register it once:
     `solvers.register_family("<family>", "<package>")` (or pass the `Family` instance itself).
     Nothing else changes: study specs (`objective.problem`), the agent guardrails and the CLI
     (`tunetrack solve --problem <family>:<name>`) read `solvers.registry`. Built-in families
     are registered at the bottom of `solvers/registry.py`. For studies with several worker
     processes, declare the family as an installed entry point instead (group
     `tunetrack.families`, `<family> = "<package>"`), so every process finds it.
  2. `Family.load(rest)` handles specs `<family>:<rest>`; `Family.read(path)` reads a file
     (chosen by `Family.suffixes`, else by `Family.sniff(head)`). Both return an
     `Instance(family, name, data, reference, lower_bound, descriptor)`; the descriptor
     is flat scalars (sizes, density, reference) that become run params.
  3. `Family.evaluate(instance, solution) -> (objective, feasible)` recomputes from scratch
     (plain code or a kernel); the driver checks every returned solution with it.
  4. `Family.search(instance, solver, config, seed) -> Search` for solver in `solver_names()`,
     config an already validated `SAConfig`/`ILSConfig`/`TabuConfig`. A `Search` holds the
     state arrays (solution, best, RNG from `_rng.seed_state(seed)`, a float64 params
     array) and implements `start()` (initial solution per `config.initial`), `run(k)` (ONE
     call into an `@njit(cache=True, nogil=True)` chunk kernel for k iterations, returning
     `ChunkStats` with per-operator proposals/accepts), `best_solution()`, and optionally
     `reheat`, `scale_tenure`, `restart_from_best` for the controller. Categorical knobs go
     into params as `solvers.codes` integers; SA kernels use `solvers._anneal`.
  5. Family-specific units: `operators()` names operators per solver (step keys
     `op.<name>.proposals`), `presets()` gives SA operator weights per preset name.
  6. `warmup_spec`: a tiny instance on which every kernel runs, so `solve` compiles before its
     clock starts and `tunetrack warmup` fills numba's cache.
The driver handles limits, step records, events, restarts and the final feasibility check.
"""

import solvers._jit  # noqa: F401  (code generation options, before any kernel compiles)
from solvers._base import ChunkStats, Family, Instance, Search
from solvers._describe import describe_solvers
from solvers._driver import check, solve
from solvers._instances import load_instance
from solvers._result import SolveResult
from solvers._warmup import Warmed, warm, warmup
from solvers.config import ILSConfig, SAConfig, TabuConfig
from solvers.errors import ConfigError, ProblemError, SolverError, UnknownSolverError
from solvers.registry import (
    available_families,
    config_class,
    family_names,
    get_family,
    make_config,
    register_family,
    register_solver,
    solver_names,
)

__all__ = [
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
    "Warmed",
    "available_families",
    "check",
    "config_class",
    "describe_solvers",
    "family_names",
    "get_family",
    "load_instance",
    "make_config",
    "register_family",
    "register_solver",
    "solve",
    "solver_names",
    "warm",
    "warmup",
]
