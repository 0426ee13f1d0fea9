"""Validated configurations of the three algorithms; every knob a named field with its range.

Defaults are read from `solvers.constants` when a model is built, so a promoted constant is
the new default. Families interpret family-specific units (documented per field).

>>> SAConfig(cooling_rate=0.99).cooling_rate
0.99
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from solvers import codes, constants

Initial = Literal[codes.INITIAL]
Cooling = Literal[codes.COOLING]
OperatorPreset = Literal["default", "intensify", "diversify", "uniform"]
LocalSearch = Literal[codes.LOCAL_SEARCH]


def _default(constant: str, description: str, **bounds: Any) -> Any:
    """A field whose default is `solvers.constants.<constant>`, read when a model is built."""
    return Field(default_factory=lambda: getattr(constants, constant), description=description, **bounds)


class _Common(BaseModel):
    """Knobs every algorithm shares."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    initial: Initial = _default(
        "INITIAL", "Initial solution: random, constructive (NEH / DSatur) or multistart (best of k).")
    multistart_k: int = _default("MULTISTART_K", "Constructions tried by the multistart strategy.", ge=1, le=64)
    restarts: int = _default("RESTARTS", "Extra passes, each restarting from the best so far.", ge=0, le=100)


class SAConfig(_Common):
    """Simulated annealing."""

    chunk_size: int = _default("SA_CHUNK_SIZE", "Iterations per kernel call.", ge=1, le=10**7)
    initial_temperature: float = _default(
        "SA_INITIAL_TEMPERATURE", "Initial temperature; 0 estimates it from sampled deltas.", ge=0.0, le=1e9)
    initial_acceptance: float = _default(
        "SA_INITIAL_ACCEPTANCE", "Acceptance probability of a mean worsening move at the estimated T0.",
        gt=0.0, lt=1.0)
    temperature_samples: int = _default(
        "SA_TEMPERATURE_SAMPLES", "Random moves sampled to estimate T0.", ge=10, le=100000)
    cooling: Cooling = _default("SA_COOLING", "Cooling schedule: geometric, linear or adaptive.")
    cooling_rate: float = _default(
        "SA_COOLING_RATE", "Geometric factor per iteration (linear: T drops by (1-rate)*T0 per iteration; "
        "adaptive: factor applied up or down).", ge=0.5, le=0.99999)
    min_temperature: float = _default("SA_MIN_TEMPERATURE", "Temperature floor.", ge=0.0, le=1e6)
    target_acceptance: float = _default(
        "SA_TARGET_ACCEPTANCE", "Adaptive schedule: acceptance rate it steers to.", gt=0.0, lt=1.0)
    stall_limit: int = _default(
        "SA_STALL_LIMIT", "Iterations without a new best before the controller reheats (0 = never).", ge=0, le=10**9)
    reheat_factor: float = _default(
        "SA_REHEAT_FACTOR", "On stall the temperature becomes at least T0 * factor.", ge=0.0, le=10.0)
    neighbours: int = _default("SA_NEIGHBOURS", "Neighbours sampled per iteration; the best is proposed.",
                               ge=1, le=256)
    operator_preset: OperatorPreset = _default(
        "SA_OPERATOR_PRESET", "Named operator weights (each family defines default, intensify, diversify, "
        "uniform).")
    operator_weights: dict[str, float] | None = Field(
        None, description="Explicit weight per operator name (overrides the preset); names are family-specific.")


class ILSConfig(_Common):
    """Iterated local search (iterated greedy on permutations)."""

    chunk_size: int = _default("ILS_CHUNK_SIZE", "Iterations per kernel call.", ge=1, le=10**6)
    perturbation_strength: int = _default(
        "ILS_PERTURBATION_STRENGTH", "Elements destroyed / perturbed per iteration.", ge=1, le=1000)
    acceptance_temperature: float = _default(
        "ILS_ACCEPTANCE_TEMPERATURE", "Acceptance temperature (flow shop: T_p of Ruiz & Stuetzle, scaled by "
        "sum(p)/(10 n m)); 0 accepts only improvements or ties.", ge=0.0, le=100.0)
    local_search: LocalSearch = _default(
        "ILS_LOCAL_SEARCH", "Local search: full (to a local optimum), single_pass, or none.")
    stall_limit: int = _default(
        "ILS_STALL_LIMIT", "Iterations without a new best before a restart from the best (0 = never).",
        ge=0, le=10**9)
    partial_local_search: bool = _default(
        "ILS_PARTIAL_LOCAL_SEARCH", "Improve the partial solution between destruction and construction.")


class TabuConfig(_Common):
    """Tabu search."""

    chunk_size: int = _default("TABU_CHUNK_SIZE", "Iterations per kernel call.", ge=1, le=10**7)
    tenure: int = _default("TABU_TENURE", "Base tabu tenure in iterations.", ge=0, le=10000)
    tenure_random: int = _default("TABU_TENURE_RANDOM", "Extra tenure drawn uniformly in 0..this.", ge=0, le=10000)
    aspiration: bool = _default("TABU_ASPIRATION", "Allow a tabu move that gives a new best.")
    candidates: int = _default(
        "TABU_CANDIDATES", "Candidate list size per iteration (flow shop: jobs whose every insertion "
        "position is evaluated).", ge=1, le=10000)
    tenure_conflict_factor: float = _default(
        "TABU_TENURE_CONFLICT_FACTOR", "Colouring: tenure grows by this times the conflicting vertices "
        "(Galinier & Hao); flow shop ignores it.", ge=0.0, le=10.0)
    stall_limit: int = _default(
        "TABU_STALL_LIMIT", "Iterations without a new best before the controller raises the tenure "
        "(adaptive_tenure) or restarts from the best (0 = never).", ge=0, le=10**9)
    adaptive_tenure: bool = _default(
        "TABU_ADAPTIVE_TENURE", "On stall the controller raises the tenure; a new best resets it.")


SolverConfig = SAConfig | ILSConfig | TabuConfig
