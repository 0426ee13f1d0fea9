"""Agent tools: plain functions with pydantic inputs and outputs, also served over MCP (`tunetrack mcp`).

Each tool returns `ok`, a short `text` to quote, and `result` (or `error` with a message
saying what to change). Guardrails come from `settings.agent`: allowed objectives, caps on
trials, cost and workers per study, parameters checked against the spec's space, and no
file outside the project.

>>> from studies.agent import TOOLS
>>> sorted(TOOLS)[:3]
['compare_studies', 'compare_trials', 'get_best_params']
"""

from studies.agent._base import TOOLS, GuardrailError, NotFoundError, ToolError, ToolOutput, ToolSpec
from studies.agent._mcp import build_server, serve
from studies.agent._models import (
    BestParamsInput,
    CompareTrialsInput,
    ListStudiesInput,
    PromoteInput,
    PromoteOutput,
    StartStudyInput,
    StartStudyOutput,
    StopStudyOutput,
    StudyInput,
)
from studies.agent._tools import (
    compare_studies,
    compare_trials,
    get_best_params,
    get_report,
    get_study_status,
    list_studies,
    promote,
    start_study,
    stop_study,
)

__all__ = [
    "TOOLS",
    "BestParamsInput",
    "CompareTrialsInput",
    "GuardrailError",
    "ListStudiesInput",
    "NotFoundError",
    "PromoteInput",
    "PromoteOutput",
    "StartStudyInput",
    "StartStudyOutput",
    "StopStudyOutput",
    "StudyInput",
    "ToolError",
    "ToolOutput",
    "ToolSpec",
    "build_server",
    "compare_studies",
    "compare_trials",
    "get_best_params",
    "get_report",
    "get_study_status",
    "list_studies",
    "promote",
    "serve",
    "start_study",
    "stop_study",
]
