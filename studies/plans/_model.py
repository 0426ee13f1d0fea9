"""The plan model: tuners x bundles x budget tiers, one pydantic model as strict as study specs.

A plan names what is tuned (a solver on a problem family and its space), the bundles it is
tuned on (named bundles, listed instances, or synthetic tiers of random instances by size),
the tuners (a sampler, racing on or off, optionally its own space), and the budget tiers
(iterations per solve, trials per tuner kind). Each (tier, bundle, tuner) cell is one study.

Example (`configs/plans/smoke.yaml`):

    name: smoke
    solver: sa
    problem: flowshop
    space: {cooling_rate: {type: float, low: 0.99, high: 0.9999, log: true}}
    bundles: [{name: tiny, instances: [ta001, ta002]}]
    tuners: [{name: random, sampler: random}, {name: tpe, sampler: tpe, racing: true}]
    tiers: {short: {iterations: 2000, trials: {random: 4, tpe: 6}}}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from studies.bundles import BUNDLES
from studies.spec import NAME_PATTERN, ParamSpec, SpecError
from tracker.errors import describe_validation_error

_STRICT = ConfigDict(extra="forbid", validate_default=True)
TunerKind = Literal["grid", "random", "tpe", "cmaes", "gp", "coordinate"]
TUNER_KINDS: tuple[str, ...] = ("grid", "random", "tpe", "cmaes", "gp", "coordinate")
SLUG = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,29}$"


class PlanError(SpecError):
    """A plan that cannot be run; the message names each bad field and what it accepts."""


class SyntheticSpec(BaseModel):
    """Random instances of one size: `<problem>:random:<size>:seed=<base_seed * 1000 + index>`."""

    model_config = _STRICT

    size: str = Field(pattern=r"^\d+x\d+$", description="jobs x machines, e.g. 20x5.")
    count: int = Field(ge=1, le=100)


class BundleSpec(BaseModel):
    """A scenario set: a shipped bundle by name (optionally its first `take`), listed instances, or synthetic."""

    model_config = _STRICT

    name: str = Field(pattern=SLUG)
    instances: list[str] | None = None
    synthetic: SyntheticSpec | None = None
    take: int | None = Field(None, ge=1, description="Only the first `take` scenarios.")

    @model_validator(mode="after")
    def _known(self) -> "BundleSpec":
        if self.instances is not None and self.synthetic is not None:
            raise ValueError("give 'instances' or 'synthetic', not both")
        if self.instances is None and self.synthetic is None and self.name not in BUNDLES:
            raise ValueError(f"unknown bundle {self.name!r}: give 'instances' or 'synthetic', or one of "
                             f"{', '.join(sorted(BUNDLES))}")
        if self.instances is not None and not self.instances:
            raise ValueError("'instances' is empty")
        return self

    def scenarios(self, problem: str, base_seed: int) -> list[str]:
        if self.synthetic is not None:
            names = [f"{problem}:random:{self.synthetic.size}:seed={base_seed * 1000 + i}"
                     for i in range(self.synthetic.count)]
        else:
            names = list(self.instances if self.instances is not None else BUNDLES[self.name])
        return names[: self.take] if self.take else names


class TunerSpec(BaseModel):
    """One way of tuning: a sampler, racing on or off, optionally its own space (a grid needs steps or choices)."""

    model_config = _STRICT

    name: str = Field(pattern=SLUG)
    sampler: TunerKind
    racing: bool = False
    space: dict[str, ParamSpec] | None = Field(None, description="Replaces the plan's space for this tuner.")
    coordinate_tiers: list[list[str]] | None = Field(
        None, description="coordinate: parameter groups tuned one after another (default: one per parameter).")
    n_startup_trials: int | None = Field(None, ge=0)


class TierSpec(BaseModel):
    """A budget: iterations per solve, and trials per tuner kind (or tuner name)."""

    model_config = _STRICT

    iterations: int = Field(gt=0, description="Iterations per solve.")
    trials: dict[str, int] = Field(default_factory=dict, description="Trials per tuner kind or tuner name.")
    default_trials: int = Field(8, gt=0, description="Trials of a tuner the 'trials' map does not name.")

    @model_validator(mode="after")
    def _positive(self) -> "TierSpec":
        for key, value in self.trials.items():
            if value <= 0:
                raise ValueError(f"trials.{key}: must be > 0 (got {value})")
        return self


class LongLeashSpec(BaseModel):
    """Long solves of each cell's best configuration, for convergence data (`plan run --long-leash`)."""

    model_config = _STRICT

    factor: int = Field(5, ge=1, le=1000, description="Iterations = the tier's iterations x factor.")
    seeds: int = Field(3, ge=1, le=50)


