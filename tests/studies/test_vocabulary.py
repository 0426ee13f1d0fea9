"""The study vocabulary: one best trial, one paired test, each `tt_*` key written in one module."""

from __future__ import annotations

import ast
import functools
import math
import re

import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from studies.promotion import Pair, decide
from studies.queries import compare_trials
from studies.settings import load_settings
from studies.spec import load_spec, spec_to_json
from studies.storage import get_storage
from studies.vocabulary import Attr, best_trial, completed, ranked_trials
from tests.conftest import REPO
from tests.studies.conftest import callable_spec

PACKAGES = ("tracker", "solvers", "studies")
VOCABULARY = REPO / "studies" / "vocabulary.py"

# Paired per-instance values with ties, zero differences and both signs: the cases where
# differently written tests used to disagree (quarters, so differences tie exactly).
BEST = [0.25, 0.5, 0.75, 0.75, 1.25, 1.0, 1.75, 0.5]
OTHER = [0.75, 0.5, 1.25, 0.25, 1.75, 1.5, 1.75, 1.0]


def _trial(value: float | None, number: int, state: TrialState = TrialState.COMPLETE,
           per_instance: list[float] | None = None) -> optuna.trial.FrozenTrial:
    trial = create_trial(state=state, value=value if state == TrialState.COMPLETE else None,
                         params={"x": 0.5}, distributions={"x": FloatDistribution(0.0, 1.0)},
                         intermediate_values=dict(enumerate(per_instance or [])))
    trial.number = number
    return trial


# ---- one best trial ------------------------------------------------------------------
def test_ranked_trials_keep_only_finite_completed_trials_best_first_earliest_on_ties() -> None:
    trials = [
        _trial(3.0, 0), _trial(1.0, 1), _trial(1.0, 2), _trial(math.inf, 3), _trial(-math.inf, 4),
        _trial(None, 5, TrialState.PRUNED), _trial(None, 6, TrialState.FAIL), _trial(2.0, 7),
    ]
    assert [t.number for t in ranked_trials(trials, "minimize")] == [1, 2, 7, 0]
    assert [t.number for t in ranked_trials(trials, "maximize")] == [0, 7, 1, 2]
    assert [t.number for t in completed(trials)] == [0, 1, 2, 7]
    assert best_trial(trials, "minimize").number == 1
    assert best_trial(trials, "maximize").number == 0


def test_best_trial_is_none_without_a_finite_completed_trial() -> None:
    assert best_trial([], "minimize") is None
    assert best_trial([_trial(None, 0, TrialState.PRUNED), _trial(math.inf, 1)], "maximize") is None


def test_a_bad_direction_names_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="'minimize' or 'maximize'.*'lowest'"):
        ranked_trials([_trial(1.0, 0)], "lowest")


# ---- one paired test -------------------------------------------------------------------
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_compare_trials_and_the_promotion_gate_give_the_same_p_value(direction: str) -> None:
    best, other = (BEST, OTHER) if direction == "minimize" else (OTHER, BEST)
    settings = load_settings().resolved()
    spec = load_spec(callable_spec("paired", "per_instance", direction=direction))
    study = optuna.create_study(study_name="paired", direction=direction, storage=get_storage(
        settings.studies.storage, heartbeat_interval=None, grace_period=None))
    study.set_user_attr(Attr.SPEC, spec_to_json(spec))
    for number, values in enumerate((best, other)):
        study.add_trial(_trial(sum(values) / len(values), number, per_instance=values))

    rows = compare_trials("paired", top_k=2, settings=settings).rows
    assert [r.trial for r in rows] == [0, 1]
    compared = rows[1].p_value_vs_best

    gate = decide([Pair(instance=f"i{k}", seed=1, current=o, candidate=b) for k, (b, o) in enumerate(zip(best, other))],
                  direction=direction)
    assert compared is not None and 0.0 < compared < 1.0
    assert gate.p_value == pytest.approx(compared, rel=0, abs=1e-12)


# ---- each key written once -----------------------------------------------------------
def _sources():
    for package in PACKAGES:
        yield from sorted((REPO / package).rglob("*.py"))


@functools.cache
def _definitions() -> dict[str, list[str]]:
    """Class and function name -> the files that define it (parsed once for every parametrised case)."""
    found: dict[str, list[str]] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                found.setdefault(node.name, []).append(str(path.relative_to(REPO)))
    return found


def test_each_tt_attr_key_literal_appears_only_in_the_vocabulary() -> None:
    """Optuna attr keys are written as `Attr.*`; a quoted `tt_...` anywhere else is a second definition."""
    literal = re.compile(r"""["']tt_[A-Za-z0-9_]*""")
    offences = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _sources() if path != VOCABULARY
        for number, line in enumerate(path.read_text().splitlines(), 1) if literal.search(line)
    ]
    assert not offences, "tt_* keys outside studies/vocabulary.py:\n" + "\n".join(offences)
    values = [member.value for member in Attr]
    assert len(values) == len(set(values)), "a key is defined twice in Attr"
    text = VOCABULARY.read_text()
    assert all(text.count(f'"{value}"') == 1 for value in values)


@pytest.mark.parametrize(("name", "home"), [
    ("Attr", "studies/vocabulary.py"), ("StudyState", "studies/vocabulary.py"), ("StopReason", "studies/vocabulary.py"),
    ("Metric", "studies/vocabulary.py"), ("best_trial", "studies/vocabulary.py"),
    ("ranked_trials", "studies/vocabulary.py"), ("paired_test", "studies/stats.py"),
    ("signed_rank_p_value", "studies/stats.py"),
])
def test_vocabulary_names_are_defined_once(name: str, home: str) -> None:
    assert _definitions().get(name) == [home]
