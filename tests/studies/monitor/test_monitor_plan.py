"""`tunetrack monitor --plan P`: a plan's cell studies join the watch as the plan starts them."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from studies.cli import app
from studies.plans import find_plan_run, load_plan, run_plan
from studies.settings import Settings
from tests.conftest import wait_for
from tracker import Tracker

runner = CliRunner()

PLAN = {
    "name": "watched",
    "solver": "sa",
    "problem": "flowshop",
    "space": {"cooling_rate": {"type": "float", "low": 0.99, "high": 0.9995}},
    "fixed": {"initial": "random"},
    "seeds": 1,
    "trace_points": 5,
    "bundles": [{"name": "one", "instances": ["ta001"]}],
    "tuners": [{"name": "random", "sampler": "random"}, {"name": "tpe", "sampler": "tpe"}],
    "tiers": {"short": {"iterations": 300, "trials": {"random": 2, "tpe": 2}}},
}
CELLS = ["watched.short.one.random", "watched.short.one.tpe"]


class StopAfterFirstCell:
    def __call__(self, index: int, total: int, outcome) -> None:
        if index == 0:
            raise KeyboardInterrupt


def _frames(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_monitor_follows_a_plan_cell_by_cell(study_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "watched.yaml"
    path.write_text(yaml.safe_dump(PLAN))

    never_ran = runner.invoke(app, ["monitor", "--plan", str(path), "--once"])
    assert never_ran.exit_code == 2 and "has not run" in never_ran.output and "tunetrack plan run" in never_ran.output

    with pytest.raises(KeyboardInterrupt):  # the plan stops after its first cell
        run_plan(load_plan(path), study_settings, on_cell=StopAfterFirstCell(), study_figures=False)
    stopped = runner.invoke(app, ["monitor", "--plan", str(path), "--once", "--json"])
    assert stopped.exit_code == 0, stopped.output
    (frame,) = _frames(stopped.stdout)
    (plan,) = frame["plans"]
    assert (plan["status"], plan["cells_total"], plan["cells_started"], plan["cells_finished"]) == ("KILLED", 2, 1, 1)
    assert plan["waiting"] == CELLS[1:]
    assert [t["name"] for t in frame["targets"]] == CELLS[:1] and frame["targets"][0]["trials"]["complete"] == 2

    # Resumed: the monitor, started while only the first cell exists, picks up the second as it starts
    # and ends by itself once the plan has finished.
    resumed = threading.Thread(target=run_plan, args=(load_plan(path), study_settings), kwargs={"study_figures": False})
    resumed.start()
    tracker = Tracker(study_settings)
    wait_for(lambda: find_plan_run(tracker, "watched")["status"] == "RUNNING", 60, "the plan run to reopen")
    try:
        follow = runner.invoke(app, ["monitor", "--plan", str(path), "--json", "--interval", "0.5"])
    finally:
        resumed.join(timeout=240)
    assert follow.exit_code == 0, follow.output
    frames = _frames(follow.stdout)
    last = frames[-1]
    assert [t["name"] for t in last["targets"]] == CELLS
    assert all(t["state"] == "done" for t in last["targets"])
    assert last["plans"][0]["cells_finished"] == 2 and last["plans"][0]["status"] == "FINISHED"
    assert frames[0]["targets"][0]["name"] == CELLS[0]  # the cell that existed is watched from the first refresh
