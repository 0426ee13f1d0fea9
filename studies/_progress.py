"""A live progress bar for a running study: trials done of the target, best value, spend."""

from __future__ import annotations

import optuna
from optuna.trial import TrialState
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from studies.pruners import spend_of
from studies.spec import StudySpec
from studies.vocabulary import COUNTED_STATES, Attr, best_trial


class StudyProgress:
    """Polls the study's storage; shows nothing when disabled (detached runs, scripts)."""

    def __init__(self, study: optuna.Study, spec: StudySpec, *, enabled: bool = True) -> None:
        self._study, self._spec = study, spec
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), disable=not enabled, transient=False,
        )
        target = int(study.user_attrs.get(Attr.TARGET, spec.budget.n_trials))
        self._task = self._progress.add_task(spec.name, total=target, detail="")
        self._enabled = enabled

    def update(self) -> None:
        if not self._enabled:
            return
        trials = self._study.get_trials(deepcopy=False)
        done = [t for t in trials if t.state in COUNTED_STATES]
        best_done = best_trial(trials, self._spec.direction)
        best = best_done.value if best_done else None
        spend = spend_of(trials)
        budget = f"/{self._spec.budget.cost:g}" if self._spec.budget.cost else ""
        pruned = sum(t.state == TrialState.PRUNED for t in trials)
        failed = sum(t.state == TrialState.FAIL for t in trials)
        detail = (f"best {best:.6g}" if best is not None else "best -") + f"  spend {spend:.1f}{budget}"
        detail += f"  pruned {pruned}  failed {failed}"
        self._progress.update(self._task, completed=len(done), detail=detail)

    def __enter__(self) -> "StudyProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.update()
        finally:
            self._progress.stop()
