"""An MCP client session over stdio (the SDK's own client) drives a small study end to end.

list tools -> start_study -> poll get_study_status to completion -> get_best_params ->
compare_trials -> list_studies -> promote (dry run) -> refusals; every structured answer is
validated against the output schema the server published for that tool.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.conftest import REPO
from tests.studies.agent.conftest import small_study

TOOL_NAMES = {"start_study", "get_study_status", "get_best_params", "list_studies", "compare_trials", "stop_study",
              "promote", "compare_studies", "get_report"}
POLL_S = 0.5
STUDY_DEADLINE_S = 120


class Session:
    """Calls tools and checks each answer against the tool's published output schema."""

    def __init__(self, session: ClientSession, schemas: dict[str, dict[str, Any]]) -> None:
        self.session = session
        self.schemas = schemas
        self.answers: list[str] = []

    async def call(self, tool: str, **arguments: Any) -> dict[str, Any]:
        result = await self.session.call_tool(tool, arguments)
        answer = result.structured_content
        assert answer is not None, result.content
        assert result.is_error is (not answer["ok"]), answer  # a failed call is flagged to the client
        jsonschema.validate(answer, self.schemas[tool], cls=jsonschema.Draft202012Validator)
        assert isinstance(answer["text"], str) and answer["text"]
        self.answers.append(tool)
        return answer


@pytest.mark.timeout(240)
def test_stdio_session_start_status_best_compare_promote(
    tmp_path: Path, project: Path, agent_env: dict[str, str]
) -> None:
    constants = project / "solvers" / "constants.py"
    before = constants.read_bytes()

    async def scenario() -> None:
        server = StdioServerParameters(command=sys.executable, args=["-m", "studies.cli", "mcp"],
                                       env={**agent_env, "PYTHONPATH": str(REPO)},  # this checkout's code
                                       cwd=str(tmp_path))
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = (await session.list_tools()).tools
            assert {t.name for t in tools} == TOOL_NAMES
            for tool in tools:  # every tool publishes an object schema with ok/text/error/result
                assert tool.output_schema is not None, tool.name
                assert {"ok", "text", "error", "result"} <= set(tool.output_schema["properties"]), tool.name
                assert tool.description
            client = Session(session, {t.name: t.output_schema for t in tools})

            started = await client.call("start_study", **small_study("mcp-sa"))
            assert started["ok"], started["text"]
            assert started["result"]["state"] == "running" and started["result"]["n_trials"] == 4
            # The call has returned; the study is still going on in background processes.
            status = await client.call("get_study_status", name="mcp-sa")
            assert status["result"]["state"] == "running"
            assert status["result"]["trials"]["complete"] < 4

            deadline = time.monotonic() + STUDY_DEADLINE_S
            while status["result"]["state"] == "running" and time.monotonic() < deadline:
                await anyio.sleep(POLL_S)
                status = await client.call("get_study_status", name="mcp-sa")
            assert status["result"]["state"] == "done", status["text"]
            assert status["result"]["trials"]["complete"] == 4
            assert status["result"]["experiment_id"] and status["result"]["parent_run_id"]

            best = await client.call("get_best_params", name="mcp-sa")
            assert best["ok"] and set(best["result"]["params"]) == {"cooling_rate"}
            assert best["result"]["run_id"] and best["result"]["command"].startswith("tunetrack solve")
            assert best["result"]["value"] == status["result"]["best_value"]

            compared = await client.call("compare_trials", name="mcp-sa", top_k=3)
            rows = compared["result"]["rows"]
            assert [r["trial"] for r in rows][0] == best["result"]["trial"] and len(rows) == 3
            assert all(len(r["per_instance"]) == 4 for r in rows)  # 2 instances x 2 seeds
            assert rows[1]["p_value_vs_best"] is not None

            listed = await client.call("list_studies")
            assert [s["name"] for s in listed["result"]] == ["mcp-sa"]

            promoted = await client.call("promote", name="mcp-sa", seeds=2)
            report = promoted["result"]
            assert promoted["ok"] and report["dry_run"] and not report["promoted"]
            assert report["symbols"] == {"cooling_rate": "SA_COOLING_RATE"}
            assert report["seeds"] == [3, 4] and not set(report["instances"]) & {"flowshop:ta001", "flowshop:ta002"}
            assert report["promotion_run_id"]
            if report["decision"]["accepted"]:
                assert "+SA_COOLING_RATE: float = " in report["rewrite"]["diff"]
            else:
                assert promoted["text"].startswith("not promoted") and report["rewrite"] is None

            # Refusals are answers too: structured, valid, with a message that names the limit.
            capped = await client.call("start_study", **small_study("too-big", n_trials=100_000))
            assert not capped["ok"] and capped["error"]["kind"] == "guardrail"
            assert "agent.max_trials" in capped["error"]["message"]
            outside = await client.call("promote", name="mcp-sa", target="/etc/hosts")
            assert outside["error"]["kind"] == "guardrail" and "outside the project" in outside["error"]["message"]
            missing = await client.call("get_study_status", name="no-such-study")
            assert missing["error"]["kind"] == "not_found" and "mcp-sa" in missing["error"]["message"]
            # Schema errors and unknown arguments get the same ok/error shape, flagged isError.
            typo = await client.call("start_study", **small_study("typo"), n_trial=3)
            assert typo["error"]["kind"] == "invalid_input" and "n_trial: unknown field" in typo["error"]["message"]
            wrong = await client.call("compare_trials", name="mcp-sa", top_k="many")
            assert wrong["error"]["kind"] == "invalid_input" and "top_k" in wrong["error"]["message"]
            assert "typo" not in [s["name"] for s in (await client.call("list_studies"))["result"]]
            stopped = await client.call("stop_study", name="mcp-sa")
            assert stopped["ok"] and stopped["result"]["state"] == "done"

    anyio.run(scenario)
    assert constants.read_bytes() == before  # the dry run wrote nothing
