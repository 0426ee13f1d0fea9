"""A worker: joins a study by name and runs trials until the target, the budget, a deadline or a stop.

Any number of workers, in any number of processes or hosts, share one study through its
storage. Reserving a trial slot is the only step taken under a lock (never the objective),
so the study's total number of trials is exact however many workers run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass, field

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import FrozenTrial, TrialState

from studies import signals
from studies._recording import StudyRecorder
from studies._trial import retry_failed, run_trial
from studies.pruners import make_pruner, spend_of
from studies.samplers import DistinctSampler, make_sampler
from studies.settings import Settings
from studies.space import suggest
from studies.spec import StudySpec, spec_from_json
from studies.storage import HEARTBEAT_INTERVAL_S, get_storage, study_lock
from studies.vocabulary import COUNTED_STATES, Attr, StopReason
from tracker import Tracker

log = logging.getLogger(__name__)

STALE_REASON = "worker stopped sending heartbeats"


@dataclass
class WorkerReport:
    trials: int = 0
    stop_reason: StopReason | None = None
    states: dict[str, int] = field(default_factory=dict)


def install_signal_handlers() -> None:
    """SIGINT, SIGTERM, SIGHUP interrupt the running trial once; later ones wait for the cleanup."""
    signals.install()


class Worker:
    """One worker's view of a study: storage, sampler, pruner and recorder, built once."""

    def __init__(self, study_name: str, settings: Settings, *, worker_index: int = 0, supervised: bool = False,
                 trials_at_start: int | None = None) -> None:
        self.settings = settings
        self.supervised = supervised  # a spawned worker whose runner recovers its trials if it dies
        self._attrs_cache: tuple[float, dict] | None = None
        self._pending: optuna.Trial | None = None  # reserved, not yet told: failed if a stop cuts in
        self.url = settings.studies.storage
        self.tracker = Tracker(settings)
        self._recorder: StudyRecorder | None = None
        storage = get_storage(self.url, grace_period=settings.studies.heartbeat_grace_s,
                              failed_trial_callback=self._on_stale)
        probe = optuna.load_study(study_name=study_name, storage=storage)
        self.spec: StudySpec = spec_from_json(probe.user_attrs[Attr.SPEC])
        if trials_at_start is None:  # a joining worker: what the storage holds now makes its seed its own
            trials_at_start = len(probe.get_trials(deepcopy=False))
        sampler = make_sampler(self.spec, worker_index=worker_index, trials_at_start=trials_at_start)
        self.study = optuna.load_study(
            study_name=study_name, storage=storage, sampler=sampler, pruner=make_pruner(self.spec))
        self._recorder = StudyRecorder(self.tracker, self.spec, probe.user_attrs[Attr.PARENT_RUN_ID])

    @property
    def recorder(self) -> StudyRecorder:
        assert self._recorder is not None
        return self._recorder

    def recover(self, trial: FrozenTrial, reason: str) -> None:
        """A trial whose worker is gone: close its MLflow runs and retry it if it has retries left."""
        self.recorder.close_orphans(trial, reason)
        retry_failed(self.study, trial, self.spec.retries)

    def _on_stale(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if self._recorder is not None:
            self.recover(trial, STALE_REASON)

    def stop_reason(self, attrs: dict, trials: list[FrozenTrial]) -> StopReason | None:
        """Why no further trial should start (None if one may), from one read of attrs and trials."""
        if attrs.get(Attr.STOP):
            return StopReason.STOPPED
        deadline = attrs.get(Attr.DEADLINE)
        if deadline is not None and time.time() >= float(deadline):
            return StopReason.TIMEOUT
        if self.spec.budget.cost is not None and spend_of(trials) >= self.spec.budget.cost:
            return StopReason.BUDGET
        target = int(attrs.get(Attr.TARGET, self.spec.budget.n_trials))
        failed = sum(t.state == TrialState.FAIL for t in trials)
        if failed >= max(3, target) * (self.spec.retries + 1):
            return StopReason.FAILED
        active = sum(t.state in (*COUNTED_STATES, TrialState.RUNNING) for t in trials)
        return StopReason.TARGET if active >= target else None

    def _attrs(self) -> dict:
        """The study's user attrs (target, stop, deadline), re-read at most once per flush interval."""
        now = time.monotonic()
        if self._attrs_cache is None or now - self._attrs_cache[0] >= self.settings.steps.flush_interval_s:
            self._attrs_cache = (now, self.study.user_attrs)
        return self._attrs_cache[1]

    def reserve(self) -> tuple[optuna.Trial | None, StopReason | None]:
        """Under the study lock: a waiting trial (retry, warm start, grid point) or a new one, else why not.

        The new trial's parameters are sampled and stored under the lock too, so the next
        worker's sampler sees them and never proposes the same configuration.
        """
        with study_lock(self.url, self.study.study_name), signals.deferred():  # never a trial without a handle
            trials = self.study.get_trials(deepcopy=False)
            reason = self.stop_reason(self._attrs(), trials)
            if reason is not None:
                return None, reason
            sampler = self.study.sampler
            knowing = sampler.knowing(trials) if isinstance(sampler, DistinctSampler) else contextlib.nullcontext()
            with knowing:  # the lock is held: no other worker adds a trial meanwhile
                trial = self._pending = self.study.ask()
                if self.spec.space:
                    try:
                        suggest(trial, self.spec.space)
                    except Exception as exc:  # a bad proposal is the trial's failure, reported by run_trial
                        log.warning("trial %d: sampling failed: %s", trial.number, exc)
            return trial, None

    def _fail_pending(self) -> None:
        """A stop that landed between reserving a trial and its own handling: fail it, never leave it RUNNING."""
        trial, self._pending = self._pending, None
        if trial is None:
            return
        with contextlib.suppress(UpdateFinishedTrialError):
            trial.set_user_attr(Attr.ERROR, "interrupted")
            self.study.tell(trial, state=TrialState.FAIL)

    def run(self, max_trials: int | None = None, on_trial=None) -> WorkerReport:
        """Run trials until a stop reason; `on_trial()` is called after each (e.g. a progress bar)."""
        report = WorkerReport()
        rate = self.settings.studies.cost_rate
        stale_checked_at = -float("inf")
        try:
            while max_trials is None or report.trials < max_trials:
                if time.monotonic() - stale_checked_at >= HEARTBEAT_INTERVAL_S:  # no need to look every trial
                    optuna.storages.fail_stale_trials(self.study)
                    stale_checked_at = time.monotonic()
                trial, report.stop_reason = self.reserve()
                if trial is None:
                    break
                finished = run_trial(self.study, trial, self.spec, self.recorder, rate, tag_worker=self.supervised)
                self._pending = None
                report.trials += 1
                report.states[finished.state.name] = report.states.get(finished.state.name, 0) + 1
                if finished.state == TrialState.FAIL:
                    retry_failed(self.study, finished, self.spec.retries)
                self.recorder.log_progress(self.study)
                if on_trial is not None:
                    on_trial()
        except KeyboardInterrupt:
            self._fail_pending()
            raise
        finally:
            self.recorder.log_progress(self.study, force=True)
        return report


def run_worker(
    study_name: str, settings: Settings, *, worker_index: int = 0, numba_threads: int | None = None,
    supervised: bool = False, trials_at_start: int | None = None,
) -> WorkerReport:
    """Entry point of a worker process (or of `tunetrack study worker NAME`)."""
    if numba_threads:
        os.environ["NUMBA_NUM_THREADS"] = str(numba_threads)
    install_signal_handlers()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    worker = Worker(study_name, settings, worker_index=worker_index, supervised=supervised,
                    trials_at_start=trials_at_start)
    try:
        warm_kernels(worker.spec)
        return worker.run()
    except KeyboardInterrupt:
        return WorkerReport(stop_reason=StopReason.INTERRUPTED)


def warm_kernels(spec: StudySpec) -> None:
    """Compile (or load from numba's cache) a solver objective's kernels before the first trial.

    The runner does it once before any worker starts, so that workers never compile at the same
    time; each worker process does it again (a cache load) before its first trial, so neither
    compiling nor loading is billed as a trial's cost or eats a cost budget.
    """
    from studies.spec import SolverObjective

    if not isinstance(spec.objective, SolverObjective):
        return
    import solvers

    try:
        solvers.warm(spec.objective.problem, spec.objective.solver)
    except Exception as exc:  # the trials will report the problem with their own failures
        log.warning("study %s: could not compile the solver's kernels up front: %s", spec.name, exc)
