"""A third problem family, added the way `solvers/__init__.py` ("How a family plugs in") says,
is accepted by a study spec, by the agent guardrails and by a real (one-trial) study, without
any edit under `studies/`: they all read `solvers.registry`.

The toy family: match a hidden bit string of length n (`bitmatch:<n>`); the objective is the
number of wrong bits (the reference n is the all-wrong count, so the gap is objective / n - 1).
Its search is plain Python: a plug-in does not need numba.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import solvers
from solvers import ChunkStats, Family, Instance, Search
from studies.agent._base import GuardrailError
from studies.agent._guardrails import check_instance_files, check_objective
from studies.runner import start_study
from studies.spec import SpecError, load_spec
from studies.settings import Settings


class _BitSearch(Search):
    """Flip one random bit per iteration, keep it when not worse (whatever the solver name)."""

    operators = ("flip",)

    def __init__(self, target: np.ndarray, seed: int) -> None:
        self.target = target
        self.rng = np.random.default_rng(seed)
        self.bits = np.zeros_like(target)
        self.wrong = 0

    def start(self) -> dict[str, Any]:
        self.wrong = int((self.bits != self.target).sum())
        return {"objective": self.wrong}

    def run(self, iterations: int) -> ChunkStats:
        accepted = 0
        for _ in range(iterations):
            i = int(self.rng.integers(self.bits.shape[0]))
            if self.bits[i] != self.target[i]:
                self.bits[i] ^= 1
                self.wrong -= 1
                accepted += 1
        return ChunkStats(iterations, self.wrong, self.wrong, proposals={"flip": iterations},
                          accepts={"flip": accepted})

    def best_solution(self) -> np.ndarray:
        return self.bits.copy()

    def finished(self) -> bool:
        return self.wrong == 0


class BitMatchFamily(Family):
    name = "bitmatch"

    def load(self, spec: str) -> Instance:
        n = int(spec)
        target = np.random.default_rng(n).integers(0, 2, n).astype(np.int8)
        target[0] = 1  # never all zeros: a solve has work to do
        return Instance("bitmatch", f"bits{n}", target, reference=float(n), lower_bound=0.0,
                        descriptor={"family": "bitmatch", "bits": n})

    def read(self, path: Path) -> Instance:
        return self.load(Path(path).read_text().strip())

    def evaluate(self, instance: Instance, solution: np.ndarray) -> tuple[float, bool]:
        return float((np.asarray(solution) != instance.data).sum()), True

    def search(self, instance: Instance, solver: str, config: Any, seed: int) -> Search:
        return _BitSearch(instance.data, seed)

    def operators(self) -> dict[str, tuple[str, ...]]:
        return dict.fromkeys(solvers.solver_names(), ("flip",))


@pytest.fixture
def bitmatch():
    """Step 1 of the guide: register the family (here the instance itself; a package path works too)."""
    solvers.register_family("bitmatch", BitMatchFamily())
    yield "bitmatch"
    solvers.registry.unregister_family("bitmatch")


def _spec(**fields: Any) -> dict[str, Any]:
    spec = {
        "name": "bits",
        "objective": {"solver": "ils", "problem": "bitmatch", "iterations": 30},
        "instances": ["12", "bitmatch:20"],
        "seeds": [1],
        "space": {"perturbation_strength": {"type": "int", "low": 1, "high": 4}},
        "sampler": {"type": "random", "seed": 1},
        "budget": {"n_trials": 1},
        "workers": 1,
    }
    spec.update(fields)
    return spec


def test_the_registry_lists_the_new_family(bitmatch: str) -> None:
    assert bitmatch in solvers.family_names() and bitmatch in solvers.available_families()
    assert solvers.load_instance("bitmatch:8").name == "bits8"
    described = {d["solver"]: d for d in solvers.describe_solvers()}
    assert described["sa"]["families"]["bitmatch"]["operators"] == ["flip"]


def test_a_spec_names_the_new_family(bitmatch: str) -> None:
    spec = load_spec(_spec())
    assert spec.objective.problem == bitmatch
    assert spec.evaluation_instances() == ["bitmatch:12", "bitmatch:20"]


def test_an_unregistered_family_is_refused_with_the_allowed_names(bitmatch: str) -> None:
    with pytest.raises(SpecError) as err:
        load_spec(_spec(objective={"solver": "ils", "problem": "bitmach", "iterations": 30}))
    message = str(err.value)
    assert "objective" in message and "problem" in message and "bitmach" in message
    assert all(name in message for name in ("flowshop", "coloring", "bitmatch"))


def test_without_registration_the_spec_is_refused() -> None:
    with pytest.raises(SpecError, match="bitmatch"):
        load_spec(_spec())


def test_the_guardrails_accept_its_instances(bitmatch: str, study_settings: Settings) -> None:
    check_instance_files({"instances": ["bitmatch:12", "flowshop:ta001"]}, study_settings)
    check_objective(load_spec(_spec()), study_settings)
    with pytest.raises(GuardrailError, match="outside the project"):  # a path, not a family: checked
        check_instance_files({"instances": ["/etc/bitmatch:12"]}, study_settings)


def test_one_study_trial_runs_on_the_new_family(bitmatch: str, study_settings: Settings) -> None:
    handle = start_study(_spec(), study_settings, progress=False)  # one worker: runs in this process
    assert handle.state == "done"
    from studies.queries import best_params

    best = best_params("bits", study_settings)
    assert best.trial == 0 and best.value <= 0.0  # gap = wrong / n - 1 <= 0
