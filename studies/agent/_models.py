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
    cluster: str | None = Field(
        None, description="Run the workers as Dask tasks: 'local', 'local:N' or a scheduler 'tcp://host:8786' "
        "(default: the cluster.address setting, else local processes).")


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


# ---- plans and reports -----------------------------------------------------------------------
class CompareStudiesInput(ToolInput):
    """Studies by name, or a plan by name (its studies): exactly one of the two."""

    names: list[str] | None = Field(None, min_length=1, max_length=50, description="Study names to compare.")
    plan: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$", description="A plan that has run.")


class GetReportInput(ToolInput):
    """A plan or a study: exactly one of the two."""

    plan: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$", description="A plan that has run.")
    study: str | None = Field(None, pattern=NAME_PATTERN, description="A study name.")
    refresh: bool = Field(False, description="Recompute the report even if the run already has one.")


class LeaderboardRow(BaseModel):
    tuner: str
    bundle: str
    tier: str
    rank: float | None
    best: float | None
    win_rate: float | None
    best_delta: float | None
    runtime_s: float | None
    cost: float | None
    trials: int | None
    study: str | None
    note: str = ""


class PairedComparison(BaseModel):
    better: str = Field(description="The top tuner.")
    other: str = Field(description="The runner-up.")
    p_value: float = Field(description="One-sided Wilcoxon signed-rank p-value that `better` beats `other`.")
    mean_gain: float = Field(description="Mean per-scenario improvement of `better` over `other`.")
    pairs: int = Field(description="Paired (bundle, tier, scenario) scores compared.")


class StudiesComparison(BaseModel):
    title: str
    direction: str
    rows: list[LeaderboardRow] = Field(description="Per bundle and tier, then overall (bundle = tier = 'all').")
    top_two: PairedComparison | None = Field(None, description="Paired test between the two best tuners overall.")


class ReportSummary(BaseModel):
    title: str
    run_ids: list[str] = Field(description="Runs the report is logged on.")
    headline: dict[str, float] = Field(description="Headline metrics (report.*) on those runs.")
    artefacts: list[str] = Field(description="Artefact URIs of the report (report/*.csv, *.md, *.png, report.html).")
    computed: bool = Field(description="True when this call computed the report; False when it was already there.")


class CompareStudiesOutput(ToolOutput):
    result: StudiesComparison | None = None


class GetReportOutput(ToolOutput):
    result: ReportSummary | None = None
