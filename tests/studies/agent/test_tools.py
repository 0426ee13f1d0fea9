"""Agent tools called from Python: guardrails refuse with clear messages; resume and stop work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studies import agent
from studies.agent import TOOLS
from studies.settings import Settings
from tests.studies.agent.conftest import small_study

DEADLINE_S = 150


def _wait(name: str, settings: Settings, until: str = "done") -> agent.ToolOutput:
    deadline = time.monotonic() + DEADLINE_S
    status = agent.get_study_status(name=name, settings=settings)
    while status.ok and status.result.state == "running" and time.monotonic() < deadline:
        time.sleep(0.3)
        status = agent.get_study_status(name=name, settings=settings)
    assert status.ok and status.result.state == until, status.text
    return status


def _refused(output: agent.ToolOutput, kind: str, *phrases: str) -> None:
    assert not output.ok and output.error is not None and output.error.kind == kind, output.text
    for phrase in phrases:
        assert phrase in output.error.message, output.error.message
    assert "Traceback" not in output.text and output.text.startswith(f"error ({kind}): ")


def test_every_tool_has_input_and_output_schemas() -> None:
    assert set(TOOLS) == {"start_study", "get_study_status", "get_best_params", "list_studies", "compare_trials",
                          "stop_study", "promote", "compare_studies", "get_report"}
    for tool in TOOLS.values():
        schema = tool.output_model.model_json_schema()
        assert {"ok", "text", "error", "result"} <= set(schema["properties"]), tool.name
        assert tool.input_model.model_json_schema()["type"] == "object"
    assert TOOLS["promote"].input_model.model_fields["dry_run"].default is True


@pytest.mark.parametrize(
    ("overrides", "kind", "phrases"),
    [
        ({"objective": "os:system"}, "guardrail", ["objective 'os:system' is not allowed", "solver:*"]),
        ({"n_trials": 501}, "guardrail", ["n_trials 501 is above the agent cap of 500", "agent.max_trials"]),
        ({"budget": {"cost": 1e9}}, "guardrail", ["budget.cost 1e+09 is above the agent cap of 3600", "agent.max_cost"]),
        ({"workers": 9}, "guardrail", ["workers 9 is above the agent cap of 4", "agent.max_workers"]),
        # warm starts are checked against the space by the spec itself, for agents and people alike
        ({"warm_starts": {"enqueue": [{"cooling_rate": 0.5}]}}, "invalid_input",
         ["warm_starts.enqueue[0].cooling_rate: 0.5 is outside [0.95, 0.999]"]),
        ({"warm_starts": {"enqueue": [{"tenure": 3}]}}, "invalid_input",
         ["warm_starts.enqueue[0].tenure: not a parameter of the space (cooling_rate)"]),
        ({"instances": ["/etc/hosts"]}, "guardrail", ["instances[0] '/etc/hosts' is outside the project directory"]),
        ({"spec_path": "../../elsewhere.yaml"}, "guardrail", ["spec_path '../../elsewhere.yaml' is outside the project"]),
    ],
)
def test_start_study_guardrails_refuse_and_create_nothing(
    settings: Settings, overrides: dict[str, object], kind: str, phrases: list[str]
) -> None:
    _refused(agent.start_study(small_study("guarded", **overrides), settings=settings), kind, *phrases)
    assert agent.list_studies(settings=settings).result == []


def test_caps_come_from_settings(settings: Settings) -> None:
    tight = settings.model_copy(update={"agent": settings.agent.model_copy(
        update={"max_trials": 3, "allowed_objectives": ["solver:ils"]})})
    _refused(agent.start_study(small_study("sa-not-allowed", n_trials=2), settings=tight), "guardrail",
             "objective 'solver:sa' is not allowed for agents (allowed: solver:ils")
    ils = small_study("ils-too-many", objective={"solver": "ils", "problem": "flowshop", "iterations": 5},
                      space={"perturbation_strength": {"type": "int", "low": 2, "high": 6}})
    _refused(agent.start_study(ils, settings=tight), "guardrail", "n_trials 4 is above the agent cap of 3")


def test_invalid_input_and_unknown_study_are_clear_errors(settings: Settings) -> None:
    _refused(agent.start_study(name="bad name!", settings=settings), "invalid_input", "name: String should match")
    _refused(agent.start_study(name="no-spec", settings=settings), "invalid_input", "objective: Field required")
    _refused(agent.start_study(small_study("typo", space={"cooling_rat": {"type": "float", "low": 0.9,
                                                                        "high": 0.99}}), settings=settings),
             "invalid_input", "space.cooling_rat: not a parameter of solver 'sa'")
    _refused(agent.start_study(small_study("range", space={"cooling_rate": {"type": "float", "low": 0.1,
                                                                          "high": 0.99}}), settings=settings),
             "invalid_input", "space.cooling_rate: 0.1 is not a valid setting")
    _refused(agent.start_study(small_study("choice", space={"operator_preset": {"type": "categorical",
                                                                              "choices": ["default", "chaos"]}}),
                               settings=settings), "invalid_input", "space.operator_preset: 'chaos' is not a valid")
    _refused(agent.compare_trials(name="ghost", top_k=0, settings=settings), "invalid_input", "top_k")
    for tool in (agent.get_study_status, agent.get_best_params, agent.stop_study, agent.promote):
        _refused(tool(name="ghost", settings=settings), "not_found", "no study named 'ghost'")
    _refused(agent.promote(name="ghost", target="../outside.py", settings=settings), "guardrail",
             "target '../outside.py' is outside the project directory")


@pytest.mark.timeout(300)
def test_start_is_idempotent_by_name_resumes_to_the_new_total_and_stop_ends_cleanly(settings: Settings) -> None:
    first = agent.start_study(small_study("resumable", n_trials=2), settings=settings)
    assert first.ok and not first.result.resumed and first.result.cost_budget == settings.agent.max_cost
    _wait("resumable", settings)

    conflict = agent.start_study(small_study("resumable", space={"cooling_rate": {"type": "float", "low": 0.9,
                                                                                "high": 0.99}}), settings=settings)
    _refused(conflict, "invalid_input", "exists with a different objective, space")

    again = agent.start_study(name="resumable", n_trials=200, settings=settings)  # name only: the stored spec
    assert again.ok and again.result.resumed and again.result.trials_before == 2 and again.result.n_trials == 200
    twice = agent.start_study(name="resumable", n_trials=200, settings=settings)  # while running: no second runner
    assert twice.ok and twice.result.resumed and twice.result.runner_pid == again.result.runner_pid
    deadline = time.monotonic() + DEADLINE_S
    while agent.get_study_status(name="resumable", settings=settings).result.trials.complete < 4:
        assert time.monotonic() < deadline, "the resumed study ran no new trial"
        time.sleep(0.3)

    stopped = agent.stop_study(name="resumable", settings=settings)
    assert stopped.ok and stopped.result.stopped and stopped.result.state == "stopped", stopped.text
    status = agent.get_study_status(name="resumable", settings=settings).result
    assert status.state == "stopped" and status.trials.running == 0
    assert 4 <= status.trials.complete + status.trials.pruned < 200
    assert [(s.name, s.state) for s in agent.list_studies(settings=settings).result] == [("resumable", "stopped")]


def test_promote_target_must_be_inside_the_project(settings: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("SA_COOLING_RATE: float = 0.9\n")
    _refused(agent.promote(name="any", target=str(outside), settings=settings), "guardrail",
             "is outside the project directory")
    assert outside.read_text() == "SA_COOLING_RATE: float = 0.9\n"


@pytest.mark.parametrize(("tool", "fields", "kind", "phrase"), [
    ("compare_studies", {}, "invalid_input", "exactly one of 'names' (studies) or 'plan'"),
    ("compare_studies", {"plan": "p", "names": ["s"]}, "invalid_input", "exactly one"),
    ("compare_studies", {"plan": "ghost"}, "not_found", "no plan named 'ghost'"),
    ("compare_studies", {"names": ["ghost"]}, "not_found", "no study named 'ghost'"),
    ("get_report", {"plan": "ghost"}, "not_found", "no plan named 'ghost'"),
    ("get_report", {}, "invalid_input", "exactly one of 'plan' or 'study'"),
])
def test_plan_and_report_tools_refuse_with_a_reason(settings, tool: str, fields: dict, kind: str, phrase: str) -> None:
    out = TOOLS[tool].function(fields, settings=settings)
    assert not out.ok and out.error.kind == kind and phrase in out.error.message, out.text
