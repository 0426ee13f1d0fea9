"""How long an agent waits on each tool call, measured through a real MCP stdio session.

Run: python benchmarks/agent_latency.py [--trials 6] [--iterations 2000]

Starts `tunetrack mcp` on fresh stores in a temp dir (and a project copy holding only the
constants module, so promote never touches the checkout), then times: server start to
`initialize`, `list_tools`, `start_study` (first and, on a second study, again), the study's
wall time to done (polling `get_study_status`), `get_best_params`, `compare_trials`,
`list_studies` and a dry-run `promote`. Prints a table and, last, one JSON line (no assertions).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parents[1]


def _study(name: str, trials: int, iterations: int) -> dict:
    return {"name": name, "objective": {"solver": "sa", "problem": "flowshop", "iterations": iterations},
            "instances": ["flowshop:ta001", "flowshop:ta002"], "seeds": [1, 2],
            "space": {"cooling_rate": {"type": "float", "low": 0.95, "high": 0.999}},
            "sampler": {"type": "random", "seed": 7}, "n_trials": trials, "workers": 1}


async def _measure(tmp: Path, trials: int, iterations: int) -> dict[str, float]:
    project = tmp / "project" / "solvers"
    project.mkdir(parents=True)
    shutil.copy2(ROOT / "solvers" / "constants.py", project / "constants.py")
    env = {"TUNETRACK_TRACKING__URI": f"sqlite:///{tmp}/mlflow.db", "TUNETRACK_TRACKING__ARTIFACT_ROOT":
           str(tmp / "artifacts"), "TUNETRACK_STUDIES__STORAGE": f"sqlite:///{tmp}/studies.db",
           "TUNETRACK_AGENT__PROJECT_ROOT": str(tmp / "project")}
    server = StdioServerParameters(command=sys.executable, args=["-m", "studies.cli", "mcp"], env=env, cwd=str(tmp))
    figures: dict[str, float] = {}

    async def timed(key: str, session: ClientSession, tool: str, **arguments) -> dict:
        t0 = time.perf_counter()
        result = await session.call_tool(tool, arguments)
        figures[key] = time.perf_counter() - t0
        answer = result.structured_content
        if not answer or not answer["ok"]:
            raise SystemExit(f"{tool} failed: {answer['text'] if answer else result.content}")
        return answer

    t0 = time.perf_counter()
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        figures["server start to initialize"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        await session.list_tools()
        figures["list_tools"] = time.perf_counter() - t1
        await timed("start_study (first)", session, "start_study", **_study("bench-a", trials, iterations))
        started = time.perf_counter()
        status = await timed("get_study_status", session, "get_study_status", name="bench-a")
        figures["state right after start_study"] = status["result"]["state"]  # type: ignore[assignment]
        await timed("start_study (second study)", session, "start_study", **_study("bench-b", 1, iterations))
        while status["result"]["state"] == "running":
            await anyio.sleep(0.25)
            status = (await session.call_tool("get_study_status", {"name": "bench-a"})).structured_content
        figures[f"study wall time ({trials} trials x 4 solves)"] = time.perf_counter() - started
        await timed("get_best_params", session, "get_best_params", name="bench-a")
        await timed("compare_trials", session, "compare_trials", name="bench-a", top_k=3)
        await timed("list_studies", session, "list_studies")
        await timed("promote (dry run, 3 seeds x 3 held-out)", session, "promote", name="bench-a")
        await timed("stop_study", session, "stop_study", name="bench-b")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tt-agent-bench-") as tmp:
        figures = anyio.run(_measure, Path(tmp), args.trials, args.iterations)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value:.3f} s" if isinstance(value, float) else f"{key:<{width}}  {value}")
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}))


if __name__ == "__main__":
    main()
