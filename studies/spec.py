"""The study spec: one pydantic model for YAML files, the Python API, the CLI and agent tools.

A bad spec is refused with the field path and the reason before anything is created.

Example (YAML under `configs/studies/`):

    name: sa-flowshop
    objective: {solver: sa, problem: flowshop, iterations: 20000}
    bundle: taillard-20x5
    seeds: [1]
    space:
      cooling_rate: {type: float, low: 0.99, high: 0.99999, log: true}
      operator_preset: {type: categorical, choices: [default, intensify, diversify]}
    sampler: {type: tpe, seed: 1}
    pruners: [{type: racing}, {type: cost_budget}]
    budget: {n_trials: 30, cost: 300}
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from studies.bundles import bundle_instances
from tracker.errors import TunetrackError, describe_validation_error

_STRICT = ConfigDict(extra="forbid", validate_default=True)
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$"
Scalar = str | int | float | bool
Direction = Literal["minimize", "maximize"]
MetricName = Annotated[str, Field(pattern=r"^[A-Za-z_][\w.]*$")]
SOLVER_METRICS = ("gap", "objective", "seconds", "iterations", "cost")
"""What a built-in solver objective can optimise: the mean over evaluations of the relative gap
(the objective when there is no reference), the objective, solver seconds and iterations; and
`cost`, the trial's spend (seconds x the cost rate) as the cost budget counts it."""
RESERVED_METRICS = ("value", "cost")
"""Trial-run metric names tunetrack writes itself; a callable objective's named values cannot use them."""
MULTI_OBJECTIVE_SAMPLERS = ("nsga2", "nsga3", "tpe", "random", "grid")
SINGLE_OBJECTIVE_PRUNERS = {
    "racing": "it races trials on one reported value per evaluation",
    "median": "it compares one intermediate value per step",
    "hyperband": "it ranks brackets on one intermediate value per step",
}


class SpecError(TunetrackError, ValueError):
    """A study spec that cannot be run; the message names each bad field."""


class ParamSpec(BaseModel):
    """One dimension of the search space."""

    model_config = _STRICT

    type: Literal["float", "int", "categorical"]
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: list[Scalar] | None = None
    condition: dict[str, list[Scalar]] | None = Field(
        None, description="Only sampled when each named parameter has one of the listed values.")
    default: Scalar | None = Field(None, description="Value used while another tier is tuned (coordinate descent).")

    @model_validator(mode="after")
    def _consistent(self) -> "ParamSpec":
        if self.type == "categorical":
            if not self.choices:
                raise ValueError("a categorical parameter needs a non-empty 'choices' list")
            if self.low is not None or self.high is not None or self.log or self.step is not None:
                raise ValueError("a categorical parameter takes 'choices', not low/high/log/step")
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"a {self.type} parameter needs 'low' and 'high'")
        if self.low >= self.high:
            raise ValueError(f"'low' must be below 'high' but got low={self.low}, high={self.high}")
        if self.log and self.low <= 0:
            raise ValueError(f"a log-scaled parameter needs low > 0 but got low={self.low}")
        if self.log and self.step is not None:
            raise ValueError("'log' and 'step' cannot be combined")
        if self.step is not None and self.step <= 0:
            raise ValueError(f"'step' must be positive but got {self.step}")
        if self.choices is not None:
            raise ValueError(f"a {self.type} parameter takes low/high, not 'choices'")
        return self

    def grid_values(self, name: str) -> list[Scalar]:
        """Every value a grid visits; floats need a step."""
        if self.type == "categorical":
            return list(self.choices or [])
        step = self.step if self.step is not None else (1 if self.type == "int" else None)
        if step is None:
            raise SpecError(f"space.{name}: a grid needs 'step' (or 'choices') for float parameters")
        count = int(round((self.high - self.low) / step)) + 1
        values = [self.low + i * step for i in range(count) if self.low + i * step <= self.high + 1e-12]
        return [int(round(v)) for v in values] if self.type == "int" else [round(v, 12) for v in values]


