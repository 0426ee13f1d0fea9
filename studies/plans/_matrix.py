"""The matrix of a plan: one study spec per (tier, bundle, tuner) cell, and what it will cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studies.plans._model import PlanError, PlanSpec, TunerSpec
from studies.spec import SpecError, StudySpec, load_spec

# A rough cost model for `--dry-run`: MLflow's bookkeeping per solve and per iteration of work.
SECONDS_PER_SOLVE = 0.08
SECONDS_PER_ITERATION = 4e-6


@dataclass(frozen=True)
class Cell:
    """One study of the plan."""

    plan: str
    tier: str
    bundle: str
    tuner: str
    study: str
    spec: StudySpec

    @property
    def trials(self) -> int:
        return self.spec.target_trials()

    @property
    def solves(self) -> int:
        return self.trials * len(self.spec.evaluations())

    @property
    def iterations(self) -> int:
        per_solve = self.spec.objective.iterations or 0  # type: ignore[union-attr]
        return self.solves * per_solve

    def estimated_seconds(self) -> float:
        return self.solves * SECONDS_PER_SOLVE + self.iterations * SECONDS_PER_ITERATION


def study_name(plan: str, tier: str, bundle: str, tuner: str) -> str:
    return f"{plan}.{tier}.{bundle}.{tuner}"


def trials_for(plan: PlanSpec, tier: str, tuner: TunerSpec) -> int:
    spec = plan.tiers[tier]
    return spec.trials.get(tuner.name, spec.trials.get(tuner.sampler, spec.default_trials))


def cell_data(plan: PlanSpec, tier: str, bundle_index: int, tuner: TunerSpec) -> dict[str, Any]:
    """The study spec fields of one cell (before validation)."""
    bundle = plan.bundles[bundle_index]
    iterations = plan.tiers[tier].iterations
    space = tuner.space or plan.space
    fixed = dict(plan.fixed)
    if "chunk_size" not in space and "chunk_size" not in fixed:
        fixed["chunk_size"] = max(1, iterations // plan.trace_points)
    trials = trials_for(plan, tier, tuner)
    sampler: dict[str, Any] = {"type": tuner.sampler, "seed": plan.base_seed}
    if tuner.n_startup_trials is not None:
        sampler["n_startup_trials"] = tuner.n_startup_trials
    elif tuner.sampler in ("tpe", "cmaes", "gp", "coordinate"):
        sampler["n_startup_trials"] = max(1, min(5, trials // 3))
    if tuner.sampler == "coordinate":
        groups = tuner.coordinate_tiers or [[p] for p in space]
        share = max(1, trials // len(groups))
        sampler["tiers"] = [{"params": g, "trials": share} for g in groups]
        sampler["inner"] = "random"
        space = {n: (p if p.default is not None else p.model_copy(update={"default": _midpoint(p)}))
                 for n, p in space.items()}
    data: dict[str, Any] = {
        "budget": {"n_trials": trials},
        "workers": 1,
        **plan.overrides,
        "name": study_name(plan.name, tier, bundle.name, tuner.name),
        "experiment": plan.experiment_name,
        "description": f"plan {plan.name}: tuner {tuner.name} on {bundle.name}, tier {tier}",
        "objective": {"solver": plan.solver, "problem": plan.problem, "iterations": iterations, "fixed": fixed},
        "instances": bundle.scenarios(plan.problem, plan.base_seed),
        "seeds": [plan.base_seed + k for k in range(plan.seeds)],
        "space": {n: p.model_dump(exclude_none=True) for n, p in space.items()},
        "sampler": sampler,
    }
    pruners = [p for p in data.get("pruners", []) if (p.get("type") if isinstance(p, dict) else p) != "racing"]
    if tuner.racing:
        pruners = [{"type": "racing"}, *pruners]
    data["pruners"] = pruners
    return data


def _midpoint(param) -> Any:
    if param.type == "categorical":
        return (param.choices or [None])[0]
    mid = (param.low * param.high) ** 0.5 if param.log else (param.low + param.high) / 2
    return int(round(mid)) if param.type == "int" else mid


def cell_specs(plan: PlanSpec, tiers: list[str] | None = None) -> list[Cell]:
    """Every cell of the matrix (tier-major, so a short tier finishes before a long one starts)."""
    chosen = list(plan.tiers) if not tiers else list(tiers)
    unknown = [t for t in chosen if t not in plan.tiers]
    if unknown:
        raise PlanError(f"invalid tier {unknown[0]!r}; the plan's tiers: {', '.join(plan.tiers)}")
    cells = []
    for tier in chosen:
        for b, bundle in enumerate(plan.bundles):
            for k, tuner in enumerate(plan.tuners):
                try:
                    spec = load_spec(cell_data(plan, tier, b, tuner))
                except SpecError as exc:
                    where = f"tiers.{tier} x bundles[{b}] ({bundle.name}) x tuners[{k}] ({tuner.name})"
                    raise PlanError(f"invalid plan: cell {where}: {exc}") from None
                cells.append(Cell(plan.name, tier, bundle.name, tuner.name, spec.name, spec))
    return cells
