"""A first solve on a fresh install solves: kernels compile before the solver's clock starts.

Runs the tracked solve (`studies.solve.tracked_solve`, what `tunetrack solve` calls) in a new
process with an empty numba cache, as after `pip install`, and a time limit far shorter than
compiling takes: the solve must still do iterations and record its step series and
`steps.parquet`. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow import MlflowClient

from tests.conftest import REPO

FIRST_SOLVE = """
import json, solvers
from studies.settings import load_settings
from studies.solve import tracked_solve
from tracker import Tracker

instance = solvers.load_instance("flowshop:ta031")
config = solvers.check(instance, "sa", {})
done = tracked_solve(Tracker(load_settings()), instance, "sa", config, seed=1, time_limit=0.5)
print(json.dumps({"iterations": done.result.iterations, "stop": done.result.stop_reason, "run_id": done.run_id}))
"""


@pytest.mark.slow
def test_first_solve_with_a_cold_cache_iterates_and_records_steps(tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO),
           "TUNETRACK_TRACKING__URI": uri, "TUNETRACK_TRACKING__ARTIFACT_ROOT": str(tmp_path / "artifacts")}
    done = subprocess.run([sys.executable, "-c", FIRST_SOLVE], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert any(cache.rglob("*.nbi")), "the solve should have compiled into the fresh cache"
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["iterations"] > 0 and out["stop"] == "time_limit"
    client = MlflowClient(tracking_uri=uri)
    assert "steps.parquet" in {a.path for a in client.list_artifacts(out["run_id"])}
    assert len(client.get_metric_history(out["run_id"], "best")) >= 1