class SolverObjective(BaseModel):
    """A built-in solver on a problem family; the value is the mean relative gap to the reference."""

    model_config = _STRICT

    solver: str = Field(description="A registered solver (`solvers.solver_names()`: sa, ils, tabu, ...).")
    problem: str = Field(description="A registered family (`solvers.family_names()`: flowshop, coloring, ...).")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Solver parameters not tuned.")
    time_limit: float | None = Field(None, gt=0, description="Seconds per solve.")
    iterations: int | None = Field(None, ge=1, description="Iterations per solve.")

    @field_validator("solver")
    @classmethod
    def _registered_solver(cls, value: str) -> str:
        from solvers import solver_names

        if value not in solver_names():
            raise ValueError(f"must be one of {', '.join(solver_names())} (got {value!r})")
        return value

    @field_validator("problem")
    @classmethod
    def _registered_family(cls, value: str) -> str:
        from solvers import family_names

        if value not in family_names():
            raise ValueError(f"must be one of {', '.join(family_names())} (got {value!r})")
        return value

    @model_validator(mode="after")
    def _limited(self) -> "SolverObjective":
        if self.time_limit is None and self.iterations is None:
            raise ValueError("give 'time_limit' or 'iterations' so every solve ends")
        return self

    @property
    def label(self) -> str:
        return f"solver:{self.solver}"


class CallableObjective(BaseModel):
    """Any importable `module:function(trial) -> float`."""

    model_config = _STRICT

    function: str = Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
    kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments; secrets only as '${ENV_VAR}', read in the worker.")

    @field_validator("kwargs")
    @classmethod
    def _no_literal_secrets(cls, value: dict[str, Any]) -> dict[str, Any]:
        from tracker.redaction import literal_secrets

        found = literal_secrets(value, "kwargs")
        if found:
            raise ValueError(f"{', '.join(found)}: a secret in a spec would be stored with the study; write "
                             "'${ENV_VAR}' instead and set that variable where the workers run")
        return value

    @property
    def label(self) -> str:
        return self.function


class TierSpec(BaseModel):
    """A coordinate-descent tier: its parameters, its trials, and the gate it must pass."""

    model_config = _STRICT

    params: list[str] = Field(min_length=1)
    trials: int = Field(ge=1)
    min_improvement: float = Field(
        0.0, ge=0.0, description="Relative improvement over the incumbent the tier's best needs to be kept.")


class SamplerSpec(BaseModel):
    model_config = _STRICT

    type: Literal["tpe", "random", "grid", "cmaes", "gp", "coordinate", "nsga2", "nsga3"] = Field(
        "tpe", description="Default tpe; nsga2 for a multi-objective study.")
    seed: int | None = None
    n_startup_trials: int = Field(5, ge=0)
    population_size: int | None = Field(None, ge=2, description="nsga2/nsga3: trials per generation (default 50).")
    tiers: list[TierSpec] | None = None
    inner: Literal["tpe", "random"] = Field("tpe", description="Sampler used inside a coordinate-descent tier.")

    @model_validator(mode="after")
    def _tiers(self) -> "SamplerSpec":
        if self.type == "coordinate" and not self.tiers:
            raise ValueError("the coordinate sampler needs 'tiers'")
        if self.type != "coordinate" and self.tiers:
            raise ValueError(f"'tiers' only apply to the coordinate sampler, not {self.type!r}")
        return self


class PrunerSpec(BaseModel):
    model_config = _STRICT

    type: Literal["racing", "cost_budget", "median", "hyperband", "none"]
    p_threshold: float = Field(0.1, gt=0.0, lt=1.0, description="racing: Wilcoxon p-value below which a trial is dropped.")
    n_startup_steps: int = Field(2, ge=0, description="racing/median: steps before pruning may start.")
    n_startup_trials: int = Field(3, ge=0, description="median: trials before pruning may start.")
    min_resource: int = Field(1, ge=1, description="hyperband: minimum steps.")
    max_resource: int | Literal["auto"] = Field("auto", description="hyperband: maximum steps.")


