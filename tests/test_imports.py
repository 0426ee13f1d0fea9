"""The layers as tests: studies -> tracker, studies -> solvers, and nothing runs back up.

- `tracker` imports neither optuna nor solvers (nor studies);
- `solvers` imports neither mlflow nor optuna (nor tracker, studies);
- `studies` never imports mlflow itself and never reaches through the tracker's MLflow client.

Each rule is checked twice: by importing every module of the package in a fresh interpreter and
reading `sys.modules` (catches what a dependency pulls in), and by reading the source (catches
an import inside a function that an import alone never runs).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

FORBIDDEN = {
    "tracker": {"optuna", "solvers", "studies"},
    "solvers": {"mlflow", "optuna", "tracker", "studies"},
    "studies": {"mlflow"},
}


def _modules(package: str) -> list[str]:
    names = []
    for path in sorted((REPO / package).rglob("*.py")):
        if path.name == "__main__.py":
            continue
        parts = path.relative_to(REPO).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _imported_roots(path) -> set[tuple[str, int]]:
    """(top-level module, line) of every import statement in a file, wherever it sits."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
    return found


@pytest.mark.parametrize("package", ["solvers", "tracker"])
def test_importing_every_module_loads_nothing_forbidden(package: str) -> None:
    """(studies loads mlflow through tracker by design: its rule is on the source, below.)"""
    modules = _modules(package)
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(REPO.parent),
                               "NUMBA_CACHE_DIR": str(REPO / ".numba_cache")})
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert len(modules) > 3 and package in loaded
    assert not loaded & FORBIDDEN[package], f"{package} loads {sorted(loaded & FORBIDDEN[package])}"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_source_file_imports_a_forbidden_package(package: str) -> None:
    offences = [
        f"{path.relative_to(REPO)}:{line} imports {root}"
        for path in sorted((REPO / package).rglob("*.py"))
        for root, line in sorted(_imported_roots(path))
        if root in FORBIDDEN[package]
    ]
    assert not offences, "\n".join(offences)


HEAVY = {"alembic", "matplotlib", "mlflow", "numba", "numpy", "optuna", "pandas", "pyarrow", "scipy", "sklearn",
         "sqlalchemy"}


def test_the_command_line_and_the_mcp_handshake_load_no_heavy_library() -> None:
    """`tunetrack --version` and an MCP server before its tools load import none of the libraries commands need.

    Each command imports its library in its own function; `tunetrack mcp` registers its tools on a
    thread after the server exists, so the handshake never waits for MLflow or Optuna.
    """
    script = (
        "import json, sys\n"
        "from studies.cli import app\n"
        "try:\n"
        "    app(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "from studies.agent._mcp import _new_server\n"
        "from studies.settings import load_settings\n"
        "server = _new_server(load_settings())\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(REPO.parent)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("tunetrack ")
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert {"studies", "typer", "mcp"} <= loaded
    assert not loaded & HEAVY, f"the command line loads {sorted(loaded & HEAVY)}"


def test_studies_never_reaches_through_the_tracker_client() -> None:
    """Every MLflow operation studies needs is a `Tracker` method; no `<tracker>.client.<call>` in studies."""
    offences = []
    for path in sorted((REPO / "studies").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "client" and not (
                isinstance(node.value, ast.Name) and node.value.id == "mcp"
            ):
                offences.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offences, "studies uses an MLflow client directly at " + ", ".join(offences)


def test_tracker_construction_opens_nothing(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`Tracker(settings)` only remembers its settings: no directory, no database, no environment change."""
    import os

    monkeypatch.delenv("MLFLOW_S3_ENDPOINT_URL", raising=False)  # restored after the test
    from tracker import Tracker
    from tracker.settings import TrackerSettings, TrackingSettings

    before = dict(os.environ)
    settings = TrackerSettings(tracking=TrackingSettings(
        uri=f"sqlite:///{tmp_path}/stores/mlflow.db", artifact_root=str(tmp_path / "artifacts"),
        s3_endpoint_url="http://127.0.0.1:1"))
    tracker = Tracker(settings)
    assert list(tmp_path.iterdir()) == []
    assert dict(os.environ) == before
    tracker.create_store()
    assert (tmp_path / "stores" / "mlflow.db").is_file() and (tmp_path / "artifacts").is_dir()
