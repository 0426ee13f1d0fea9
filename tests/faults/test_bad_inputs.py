"""A corpus of bad input across every surface (specs, settings, CLI flags, files, MCP calls).

Each case must be refused with the offending field (or variable, flag, file) named, with no
traceback, and with nothing written: no study in the study storage, no run in MLflow.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.studies.conftest import solver_spec

OK_SPEC = solver_spec("good")


def _spec(**change: Any) -> dict[str, Any]:
    return {**OK_SPEC, **change}


def _objective(**change: Any) -> dict[str, Any]:
    return _spec(objective={**OK_SPEC["objective"], **change})


def _space(**params: Any) -> dict[str, Any]:
    return _spec(space=params)


def assert_nothing_written(root: Path) -> None:
    """No study in the study storage and no MLflow run (the stores may exist, empty)."""
    import sqlite3

    studies, mlflow = root / "mlruns" / "studies.db", root / "mlruns" / "mlflow.db"
    if studies.exists():
        with sqlite3.connect(studies) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            assert "studies" not in tables or db.execute("SELECT count(*) FROM studies").fetchone()[0] == 0
    if mlflow.exists():
        with sqlite3.connect(mlflow) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            assert "runs" not in tables or db.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


# ---- specs (start_study: validated before any store is touched) -----------------------------
SPECS = [
    (_spec(name="bad name!"), "name"),
    (_spec(name=""), "name"),
    (_spec(name="x" * 300), "name"),
    (_spec(unknown=1), "unknown: unknown field"),
    (_spec(n_trial=3), "n_trial: unknown field"),
    (_spec(direction="sideways"), "direction"),
    (_spec(workers=0), "workers"),
    (_spec(workers="two"), "workers"),
    (_spec(retries=-1), "retries"),
    (_spec(seeds=[]), "seeds"),
    (_spec(seeds=["a"]), "seeds"),
    (_spec(instances=["ta999"]), "instances"),
    (_spec(instances=["nosuch:thing"]), "instances"),
    (_spec(instances=["flowshop:random:5000000x100"]), "instances"),
    (_spec(instances=[], bundle="nope"), "bundle"),
    (_spec(budget={"n_trials": 0}), "budget.n_trials"),
    (_spec(budget={"n_trials": -3}), "budget.n_trials"),
    (_spec(budget={"n_trials": 5, "cost": -1}), "budget.cost"),
    (_spec(budget={"n_trials": 5, "timeout_s": 0}), "budget.timeout_s"),
    (_spec(budget={"n_trials": 5, "trials": 3}), "budget.trials"),
    (_spec(sampler={"type": "annealing"}), "sampler.type"),
    (_spec(sampler={"type": "coordinate"}), "tiers"),
    (_spec(sampler={"type": "tpe", "seeed": 1}), "sampler.seeed"),
    (_spec(pruners=[{"type": "cost_budget"}]), "budget.cost"),
    (_spec(pruners=[{"type": "nosuch"}]), "pruners"),
    (_objective(solver="nosuch"), "objective"),
    (_objective(problem="nosuch"), "objective"),
    (_objective(iterations=None), "iterations"),
    (_objective(iterations=-5), "iterations"),
    (_objective(fixed={"cooling_rate": 3}), "objective.fixed"),
    (_objective(fixed={"no_such_knob": 1}), "objective.fixed"),
    (_objective(extra_field=1), "objective"),
    (_spec(objective={"function": "not a function"}), "objective"),
    (_spec(objective={"function": "os:path", "kwargs": {"api_key": "sk-live-123"}}), "kwargs.api_key"),
    (_spec(objective={"function": "os:path", "kwargs": {"db": {"password": "hunter2"}}}), "kwargs.db.password"),
    (_spec(objective={"function": "os:path", "kwargs": {"url": "postgresql://u:pw@h/db"}}), "kwargs.url"),
    (_space(cooling_rat={"type": "float", "low": 0.9, "high": 0.99}), "space.cooling_rat"),
    (_space(cooling_rate={"type": "float", "low": 0.99, "high": 0.9}), "high"),
    (_space(cooling_rate={"type": "float", "low": 0.0, "high": 0.9, "log": True}), "low > 0"),
    (_space(cooling_rate={"type": "float", "low": 0.9, "high": 5.0}), "space.cooling_rate"),
    (_space(cooling_rate={"type": "floaty", "low": 0.9, "high": 0.99}), "space.cooling_rate"),
    (_space(cooling_rate={"type": "float", "low": 0.9}), "space.cooling_rate"),
    (_space(operator_preset={"type": "categorical"}), "choices"),
    (_space(operator_preset={"type": "categorical", "choices": ["nosuch"]}), "space.operator_preset"),
    (_spec(warm_starts={"from_study": "x", "top_kk": 3}), "warm_starts.top_kk"),
]


@pytest.mark.parametrize(("spec", "expected"), SPECS, ids=[f"spec-{k}" for k in range(len(SPECS))])
def test_bad_spec_refused(spec: dict, expected: str, tmp_path: Path) -> None:
    from studies.runner import start_study
    from studies.settings import load_settings
    from tracker import TunetrackError

    with pytest.raises((TunetrackError, ValueError)) as info:
        start_study(spec, load_settings(), progress=False)
    assert expected in str(info.value)
    assert "Traceback" not in str(info.value)
    for secret in ("sk-live-123", "hunter2", ":pw@"):
        assert secret not in str(info.value)
    assert_nothing_written(tmp_path)


# ---- settings (environment) ------------------------------------------------------------------
SETTINGS = [
    ({"TUNETRACK_TRACKNG__URI": "x"}, "TUNETRACK_TRACKNG__URI"),
    ({"TUNETRACK_STEPS__POINTS": "3"}, "TUNETRACK_STEPS__POINTS"),
    ({"TUNETRACK_STUDY__STORAGE": "sqlite:///x.db"}, "TUNETRACK_STUDY__STORAGE"),
    ({"TUNETRACK_AGENT__MAX_TRIAL": "3"}, "TUNETRACK_AGENT__MAX_TRIAL"),
    ({"TUNETRACK_URI": "x"}, "TUNETRACK_URI"),
    ({"TUNETRACK_TRACKING__URI": "ftp://host/x"}, "tracking.uri"),
    ({"TUNETRACK_TRACKING__URI": "postgres://u:secretpw@h/db"}, "tracking.uri"),
    ({"TUNETRACK_STUDIES__STORAGE": "redis://h"}, "studies.storage"),
    ({"TUNETRACK_STUDIES__STORAGE": "mongodb://u:secretpw@h/db"}, "studies.storage"),
    ({"TUNETRACK_STUDIES__COST_RATE": "abc"}, "studies.cost_rate"),
    ({"TUNETRACK_STUDIES__COST_RATE": "-1"}, "studies.cost_rate"),
    ({"TUNETRACK_STEPS__POINTS_PER_METRIC": "2"}, "steps.points_per_metric"),
    ({"TUNETRACK_STEPS__POINTS_PER_METRIC": "many"}, "steps.points_per_metric"),
    ({"TUNETRACK_STEPS__FLUSH_INTERVAL_S": "0"}, "steps.flush_interval_s"),
    ({"TUNETRACK_AGENT__MAX_TRIALS": "0"}, "agent.max_trials"),
    ({"TUNETRACK_AGENT__MAX_WORKERS": "x"}, "agent.max_workers"),
    ({"TUNETRACK_AGENT__PROMOTION_ALPHA": "2"}, "agent.promotion_alpha"),
    ({"TUNETRACK_AGENT__ALLOWED_OBJECTIVES": "solver:sa"}, "TUNETRACK_AGENT__ALLOWED_OBJECTIVES"),
    ({"TUNETRACK_AGENT__ALLOWED_OBJECTIVES": "[solver:sa"}, "TUNETRACK_AGENT__ALLOWED_OBJECTIVES"),
    ({"TUNETRACK_AGENT__ALLOWED_OBJECTIVES": '"solver:sa"'}, "agent.allowed_objectives"),
]


@pytest.mark.parametrize(("env", "expected"), SETTINGS, ids=[f"env-{k}" for k in range(len(SETTINGS))])
def test_bad_setting_refused(env: dict, expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from studies.settings import load_settings
    from tracker import SettingsError

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert expected in str(info.value)
    assert "secretpw" not in str(info.value)
    assert_nothing_written(tmp_path)


# ---- CLI flags and files (the real entry point, in process) ----------------------------------
def _taillard_file(root: Path) -> str:
    import numpy as np

    from solvers.flowshop._io import format_taillard

    path = root / "ten.txt"
    path.write_text("".join(format_taillard(np.random.RandomState(s).randint(1, 99, (5, 20))) for s in range(10)))
    return str(path)


def _file(root: Path, name: str, text: str) -> str:
    (root / name).write_text(text)
    return str(root / name)


CLI = [
    (["solve", "--problem", "nosuch", "--solver", "sa"], "problem"),
    (["solve", "--problem", "flowshop:ta001", "--solver", "nosuch"], "nosuch"),
    (["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--set", "cooling_rate=7"], "cooling_rate"),
    (["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--set", "nosuch=1"], "nosuch"),
    (["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--set", "novalue"], "--set"),
    (["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--time-limit", "-1"], "--time-limit"),
    (["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--iterations", "-5"], "--iterations"),
    (["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--iterations", "many"], "--iterations"),
    (["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--bogus"], "--bogus"),
    (["solve", "--problem", "flowshop:random:5000000x100", "--solver", "sa"], "too large"),
    (["solve", "--problem", "flowshop:random:0x10", "--solver", "sa"], "jobs and machines"),
    (["solve", "--problem", "coloring:gnp:10000000:0.5", "--solver", "sa"], "too large"),
    (["solve", "--problem", "coloring:myciel99999", "--solver", "tabu"], "too large"),
    (["solve", "--problem", "coloring:queen1000_1000", "--solver", "tabu"], "too large"),
    (["solve", "--problem", "coloring:gnp:10:x", "--solver", "tabu"], "gnp:10:x"),
    (["solve", "--problem", "{ten}", "--solver", "sa"], "holds 10 instances"),
    (["solve", "--problem", "{ten}#11", "--solver", "sa"], "between 1 and 10"),
    (["solve", "--problem", "{ten}#x", "--solver", "sa"], "instance's position"),
    (["solve", "--problem", "{empty}", "--solver", "sa"], "empty.txt"),
    (["solve", "--problem", "{negative}", "--solver", "sa"], ">= 0"),
    (["solve", "--problem", "{short}", "--solver", "sa"], "expected 6 processing times"),
    (["solve", "--problem", "{badcol}", "--solver", "tabu"], "bad.col"),
    (["study", "start"], "spec"),
    (["study", "start", "nosuch.yaml"], "nosuch.yaml"),
    (["study", "start", "{badyaml}"], "bad.yaml"),
    (["study", "start", "{unknownkey}"], "unknown field"),
    (["study", "start", "--name", "nosuch"], "nosuch"),
    (["study", "start", "{goodspec}", "--n-trials", "0"], "--n-trials"),
    (["study", "start", "{goodspec}", "--workers", "0"], "--workers"),
    (["study", "status", "nosuch"], "nosuch"),
    (["study", "best", "nosuch"], "nosuch"),
    (["study", "compare", "nosuch"], "nosuch"),
    (["study", "compare", "nosuch", "--top", "0"], "--top"),
    (["study", "worker", "nosuch"], "nosuch"),
    (["study", "stop", "nosuch"], "nosuch"),
    (["runs", "--experiment", "nosuch"], "nosuch"),
    (["runs", "--kind", "bogus"], "--kind"),
    (["runs", "--limit", "0"], "--limit"),
    (["promote", "nosuch"], "nosuch"),
    (["nosuchcommand"], "nosuchcommand"),
]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    good = tmp_path / "good.yaml"
    import yaml

    good.write_text(yaml.safe_dump(OK_SPEC))
    return {
        "ten": _taillard_file(tmp_path),
        "empty": _file(tmp_path, "empty.txt", ""),
        "negative": _file(tmp_path, "negative.txt", "2 3\n1 2\n3 -4\n5 6\n"),
        "short": _file(tmp_path, "short.txt", "2 3\n1 2 3\n"),
        "badcol": _file(tmp_path, "bad.col", "p edge 3 2\ne 1 9\n"),
        "badyaml": _file(tmp_path, "bad.yaml", "name: [unclosed\n"),
        "unknownkey": _file(tmp_path, "unknown.yaml", yaml.safe_dump({**OK_SPEC, "n_trial": 3})),
        "goodspec": str(good),
    }


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """`tunetrack ARGS` through the real entry point (exit path included), in this process."""
    from studies.cli import app
    from studies.cli._exit import run

    monkeypatch.setattr(sys, "argv", ["tunetrack", *args])
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        with pytest.raises(SystemExit) as info:
            run(app)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out + out.err


@pytest.mark.parametrize(("args", "expected"), CLI, ids=[f"cli-{k}" for k in range(len(CLI))])
def test_bad_cli_input_refused(args: list[str], expected: str, files: dict[str, str], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    code, output = run_cli([a.format(**files) for a in args], monkeypatch, capsys)
    assert code != 0, output
    assert expected in output.replace("\n", " "), output
    assert "Traceback" not in output
    assert_nothing_written(tmp_path)


# ---- MCP tool calls (the same wrappers the MCP server calls with the raw arguments) ----------
def _start(**fields: Any) -> dict[str, Any]:
    from tests.studies.agent.conftest import small_study

    return {**small_study("agent-bad"), **fields}


MCP = [
    ("start_study", _start(n_trial=3), "n_trial: unknown field"),
    ("start_study", _start(name="bad name!"), "name"),
    ("start_study", _start(n_trials=0), "n_trials"),
    ("start_study", _start(n_trials="lots"), "n_trials"),
    ("start_study", _start(workers=0), "workers"),
    ("start_study", _start(workers=99), "agent.max_workers"),
    ("start_study", _start(n_trials=100_000), "agent.max_trials"),
    ("start_study", _start(budget={"n_trials": 4, "cost": 1e9}), "agent.max_cost"),
    ("start_study", _start(objective="os:system"), "not allowed"),
    ("start_study", _start(objective={"solver": "sa", "problem": "flowshop"}), "iterations"),
    ("start_study", _start(space={"nosuch": {"type": "float", "low": 0, "high": 1}}), "space.nosuch"),
    ("start_study", _start(space={"cooling_rate": {"type": "float", "low": 0.99, "high": 0.9}}), "high"),
    ("start_study", _start(instances=["flowshop:ta999"]), "instances"),
    ("start_study", _start(instances=["/etc/passwd"]), "outside the project"),
    ("start_study", _start(spec_path="/etc/hosts"), "outside the project"),
    ("start_study", _start(sampler={"type": "nosuch"}), "sampler"),
    ("start_study", _start(warm_starts={"enqueue": [{"cooling_rate": 5.0}]}), "warm_starts"),
    ("get_study_status", {"name": "nosuch"}, "nosuch"),
    ("get_study_status", {"name": "x", "verbose": True}, "verbose: unknown field"),
    ("get_study_status", {}, "name"),
    ("get_best_params", {"name": "nosuch"}, "nosuch"),
    ("compare_trials", {"name": "nosuch", "top_k": 0}, "top_k"),
    ("compare_trials", {"name": "nosuch", "top_k": "many"}, "top_k"),
    ("list_studies", {"all": True}, "all: unknown field"),
    ("stop_study", {"name": "nosuch"}, "nosuch"),
    ("promote", {"name": "nosuch", "target": "/etc/hosts"}, "outside the project"),
    ("promote", {"name": "nosuch", "seeds": 0}, "seeds"),
    ("promote", {"name": "nosuch", "dry_run": "perhaps"}, "dry_run"),
]


@pytest.mark.parametrize(("tool", "arguments", "expected"), MCP, ids=[f"mcp-{k}" for k in range(len(MCP))])
def test_bad_mcp_call_refused(tool: str, arguments: dict, expected: str, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    from studies.agent import TOOLS
    from studies.settings import load_settings

    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.setenv("TUNETRACK_AGENT__PROJECT_ROOT", str(project))
    out = TOOLS[tool].function(dict(arguments), settings=load_settings())
    assert not out.ok and out.error is not None
    assert expected in out.error.message, out.error.message
    assert "Traceback" not in out.error.message and out.text.startswith("error (")
    assert_nothing_written(tmp_path)


def test_the_corpus_has_at_least_100_cases() -> None:
    assert len(SPECS) + len(SETTINGS) + len(CLI) + len(MCP) >= 100