class BudgetSpec(BaseModel):
    model_config = _STRICT

    n_trials: int = Field(20, ge=1, le=100_000, description="Total trials of the study (resume adds what is missing).")
    timeout_s: float | None = Field(None, gt=0, description="Wall-clock limit of one start.")
    cost: float | None = Field(None, gt=0, description="Spend limit in cost units (seconds x the cost rate).")


class WarmStartSpec(BaseModel):
    model_config = _STRICT

    from_constants: bool = Field(False, description="Try the solver's current defaults (the constants) first.")
    enqueue: list[dict[str, Scalar]] = Field(default_factory=list, description="Configurations tried first.")
    from_study: str | None = Field(None, description="Also try the best configurations of this study.")
    top_k: int = Field(1, ge=1, le=100)


class StudySpec(BaseModel):
    """Everything a study needs; see the module docstring for an example."""

    model_config = _STRICT

    name: str = Field(pattern=NAME_PATTERN)
    experiment: str | None = Field(None, description="MLflow experiment name (default: the study name).")
    description: str = ""
    objective: SolverObjective | CallableObjective
    instances: list[str] = Field(default_factory=list)
    bundle: str | None = None
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    metric: str = Field("gap", pattern=r"^[A-Za-z_][\w.]*$")
    direction: Direction = "minimize"
    metrics: list[MetricName] = Field(
        default_factory=list, description="Several objectives (with `directions`); one objective uses `metric`.")
    directions: list[Direction] = Field(default_factory=list, description="One direction per entry of `metrics`.")
    reference_point: list[float] | None = Field(
        None, description="Hypervolume reference point, one value per metric (default: the worst observed values "
        "plus a margin).")
    space: dict[str, ParamSpec] = Field(default_factory=dict)
    sampler: SamplerSpec = Field(default_factory=SamplerSpec)
    pruners: list[PrunerSpec] = Field(default_factory=list)
    budget: BudgetSpec = Field(default_factory=BudgetSpec)
    workers: int = Field(1, ge=1, le=64)
    retries: int = Field(1, ge=0, le=10, description="Times a failed trial is retried with the same parameters.")
    trial_timeout_s: float | None = Field(None, gt=0, description="A trial still running after this fails.")
    numba_threads: int = Field(1, ge=1, le=64, description="Numba threads per worker process.")
    warm_starts: WarmStartSpec = Field(default_factory=WarmStartSpec)

    @field_validator("objective", mode="before")
    @classmethod
    def _objective_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"function": value}
        return value

    @model_validator(mode="after")
    def _coherent(self) -> "StudySpec":
        if self.bundle is not None:
            try:
                bundle_instances(self.bundle)
            except KeyError as exc:
                raise ValueError(f"bundle: {exc.args[0]}") from None
        if isinstance(self.objective, SolverObjective) and not self.evaluation_instances():
            raise ValueError("a solver objective needs 'instances' or a 'bundle'")
        for name, param in self.space.items():
            for other in (param.condition or {}):
                if other not in self.space:
                    raise ValueError(f"space.{name}.condition names {other!r}, which is not in the space")
        if self.sampler.tiers:
            tiered = [p for tier in self.sampler.tiers for p in tier.params]
            unknown = sorted(set(tiered) - set(self.space))
            if unknown:
                raise ValueError(f"sampler.tiers name parameters not in the space: {unknown}")
            if len(tiered) != len(set(tiered)):
                raise ValueError("sampler.tiers: a parameter may appear in one tier only")
            missing = [p for p in self.space if p not in tiered and self.space[p].default is None]
            if missing:
                raise ValueError(f"space parameters outside every tier need a 'default': {missing}")
        if self.sampler.type == "grid":
            for name, param in self.space.items():
                param.grid_values(name)
        kinds = [p.type for p in self.pruners]
        if len(kinds) != len(set(kinds)):
            raise ValueError("pruners: each pruner type may appear once")
        if "cost_budget" in kinds and self.budget.cost is None:
            raise ValueError("the cost_budget pruner needs budget.cost")
        _check_objectives(self)  # may make nsga2 the default sampler
        if self.sampler.population_size is not None and self.sampler.type not in ("nsga2", "nsga3"):
            raise ValueError(f"sampler.population_size only applies to the nsga2 and nsga3 samplers, "
                             f"not {self.sampler.type!r}")
        if self.warm_starts.from_constants and not isinstance(self.objective, SolverObjective):
            raise ValueError("warm_starts.from_constants needs a built-in solver objective (its constants)")
        for index, params in enumerate(self.warm_starts.enqueue):
            for name, value in params.items():
                where = f"warm_starts.enqueue[{index}].{name}"
                if name not in self.space:
                    raise ValueError(f"{where}: not a parameter of the space ({', '.join(self.space) or 'empty'})")
                problem = outside_space(self.space[name], value)
                if problem:
                    raise ValueError(f"{where}: {problem}")
        return self

    # ---- derived views ---------------------------------------------------------------
    @property
    def experiment_name(self) -> str:
        return self.experiment or self.name

    @property
    def objective_label(self) -> str:
        return self.objective.label

    @property
    def multi_objective(self) -> bool:
        return len(self.metrics) > 1

    @property
    def objective_names(self) -> list[str]:
        """The metric of each objective, in the order Optuna holds the values."""
        return list(self.metrics) if self.metrics else [self.metric]

    @property
    def objective_directions(self) -> list[str]:
        return list(self.directions) if self.directions else [self.direction]

    def evaluation_instances(self) -> list[str]:
        """The instances a trial evaluates, family-qualified, in racing order."""
        names = list(self.instances) + (list(bundle_instances(self.bundle)) if self.bundle else [])
        problem = self.objective.problem if isinstance(self.objective, SolverObjective) else None
        qualified = [n if (":" in n or problem is None or Path(n).suffix) else f"{problem}:{n}" for n in names]
        return list(dict.fromkeys(qualified))

    def evaluations(self) -> list[tuple[str, int]]:
        """(instance, seed) pairs in order: seed-major, so racing sees every instance early."""
        return [(inst, seed) for seed in self.seeds for inst in self.evaluation_instances()]

    def grid(self) -> list[dict[str, Scalar]]:
        names = list(self.space)
        values = [self.space[n].grid_values(n) for n in names]
        return [dict(zip(names, combo)) for combo in itertools.product(*values)]

    def target_trials(self) -> int:
        return min(self.budget.n_trials, len(self.grid())) if self.sampler.type == "grid" else self.budget.n_trials

    def tuner_meta(self) -> dict[str, Any]:
        """What the study run records as params: sampler, pruners, budget, space summary, seeds, instances."""
        return {
            "objective": self.objective_label,
            "metric": ",".join(self.objective_names),
            "direction": ",".join(self.objective_directions),
            "sampler": self.sampler.model_dump(exclude_none=True),
            "pruners": ",".join(p.type for p in self.pruners) or "none",
            "budget": self.budget.model_dump(exclude_none=True),
            "space": {name: _summary(p) for name, p in self.space.items()},
            "seeds": self.seeds,
            "instances": ",".join(self.evaluation_instances()),
            "workers": self.workers,
            "evaluation_budget": self.evaluation_budget(),
        }

    def evaluation_budget(self) -> str:
        """The per-solve limit trials were evaluated at (promotion compares it with the solver's default)."""
        objective = self.objective
        if not isinstance(objective, SolverObjective):
            return "set by the objective"
        parts = ([f"{objective.iterations} iterations"] if objective.iterations else []) + (
            [f"{objective.time_limit:g} s"] if objective.time_limit else [])
        return " or ".join(parts)


