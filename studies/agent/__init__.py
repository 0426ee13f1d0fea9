"""Agent tools: plain functions with pydantic inputs and outputs, also served over MCP (`tunetrack mcp`).

Each tool returns `ok`, a short `text` to quote, and `result` (or `error` with a message
saying what to change). Guardrails come from `settings.agent`: allowed objectives, caps on
trials, cost and workers per study, parameters checked against the spec's space, and no
file outside the project.

>>> from studies.agent import TOOLS
>>> sorted(TOOLS)[:3]
['compare_studies', 'compare_trials', 'get_best_params']
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

# Each name is imported on first use (PEP 562): `tunetrack mcp` answers `initialize` before the
# tools (which import Optuna, MLflow and the solvers) are loaded. `TOOLS` is filled by `_tools`.
_HOMES = {
    "studies.agent._base": ("GuardrailError", "NotFoundError", "ToolError", "ToolOutput", "ToolSpec"),
    "studies.agent._mcp": ("build_server", "serve"),
    "studies.agent._models": ("BestParamsInput", "CompareTrialsInput", "ListStudiesInput", "PromoteInput",
                              "PromoteOutput", "StartStudyInput", "StartStudyOutput", "StopStudyOutput",
                              "StudyInput"),
    "studies.agent._tools": ("TOOLS", "compare_studies", "compare_trials", "get_best_params", "get_report",
                             "get_study_status", "list_studies", "promote", "start_study", "stop_study"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'studies.agent' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(_HOME[name])
    if name == "TOOLS":  # importing `_tools` registered every tool in `_base.TOOLS`
        module = importlib.import_module("studies.agent._base")
    value = getattr(module, name)
    globals()[name] = value
    return value


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
