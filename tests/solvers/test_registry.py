"""The registry: names, config classes, clear errors, and families found through entry points."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import solvers
from tests.conftest import REPO


def test_names_and_config_classes() -> None:
    assert solvers.solver_names() == ("sa", "ils", "tabu")
    assert {"flowshop", "coloring"} <= set(solvers.family_names())
    assert solvers.config_class("sa") is solvers.SAConfig
    with pytest.raises(solvers.UnknownSolverError, match="solver: must be one of sa, ils, tabu"):
        solvers.config_class("ga")
    with pytest.raises(solvers.ProblemError, match="must be one of flowshop, coloring"):
        solvers.get_family("knapsack")


def test_bad_registrations_are_refused() -> None:
    with pytest.raises(solvers.ProblemError, match="without ':'"):
        solvers.register_family("a:b", "pkg")
    with pytest.raises(solvers.ProblemError, match="module path or a solvers.Family"):
        solvers.register_family("toy", 42)
    assert "toy" not in solvers.family_names()


FAMILY_MODULE = '''
import numpy as np
from solvers import Family, Instance

class Ring(Family):
    name = "ring"

    def load(self, spec):
        return Instance("ring", "ring" + spec, np.arange(int(spec)), reference=1.0)

    def read(self, path):
        raise NotImplementedError

    def evaluate(self, instance, solution):
        return 1.0, True

    def search(self, instance, solver, config, seed):
        raise NotImplementedError

FAMILY = Ring()
'''


def test_an_installed_entry_point_family_is_found_in_a_fresh_process(tmp_path: Path) -> None:
    """What a spawned study worker sees: no register_family call, only the installed metadata."""
    (tmp_path / "ringfam").mkdir()
    (tmp_path / "ringfam" / "__init__.py").write_text(FAMILY_MODULE)
    dist = tmp_path / "ringfam-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ringfam\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[tunetrack.families]\nring = ringfam\n")
    code = textwrap.dedent("""
        import solvers
        print(",".join(solvers.family_names()), solvers.load_instance("ring:5").name)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(tmp_path)])}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["flowshop,coloring,ring", "ring5"]