def _check_objectives(spec: StudySpec) -> None:
    """`metrics`/`directions`: equal lengths, known names, and only samplers and pruners that handle several.

    A single entry is the short form: it becomes `metric`/`direction`.
    """
    if spec.directions and not spec.metrics:
        raise ValueError("directions: needs 'metrics' (one direction per metric); one objective uses 'direction'")
    if spec.metrics and len(spec.directions) != len(spec.metrics):
        raise ValueError(f"directions: give one direction (minimize | maximize) per metric; got "
                         f"{len(spec.directions)} for {len(spec.metrics)} metrics {spec.metrics}")
    if spec.metrics:
        explicit = {"metric", "direction"} & spec.model_fields_set
        if (spec.metric, spec.direction) != (spec.metrics[0], spec.directions[0]) and explicit:
            raise ValueError("give either metric/direction (one objective) or metrics/directions, not both")
        spec.metric, spec.direction = spec.metrics[0], spec.directions[0]  # the first objective
    if len(spec.metrics) == 1:
        spec.metrics, spec.directions = [], []
    if not spec.multi_objective:
        if spec.reference_point is not None:
            raise ValueError("reference_point: only a multi-objective study (metrics: [...]) has a hypervolume")
        return
    if len(set(spec.metrics)) != len(spec.metrics):
        raise ValueError(f"metrics: each metric may appear once, got {spec.metrics}")
    if isinstance(spec.objective, SolverObjective):
        for i, name in enumerate(spec.metrics):
            if name not in SOLVER_METRICS:
                raise ValueError(f"metrics.{i}: {name!r} is not reported by the built-in solver objective; "
                                 f"allowed: {', '.join(SOLVER_METRICS)}")
    else:
        for i, name in enumerate(spec.metrics):
            if name in RESERVED_METRICS:
                raise ValueError(f"metrics.{i}: {name!r} is a metric tunetrack records on every trial run; "
                                 f"name the objective otherwise (reserved: {', '.join(RESERVED_METRICS)})")
    if spec.reference_point is not None and len(spec.reference_point) != len(spec.metrics):
        raise ValueError(f"reference_point: give one value per metric ({len(spec.metrics)}), "
                         f"got {len(spec.reference_point)}")
    if "type" not in spec.sampler.model_fields_set:
        spec.sampler.type = "nsga2"
    if spec.sampler.type not in MULTI_OBJECTIVE_SAMPLERS:
        raise ValueError(f"sampler.type: {spec.sampler.type!r} optimises one objective; a multi-objective study "
                         f"uses one of {', '.join(MULTI_OBJECTIVE_SAMPLERS)} (default nsga2)")
    for i, pruner in enumerate(spec.pruners):
        if pruner.type in SINGLE_OBJECTIVE_PRUNERS:
            raise ValueError(f"pruners.{i}: {pruner.type!r} is refused for a multi-objective study: "
                             f"{SINGLE_OBJECTIVE_PRUNERS[pruner.type]}, and a multi-objective trial has "
                             f"{len(spec.metrics)} ({', '.join(spec.metrics)}); use cost_budget or none")


