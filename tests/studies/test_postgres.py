"""Scale-out: a study on the PostgreSQL server with two worker processes loses nothing."""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState

from studies.queries import study_status
from studies.runner import start_study
from studies.settings import Settings
from studies.storage import get_storage, study_lock

from .conftest import callable_spec

pytestmark = pytest.mark.postgres


def test_two_workers_on_postgres_reach_the_exact_target(study_settings: Settings, postgres_url: str) -> None:
    settings = study_settings.model_copy(update={"studies": study_settings.studies.model_copy(update={"storage": postgres_url})})
    spec = callable_spec("pg", "slow", kwargs={"seconds": 0.05, "steps": 2}, workers=2, budget={"n_trials": 10})
    handle = start_study(spec, settings, progress=False)
    trials = optuna.load_study(study_name="pg", storage=get_storage(postgres_url)).get_trials()
    assert handle.state == "done"
    assert len(trials) == 10 and all(t.state == TrialState.COMPLETE for t in trials)
    assert study_status("pg", settings).trials.complete == 10


def test_study_lock_is_exclusive_on_postgres(postgres_url: str) -> None:
    import threading
    import time

    inside: list[int] = []
    overlaps: list[bool] = []

    def hold(index: int) -> None:
        with study_lock(postgres_url, "lock-test"):
            overlaps.append(bool(inside))
            inside.append(index)
            time.sleep(0.05)
            inside.remove(index)

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [False] * 4
