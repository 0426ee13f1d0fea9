"""A study through a tracking-server outage: the target is reached exactly, nothing fails or stays RUNNING.

    python benchmarks/tracking_outage.py --outage-s 60                    # MLflow's default HTTP retries
    python benchmarks/tracking_outage.py --outage-s 60 --max-retries 1    # MLFLOW_HTTP_REQUEST_MAX_RETRIES=1

A real `mlflow server` (SQLite backend) records a 2-worker study of 1-second trials; once a few
trials are done the server is stopped for `--outage-s` seconds, then restarted on the same port
and store. Afterwards: the exit code, trials complete/failed against the target, trial runs and
their `value` metric in MLflow, runs left RUNNING, the largest trial cost (an outage billed to a
trial would show as a cost near the outage), writes left in the spool; then `tunetrack solve`
against a port where no server listens (time to a non-zero exit, and whether the message names the
tracking URI). Prints a table and, last, one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _client_env(root: Path, uri: str, max_retries: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUNETRACK_", "MLFLOW_HTTP_REQUEST"))}
    env.update(PYTHONPATH=str(REPO), TUNETRACK_TRACKING__URI=uri,
               TUNETRACK_STUDIES__STORAGE=f"sqlite:///{root}/client/studies.db",
               TUNETRACK_STEPS__FLUSH_INTERVAL_S="0.2")
    if max_retries is not None:
        env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = str(max_retries)
    return env


def run_outage(outage_s: float, *, max_retries: int | None = None, n_trials: int = 30, down_after: int = 4,
               root: Path | None = None) -> dict:
    """One study through one outage; returns the figures (see module doc)."""
    import optuna

    from studies.settings import load_settings
    from studies.storage import get_storage
    from tracker import Tracker
    from tracker.server import free_port, start_server

    root = root or Path(tempfile.mkdtemp(prefix="tt-outage-"))
    (root / "client").mkdir(parents=True, exist_ok=True)
    server_settings = load_settings(tracking={"uri": f"sqlite:///{root}/server/mlflow.db",
                                              "artifact_root": str(root / "server" / "artifacts")})
    port = free_port()
    server = start_server(server_settings, port=port, log_path=root / "server.log")
    spec = {"name": "outage", "objective": {"function": "tests.faults._objectives:steady",
                                            "kwargs": {"seconds": 0.5, "steps": 2}},
            "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}}, "sampler": {"type": "random", "seed": 1},
            "budget": {"n_trials": n_trials}, "workers": 2, "retries": 0}
    (root / "client" / "spec.yaml").write_text(yaml.safe_dump(spec))
    env = _client_env(root, server.url, max_retries)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "studies.cli", "study", "start", "spec.yaml"],
                               cwd=root / "client", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    storage_url = env["TUNETRACK_STUDIES__STORAGE"]

    def complete() -> int:
        try:
            study = optuna.load_study(study_name="outage", storage=get_storage(storage_url))
        except Exception:  # noqa: BLE001 - not created yet
            return 0
        return sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.get_trials(deepcopy=False))

    while complete() < down_after and process.poll() is None:
        time.sleep(0.5)
    down_at = time.monotonic()
    server.stop()
    time.sleep(outage_s)
    server = start_server(server_settings, port=port, log_path=root / "server.log")
    out, err = process.communicate(timeout=1800)
    wall = time.monotonic() - started

    study = optuna.load_study(study_name="outage", storage=get_storage(storage_url))
    trials = study.get_trials(deepcopy=False)
    costs = sorted(float(t.user_attrs.get("tt_cost", 0.0)) for t in trials)
    runs = Tracker(load_settings(tracking={"uri": server.url})).runs("outage")
    trial_runs = runs[runs["tags.tt.kind"] == "trial"] if not runs.empty else runs
    missing_value = int(trial_runs["metrics.value"].isna().sum()) if "metrics.value" in trial_runs else len(trial_runs)
    spool = root / "client" / "mlruns" / "spool"
    result = {
        "outage_s": outage_s, "max_retries": "default" if max_retries is None else max_retries,
        "exit_code": process.returncode, "traceback": "Traceback" in err, "target": n_trials,
        "complete": sum(t.state.name == "COMPLETE" for t in trials), "failed": sum(t.state.name == "FAIL" for t in trials),
        "study_state": study.user_attrs.get("tt_state"), "trial_runs": len(trial_runs),
        "trial_runs_without_value": missing_value, "running_runs": int((runs["status"] == "RUNNING").sum()) if not runs.empty else 0,
        "max_trial_cost": round(costs[-1], 2) if costs else None,
        "median_trial_cost": round(costs[len(costs) // 2], 2) if costs else None,
        "spool_left": sum(1 for _ in spool.iterdir()) if spool.exists() else 0,
        "down_after_s": round(down_at - started, 1), "wall_s": round(wall, 1),
        "stderr_tail": err.strip().splitlines()[-3:],
    }
    server.stop()
    return result


def solve_without_server() -> dict:
    from tracker.server import free_port

    uri = f"http://127.0.0.1:{free_port()}"
    with tempfile.TemporaryDirectory() as tmp:
        env = _client_env(Path(tmp), uri, None)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "studies.cli", "solve", "--problem", "flowshop:ta001",
                               "--solver", "sa", "--iterations", "1000"], cwd=tmp, env=env, capture_output=True,
                              text=True, timeout=300)
    return {"exit_code": done.returncode, "seconds": round(time.monotonic() - started, 1),
            "names_uri": uri in done.stderr and "tracking.uri" in done.stderr, "traceback": "Traceback" in done.stderr,
            "message": done.stderr.strip().splitlines()[-1:]}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-s", type=float, default=60.0)
    parser.add_argument("--max-retries", type=int, default=None, help="MLFLOW_HTTP_REQUEST_MAX_RETRIES (default: MLflow's)")
    parser.add_argument("--n-trials", type=int, default=30)
    args = parser.parse_args(argv)
    result = run_outage(args.outage_s, max_retries=args.max_retries, n_trials=args.n_trials)
    result["solve_without_server"] = solve_without_server()
    for key, value in result.items():
        print(f"{key:>26}: {value}")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