def outside_space(param: ParamSpec, value: Any) -> str | None:
    """Why `value` cannot be proposed by `param` (None when it can)."""
    if param.type == "categorical":
        return None if value in (param.choices or []) else f"{value!r} is not one of {param.choices}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{value!r} is not a number"
    if param.type == "int" and int(value) != value:
        return f"{value!r} is not an integer"
    if not param.low <= value <= param.high:
        return f"{value!r} is outside [{param.low:g}, {param.high:g}]"
    return None


def constants_warm_start(spec: StudySpec) -> dict[str, Scalar]:
    """The solver's current defaults (with the spec's fixed values) for every parameter of the space."""
    import solvers

    assert isinstance(spec.objective, SolverObjective)
    config = solvers.make_config(spec.objective.solver, spec.objective.fixed).model_dump()
    return {name: config[name] for name in spec.space}


def _summary(param: ParamSpec) -> str:
    if param.type == "categorical":
        return "{" + ",".join(map(str, param.choices or [])) + "}"
    scale = " log" if param.log else (f" step {param.step:g}" if param.step else "")
    return f"{param.type} [{param.low:g}, {param.high:g}]{scale}"



def load_spec(source: StudySpec | dict[str, Any] | str | Path, **overrides: Any) -> StudySpec:
    """A validated spec from a model, a mapping or a YAML file; `overrides` replace top-level fields."""
    if isinstance(source, StudySpec):
        data = source.model_dump(mode="json", exclude_unset=False)
    elif isinstance(source, dict):
        data = dict(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise SpecError(f"spec file not found: {path}")
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise SpecError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise SpecError(f"{path}: a spec is a mapping of fields, got {type(data).__name__}")
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        spec = StudySpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(describe_validation_error(exc, "study spec")) from None
    check_sampler(spec)
    check_callable(spec)
    check_against_solver(spec)
    return spec


def check_sampler(spec: StudySpec) -> None:
    """A sampler that needs an optional dependency is refused, naming the extra, when it is missing."""
    from studies.samplers import missing_extra

    extra = missing_extra(spec.sampler.type)
    if extra:
        raise SpecError(
            f"invalid study spec:\n  sampler.type: {spec.sampler.type!r} needs PyTorch, which is not installed; "
            f"install the extra: pip install -e \".[{extra}]\" (or pip install 'tunetrack[{extra}]')")


def check_callable(spec: StudySpec) -> None:
    """A `module:function` objective must import now, not fail in every trial."""
    if isinstance(spec.objective, CallableObjective):
        from studies.objectives._callable import resolve

        try:
            resolve(spec.objective.function)
        except SpecError as exc:
            raise SpecError(f"invalid study spec:\n  {exc}") from None


def check_against_solver(spec: StudySpec) -> None:
    """Space and fixed values must be real, valid parameters of the chosen solver."""
    if not isinstance(spec.objective, SolverObjective):
        return
    import solvers

    model = solvers.config_class(spec.objective.solver)
    allowed = sorted(model.model_fields)
    for name in list(spec.space) + list(spec.objective.fixed):
        if name not in model.model_fields:
            where = "space" if name in spec.space else "objective.fixed"
            raise SpecError(
                f"invalid study spec:\n  {where}.{name}: not a parameter of solver "
                f"{spec.objective.solver!r}; allowed: {', '.join(allowed)}")
    try:
        solvers.make_config(spec.objective.solver, spec.objective.fixed)
    except ValueError as exc:
        raise SpecError(f"invalid study spec:\n  objective.fixed: {exc}") from None
    for name, param in spec.space.items():  # every value the space can propose must be a valid setting
        edges = list(param.choices or []) if param.type == "categorical" else [param.low, param.high]
        for value in edges:
            value = int(value) if param.type == "int" else value
            try:
                solvers.make_config(spec.objective.solver, {**spec.objective.fixed, name: value})
            except ValueError as exc:
                raise SpecError(f"invalid study spec:\n  space.{name}: {value!r} is not a valid setting: {exc}") from None
    for instance in spec.evaluation_instances():
        try:
            solvers.load_instance(instance)
        except Exception as exc:  # noqa: BLE001 - any reader error is a spec error here
            raise SpecError(f"invalid study spec:\n  instances: {instance!r}: {exc}") from None
    if spec.warm_starts.from_constants:
        for name, value in constants_warm_start(spec).items():
            problem = outside_space(spec.space[name], value)
            if problem:
                raise SpecError(f"invalid study spec:\n  warm_starts.from_constants: the current default of "
                                f"{name} cannot be proposed by space.{name}: {problem}")


def spec_to_json(spec: StudySpec) -> str:
    """The spec as stored with the study (credentials masked, though a valid spec holds none)."""
    import json

    from tracker.redaction import redact

    return json.dumps(redact(spec.model_dump(mode="json")))


def spec_from_json(text: str) -> StudySpec:
    return StudySpec.model_validate_json(text)
