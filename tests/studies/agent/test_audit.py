"""The audit trail: an MCP session of five tool calls leaves five rows with redacted arguments and outcomes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from typer.testing import CliRunner

from studies.agent._audit import read_log, redact
from studies.cli import app
from studies.settings import Settings

SECRET = "hunter2"


def test_redact_secret_keys_and_url_passwords() -> None:
    given = {"name": "s1", "storage": f"postgresql://alice:{SECRET}@db:5432/x", "api_token": "abc",
             "message": f"not found: postgresql:/alice:{SECRET}@db/x.yaml",
             "nested": {"password": "p", "items": ["s3://k:v@bucket/p", 3]}, "seeds": [1, 2]}
    out = redact(given)
    assert out["name"] == "s1" and out["seeds"] == [1, 2]
    assert out["storage"] == "postgresql://alice:***@db:5432/x"
    assert out["api_token"] == "***" and out["nested"]["password"] == "***"
    assert out["message"] == "not found: postgresql:/alice:***@db/x.yaml"  # a URL a path join collapsed
    assert out["nested"]["items"] == ["s3://k:***@bucket/p", 3]
    assert SECRET not in json.dumps(out)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_five_mcp_calls_leave_five_audit_rows(tmp_path: Path, agent_env: dict[str, str], settings: Settings) -> None:
    calls = [
        ("list_studies", {}),
        ("get_study_status", {"name": "ghost"}),
        ("compare_studies", {"plan": "ghost"}),
        ("get_report", {"study": "ghost"}),
        ("start_study", {"name": "leak", "spec_path": f"postgresql://alice:{SECRET}@db.example/spec.yaml"}),
    ]

    async def session() -> list[dict]:
        server = StdioServerParameters(command=sys.executable, args=["-m", "studies.cli", "mcp"], env=agent_env,
                                       cwd=str(tmp_path))
        answers = []
        async with stdio_client(server) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            for tool, arguments in calls:
                result = await client.call_tool(tool, arguments)
                answers.append(result.structured_content)
        return answers

    answers = anyio.run(session)
    assert answers[0]["ok"] and [a["error"]["kind"] for a in answers[1:4]] == ["not_found"] * 3
    assert not answers[4]["ok"]

    rows = read_log(settings)
    assert len(rows) == 5
    assert rows["tool"].tolist() == [tool for tool, _ in calls]
    assert rows["call"].tolist() == [1, 2, 3, 4, 5] and rows["session"].nunique() == 1
    assert rows["outcome"].tolist() == ["ok", "not_found", "not_found", "not_found", answers[4]["error"]["kind"]]
    assert rows["study"].tolist() == ["", "ghost", "ghost", "ghost", "leak"]
    assert (rows["duration_ms"] >= 0).all()
    assert json.loads(rows["arguments"][1]) == {"name": "ghost"}
    leaked = json.loads(rows["arguments"][4])
    assert leaked["spec_path"] == "postgresql://alice:***@db.example/spec.yaml"
    assert SECRET not in rows.to_csv()
    assert rows["client"].iloc[0]  # the client's name (and version) from `initialize`

    shown = CliRunner().invoke(app, ["agent", "log", "--study", "ghost", "--json"], env=agent_env)
    assert shown.exit_code == 0, shown.output
    assert [r["tool"] for r in json.loads(shown.output)] == ["get_study_status", "compare_studies", "get_report"]
