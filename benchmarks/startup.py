"""How long commands take to start, against `python -c "import mlflow"` measured in the same run.

Run: python benchmarks/startup.py [--repeat 5] [--ui-repeat 3]

In one temp dir, on stores that exist and a warm numba cache (one untimed solve first), times
the median of `--repeat` runs of: `python -c "import mlflow"` (the baseline), `tunetrack
--version`, `tunetrack solve --problem flowshop:ta031 --solver sa --iterations 1000`, the MCP
server (`tunetrack mcp`, driven by the `mcp` SDK's stdio client) from process start to its
answers to `initialize` and `tools/list`, and `tunetrack ui --port 0` from process start to an
HTTP 200 on the URL it prints (on the existing store and on a new one). Every command runs as
`python -m studies.cli` of this checkout. Prints a table with each figure's ratio to the
baseline and its target (and, for the commands that exit, their CPU seconds, which other work on
shared cores disturbs less than wall time; a target in seconds, set on quiet cores, is also shown
scaled by how much slower `import mlflow` ran than there), then, last, one JSON object (no assertions).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from _studies import ROOT, print_json, print_table

CLI = [sys.executable, "-m", "studies.cli"]
SOLVE = [*CLI, "solve", "--problem", "flowshop:ta031", "--solver", "sa", "--iterations", "1000"]
URL = re.compile(r"MLflow UI: (http://\S+)")
TARGETS = {  # the figure -> (limit, what the limit is measured against)
    "solve": (2.0, "x import mlflow"),
    "mcp initialize": (2.0, "s"),
    "ui ready (existing store)": (8.0, "s"),
    "ui ready (new store)": (8.0, "s"),
}
# The seconds targets were set on quiet cores, where `import mlflow` took this long; on busy cores
# each is also checked scaled by how much slower `import mlflow` ran in this run.
QUIET_IMPORT_MLFLOW_S = 1.6


def environment(tmp: Path, store: str = "stores") -> dict[str, str]:
    """This checkout's code on stores under `tmp/<store>`; the numba cache of the caller (warm)."""
    root = tmp / store
    return {**os.environ, "PYTHONPATH": str(ROOT), "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
            "TUNETRACK_TRACKING__URI": f"sqlite:///{root}/mlflow.db",
            "TUNETRACK_TRACKING__ARTIFACT_ROOT": str(root / "artifacts"),
            "TUNETRACK_STUDIES__STORAGE": f"sqlite:///{root}/studies.db"}


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall(command: list[str], env: dict[str, str], cwd: Path, cpu: list[float] | None = None) -> float:
    """Seconds from start to exit of `command` (which must succeed); its CPU seconds appended to `cpu`."""
    cpu0, t0 = children_cpu_s(), time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if cpu is not None:
        cpu.append(children_cpu_s() - cpu0)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[2:])} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def mcp_times(env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Seconds from launching `tunetrack mcp` to the answer to `initialize`, then to `tools/list`."""
    import anyio
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    async def session() -> tuple[float, float]:
        server = StdioServerParameters(command=CLI[0], args=[*CLI[1:], "mcp"], env=env, cwd=str(cwd))
        t0 = time.perf_counter()
        async with stdio_client(server) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            initialized = time.perf_counter() - t0
            tools = (await client.list_tools()).tools
            listed = time.perf_counter() - t0
            if not tools:
                raise SystemExit("tunetrack mcp listed no tools")
        return initialized, listed

    return anyio.run(session)


def ui_ready(env: dict[str, str], cwd: Path, timeout_s: float = 240.0) -> float:
    """Seconds from launching `tunetrack ui --port 0` to an HTTP 200 on the URL it prints; then stops it."""
    t0 = time.perf_counter()
    process = subprocess.Popen([*CLI, "ui", "--port", "0"], env=env, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url = None
        for line in process.stdout:  # type: ignore[union-attr]
            match = URL.search(line)
            if match:
                url = match.group(1)
                break
        if url is None:
            raise SystemExit(f"tunetrack ui exited ({process.wait()}) without printing its URL")
        while time.perf_counter() - t0 < timeout_s:
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"{url} did not answer within {timeout_s:.0f} s")
    finally:
        process.send_signal(signal.SIGINT)  # the command stops its server on Ctrl+C
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def median(measure: Callable[[], float], repeat: int) -> tuple[float, list[float]]:
    samples = [measure() for _ in range(repeat)]
    return statistics.median(samples), samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="Runs per figure (the median is reported).")
    parser.add_argument("--ui-repeat", type=int, default=3, help="Runs per `tunetrack ui` figure.")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    figures: dict[str, float] = {}
    samples: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}  # CPU seconds of the commands that exit (less noisy than wall on shared cores)
    with tempfile.TemporaryDirectory(prefix="tt-startup-bench-") as name:
        tmp = Path(name)
        env = environment(tmp)
        wall(SOLVE, env, tmp)  # creates the stores and fills the numba cache, outside the clock
        commands = {"import mlflow": [sys.executable, "-c", "import mlflow"], "tunetrack --version": [*CLI, "--version"],
                    "solve": SOLVE}
        for key in commands:
            samples[key], cpu[key] = [], []
        for _ in range(args.repeat):  # interleaved, so that other work on the cores weighs on each alike
            for key, command in commands.items():
                samples[key].append(wall(command, env, tmp, cpu[key]))
        for key in commands:
            figures[key] = statistics.median(samples[key])
        mcp = [mcp_times(env, tmp) for _ in range(args.repeat)]
        samples["mcp initialize"] = [m[0] for m in mcp]
        samples["mcp tools/list"] = [m[1] for m in mcp]
        figures["mcp initialize"] = statistics.median(samples["mcp initialize"])
        figures["mcp tools/list"] = statistics.median(samples["mcp tools/list"])
        figures["ui ready (existing store)"], samples["ui ready (existing store)"] = median(
            lambda: ui_ready(env, tmp), args.ui_repeat)
        fresh = iter(range(args.ui_repeat))
        figures["ui ready (new store)"], samples["ui ready (new store)"] = median(
            lambda: ui_ready(environment(tmp, f"new-{next(fresh)}"), tmp), args.ui_repeat)
    baseline = figures["import mlflow"]
    cpu_median = {key: statistics.median(values) for key, values in cpu.items()}
    rows = []
    for key, seconds in figures.items():
        limit, unit = TARGETS.get(key, (None, ""))
        ratio = seconds / baseline
        scaled = limit if limit is None or unit.startswith("x") else limit * baseline / QUIET_IMPORT_MLFLOW_S
        met = "" if limit is None else ("yes" if (ratio if unit.startswith("x") else seconds) <= limit else "NO")
        met_scaled = "" if limit is None else ("yes" if (ratio if unit.startswith("x") else seconds) <= scaled else "NO")
        cpu_cells = ["", ""] if key not in cpu_median else [
            round(cpu_median[key], 3), f"{cpu_median[key] / cpu_median['import mlflow']:.2f}"]
        rows.append([key, round(seconds, 3), f"{ratio:.2f}", *cpu_cells, f"<= {limit} {unit}" if limit else "", met,
                     "" if scaled is None or unit.startswith("x") else f"<= {scaled:.1f} s", met_scaled,
                     " ".join(f"{s:.2f}" for s in samples[key])])
    load_after = os.getloadavg()[0]
    print(f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after; {os.cpu_count()} cores")
    print_table(["figure", "median s", "x import mlflow", "cpu s", "cpu x import mlflow", "target", "met",
                 "target at this load", "met", "runs (s)"], rows)
    print_json({"benchmark": "startup", "repeat": args.repeat, "ui_repeat": args.ui_repeat,
                **{key.replace(" ", "_").replace("/", "_"): round(value, 3) for key, value in figures.items()},
                "solve_over_import_mlflow": round(figures["solve"] / baseline, 3),
                "solve_over_import_mlflow_cpu": round(cpu_median["solve"] / cpu_median["import mlflow"], 3),
                "load_average": [round(load_before, 2), round(load_after, 2)]})


if __name__ == "__main__":
    main()
