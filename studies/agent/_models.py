"""Inputs and outputs of the agent tools (their JSON schemas are what MCP publishes)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from studies.agent._base import ToolInput, ToolOutput
from studies.promotion import PromotionReport
from studies.queries import BestParams, Comparison, StudyStatus, StudySummary
from studies.spec import NAME_PATTERN, BudgetSpec, CallableObjective, ParamSpec, PrunerSpec, SamplerSpec
from studies.spec import SolverObjective, WarmStartSpec

StudyName = Field(pattern=NAME_PATTERN, description="Study name (letters, digits, _ . -).")


# ---- inputs --------------------------------------------------------------------------------
class StartStudyInput(ToolInput):
    """A study by name: a new one from a spec file and/or the fields given, or an existing one to resume."""

    name: str = StudyName
    spec_path: str | None = Field(
        None, description="A YAML spec inside the project (e.g. configs/studies/sa-flowshop.yaml); the fields "
        "below override it.")
    objective: SolverObjective | CallableObjective | str | None = Field(
        None, description="{solver, problem, iterations|time_limit, fixed} or 'module:function'.")
    instances: list[str] | None = Field(None, description="Instances, e.g. ['flowshop:ta001', 'flowshop:ta002'].")
    bundle: str | None = Field(None, description="A named instance set, e.g. 'taillard-20x5'.")
    seeds: list[int] | None = None
    metric: str | None = None
    direction: str | None = Field(None, description="minimize | maximize")
    metrics: list[str] | None = Field(None, description="Several objectives, e.g. ['gap', 'seconds'] (with directions).")
    directions: list[str] | None = Field(None, description="One minimize | maximize per metric.")
    space: dict[str, ParamSpec] | None = Field(None, description="Parameter name -> range or choices.")
    sampler: SamplerSpec | None = None
    pruners: list[PrunerSpec] | None = None
    budget: BudgetSpec | None = None
    warm_starts: WarmStartSpec | None = None
    n_trials: int | None = Field(
        None, ge=1, description="Total trials of the study; starting an existing study resumes it up to this total.")
    workers: int | None = Field(None, ge=1, description="Background worker processes.")


class StudyInput(ToolInput):
    name: str = StudyName


class BestParamsInput(ToolInput):
    name: str = StudyName
    pick: str | None = Field(
        None, description="Multi-objective studies: constraints such as 'seconds<=2' (NAME OP NUMBER joined by ',' "
        "or 'and'); the front point best on the first metric among those meeting them is returned.")


class ListStudiesInput(ToolInput):
    pass


class CompareTrialsInput(ToolInput):
    name: str = StudyName
    top_k: int = Field(5, ge=1, le=50, description="How many of the best trials to compare.")


class PromoteInput(ToolInput):
    name: str = StudyName
    target: str | None = Field(
        None, description="File inside the project to rewrite (.py/.yaml/.toml); default solvers/constants.py.")
    symbol: str | list[str] | None = Field(
        None, description="Constant for the tuned parameter (NAME), or PARAM=NAME items; default by convention "
        "(sa + cooling_rate -> SA_COOLING_RATE).")
    dry_run: bool = Field(True, description="Compute the decision and the diff, write nothing.")
    force: bool = Field(False, description="Write even if the gate refuses; recorded as forced.")
    top_k: int = Field(1, ge=1, le=10, description="Re-evaluate the k best trials.")
    pick: str | None = Field(
        None, description="Multi-objective studies: the pick rule of the front point to promote, e.g. 'seconds<=2'; "
        "no objective may get significantly worse.")
    seeds: int | None = Field(None, ge=1, le=20, description="How many fresh seeds (default from settings).")
    holdout: list[str] | None = Field(None, description="Held-out instances (default: same size class, unused).")


# ---- results -------------------------------------------------------------------------------
class StartedStudy(BaseModel):
    name: str
    resumed: bool = Field(description="True when the study existed and was resumed.")
    n_trials: int = Field(description="The study's total target.")
    trials_before: int = Field(description="Trials (any state) the study had before this call.")
    workers: int
    runner_pid: int | None = Field(description="The detached runner process that supervises the workers.")
    log_path: str | None
    cost_budget: float | None
    objective: str
    storage: str
    experiment_id: str | None = None
    parent_run_id: str | None = None
    state: str


class StoppedStudy(BaseModel):
    name: str
    stopped: bool
    state: str
    detail: str


# ---- outputs -------------------------------------------------------------------------------
class StartStudyOutput(ToolOutput):
    result: StartedStudy | None = None


class StopStudyOutput(ToolOutput):
    result: StoppedStudy | None = None


class StudyStatusOutput(ToolOutput):
    result: StudyStatus | None = None


class BestParamsOutput(ToolOutput):
    result: BestParams | None = None


class ListStudiesOutput(ToolOutput):
    result: list[StudySummary] | None = None


class CompareTrialsOutput(ToolOutput):
    result: Comparison | None = None


class PromoteOutput(ToolOutput):
    result: PromotionReport | None = None