class PlanSpec(BaseModel):
    """Everything a plan needs; see the module docstring for an example."""

    model_config = _STRICT

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
    description: str = ""
    experiment: str | None = Field(None, description="MLflow experiment of the plan and its studies (default plan-<name>).")
    solver: Literal["sa", "ils", "tabu"]
    problem: Literal["flowshop", "coloring"]
    space: dict[str, ParamSpec] = Field(min_length=1)
    fixed: dict[str, Any] = Field(default_factory=dict)
    base_seed: int = Field(1, ge=0)
    seeds: int = Field(1, ge=1, le=20, description="Solve seeds base_seed .. base_seed + seeds - 1.")
    trace_points: int = Field(20, ge=1, le=1000, description="Step records per solve (sets chunk_size).")
    bundles: list[BundleSpec] = Field(min_length=1)
    tuners: list[TunerSpec] = Field(min_length=1)
    tiers: dict[str, TierSpec] = Field(min_length=1)
    long_leash: LongLeashSpec = Field(default_factory=LongLeashSpec)
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Study spec fields applied to every cell (e.g. retries, workers, pruners).")

    @model_validator(mode="after")
    def _coherent(self) -> "PlanSpec":
        for label, items in (("bundles", [b.name for b in self.bundles]), ("tuners", [t.name for t in self.tuners])):
            if len(items) != len(set(items)):
                raise ValueError(f"{label}: names must be unique (got {items})")
        for tier_name in self.tiers:
            if not _slug(tier_name):
                raise ValueError(f"tiers.{tier_name}: a tier name is letters, digits, _ or - (up to 30)")
        known = set(TUNER_KINDS) | {t.name for t in self.tuners}
        for tier_name, tier in self.tiers.items():
            for key in tier.trials:
                if key not in known:
                    raise ValueError(f"tiers.{tier_name}.trials.{key}: unknown tuner; allowed: {', '.join(sorted(known))}")
        for k, tuner in enumerate(self.tuners):
            space = tuner.space or self.space
            for group in tuner.coordinate_tiers or []:
                for param in group:
                    if param not in space:
                        raise ValueError(f"tuners[{k}].coordinate_tiers: {param!r} is not in the space")
        forbidden = {"name", "experiment", "objective", "instances", "bundle", "seeds", "space", "sampler"} & set(self.overrides)
        if forbidden:
            raise ValueError(f"overrides: {sorted(forbidden)} are set by the plan itself; allowed: budget, pruners, "
                             "workers, retries, trial_timeout_s, numba_threads, metric, direction, description")
        return self

    @property
    def experiment_name(self) -> str:
        return self.experiment or f"plan-{self.name}"


def _slug(name: str) -> bool:
    import re

    return re.fullmatch(SLUG, name) is not None


def load_plan(source: PlanSpec | dict[str, Any] | str | Path) -> PlanSpec:
    """A validated plan from a model, a mapping or a YAML file (a bare name looks in configs/plans/)."""
    if isinstance(source, PlanSpec):
        return source
    if isinstance(source, dict):
        data = source
    else:
        path = resolve_plan_path(source)
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise PlanError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise PlanError(f"{path}: a plan is a mapping of fields, got {type(data).__name__}")
    try:
        plan = PlanSpec.model_validate(data)
    except ValidationError as exc:
        raise PlanError(describe_validation_error(exc, "plan")) from None
    from studies.plans._matrix import cell_specs

    cell_specs(plan)  # every cell must be a valid study spec (solver parameters, instances, grids)
    return plan


def resolve_plan_path(source: str | Path) -> Path:
    path = Path(source)
    if path.is_file():
        return path
    shipped = Path("configs/plans") / f"{source}.yaml"
    if shipped.is_file():
        return shipped
    raise PlanError(f"plan file not found: {path}")
