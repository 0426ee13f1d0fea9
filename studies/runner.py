"""Starting, running, resuming and stopping studies.

`start_study` creates the stores once in this process (several processes migrating a new
store at once fail), records the study run, enqueues warm starts and grid points, then runs
worker processes (spawn) in the foreground with a progress bar, or detaches them so the call
returns at once. Workers that die are detected: their trials are failed and retried and
their MLflow runs closed. Ctrl+C stops cleanly: nothing is left RUNNING.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from studies import signals
from studies._recording import StudyRecorder
from studies._repair import repair_running_runs
from studies.pruners import study_spend
from studies.settings import Settings, load_settings
from studies.spec import SpecError, StudySpec, load_spec, spec_from_json, spec_to_json
from studies.storage import get_storage
from studies.vocabulary import COUNTED_STATES, Attr, StopReason, StudyState, ranked_trials
from studies.worker import Worker, run_worker, warm_kernels
from tracker import RunState, Tag, Tracker, flush_tracking
from tracker._stores import store_known_reachable
from tracker.redaction import install_log_redaction
from tracker.sqlite import sqlite_path

log = logging.getLogger(__name__)

MAX_RESPAWNS_PER_WORKER = 3
TIERS_ARTIFACT = "tiers.json"
POLL_S = 0.5
WORKER_JOIN_S = 60.0
"""How long a stopping runner waits for a worker to finish its trial before it kills it (and recovers the trial)."""
STOP_WAIT_S = WORKER_JOIN_S + 60.0
"""How long `stop_study` waits for the runner: its workers' join, then closing the study and its runs."""


@dataclass(frozen=True)
class StudyHandle:
    """What `start_study` returns: where the study lives and how far it got."""

    name: str
    storage: str
    experiment_id: str
    parent_run_id: str
    target: int
    state: StudyState
    stop_reason: StopReason | None = None
    detached_pid: int | None = None
    log_path: str | None = None


class StudyConflict(SpecError):
    """A study of that name exists with a different objective or space."""


def prepare_study(spec: StudySpec, settings: Settings, *, n_trials: int | None = None) -> tuple[optuna.Study, StudyRecorder]:
    """Create or resume the study and its study run; set the target; enqueue warm starts and grid points."""
    tracker = Tracker(settings)
    tracker.create_store()  # once, here in the parent, before any worker
    storage = get_storage(settings.studies.storage)
    study = optuna.create_study(
        study_name=spec.name, storage=storage, directions=spec.objective_directions, load_if_exists=True)
    previous = study.user_attrs.get(Attr.SPEC)
    first_start = previous is None
    if not first_start:
        _check_compatible(spec_from_json(previous), spec)
    study.set_user_attr(Attr.SPEC, spec_to_json(spec))
    target = n_trials if n_trials is not None else spec.budget.n_trials
    if spec.sampler.type == "grid":
        target = min(target, len(spec.grid()))
    study.set_user_attr(Attr.TARGET, target)
    study.set_user_attr(Attr.STOP, False)
    study.set_user_attr(Attr.DEADLINE, time.time() + spec.budget.timeout_s if spec.budget.timeout_s else None)
    study.set_user_attr(Attr.STATE, StudyState.RUNNING.value)
    study.set_user_attr(Attr.STARTED_AT, time.time())
    recorder = StudyRecorder.open_study_run(tracker, spec, study)
    if first_start:
        _enqueue_warm_starts(study, spec, settings)
    if spec.sampler.type == "grid":
        _enqueue_grid(study, spec, target)
    return study, recorder


def _check_compatible(before: StudySpec, now: StudySpec) -> None:
    same = (before.objective == now.objective and before.space == now.space
            and before.objective_directions == now.objective_directions and before.metrics == now.metrics
            and before.evaluations() == now.evaluations())
    if not same:
        raise StudyConflict(
            f"study {now.name!r} exists with a different objective, space, direction(s), metrics or instances; "
            "resume it with the same spec or choose another name")


def _enqueue_warm_starts(study: optuna.Study, spec: StudySpec, settings: Settings) -> None:
    from studies.spec import constants_warm_start

    if spec.warm_starts.from_constants:  # the current defaults are the first trial
        study.enqueue_trial(constants_warm_start(spec), skip_if_exists=True)
    for params in spec.warm_starts.enqueue:
        study.enqueue_trial(params, skip_if_exists=True)
    if spec.warm_starts.from_study:
        source = optuna.load_study(study_name=spec.warm_starts.from_study, storage=get_storage(settings.studies.storage))
        for trial in ranked_trials(source.get_trials(deepcopy=False), spec.direction)[: spec.warm_starts.top_k]:
            study.enqueue_trial({k: v for k, v in trial.params.items() if k in spec.space}, skip_if_exists=True)


def _enqueue_grid(study: optuna.Study, spec: StudySpec, target: int) -> None:
    """Every grid point exactly once: enqueue the points no trial has taken (or is waiting with)."""
    taken = {
        tuple(sorted(t.params.items())) if t.params else tuple(sorted(t.system_attrs.get("fixed_params", {}).items()))
        for t in study.get_trials(deepcopy=False)
        if t.state != TrialState.FAIL
    }
    for point in spec.grid()[:target]:
        if tuple(sorted(point.items())) not in taken:
            study.enqueue_trial(point)


def _worker_entry(study_name: str, settings_json: str, index: int, numba_threads: int, trials_at_start: int) -> None:
    signals.stop_when_parent_dies()  # a runner killed with SIGKILL must not leave its workers running
    install_log_redaction()
    settings = Settings.from_private_json(settings_json)
    store_known_reachable(settings.tracking.uri)  # the runner just used it: a silent store is an outage
    code = 0
    try:
        report = run_worker(study_name, settings, worker_index=index,
                            numba_threads=numba_threads, supervised=True, trials_at_start=trials_at_start)
        code = 3 if report.stop_reason is StopReason.FAILED else 0
    except KeyboardInterrupt:  # stopped while still starting: nothing of it to close
        pass
    finally:  # the runner's stop signal may still be on its way: it must not interrupt the shutdown
        signals.ignore()
    flush_tracking()  # spawned processes skip atexit: send spooled tracking writes now
    sys.exit(code)


class _Pool:
    """The worker processes of one start, respawning a bounded number of dead ones."""

    def __init__(self, study: optuna.Study, settings: Settings, spec: StudySpec, workers: int) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._study = study  # how many trials it holds seeds each process's sampler (no replay)
        study_name = study.study_name
        self._args = (study_name, settings.to_private_json())
        self._threads = spec.numba_threads
        self._respawns = 0
        self._max_respawns = MAX_RESPAWNS_PER_WORKER * workers
        at_start = len(study.get_trials(deepcopy=False))
        self.processes = [self._spawn(i, at_start) for i in range(workers)]

    def _spawn(self, index: int, trials_at_start: int | None = None) -> multiprocessing.Process:
        if trials_at_start is None:
            trials_at_start = len(self._study.get_trials(deepcopy=False))
        process = self._ctx.Process(target=_worker_entry, args=(*self._args, index, self._threads, trials_at_start),
                                    daemon=False)
        process.start()
        return process

    def reap(self, on_death) -> None:
        """Call `on_death(worker_tag)` for each worker that died abnormally, and replace it."""
        host = socket.gethostname()
        for i, process in enumerate(self.processes):
            if process.exitcode is None or process.exitcode == 0 or getattr(process, "_reaped", False):
                continue
            process._reaped = True  # type: ignore[attr-defined]
            if process.exitcode == 3:
                continue  # stopped itself: too many failed trials
            on_death(f"{host}:{process.pid}")
            if self._respawns < self._max_respawns:
                self._respawns += 1
                self.processes[i] = self._spawn(i)

    def alive(self) -> bool:
        return any(p.is_alive() for p in self.processes)

    def interrupt(self) -> None:
        for process in self.processes:
            if process.is_alive():
                os.kill(process.pid, signal.SIGINT)

    def join(self, timeout: float = WORKER_JOIN_S) -> None:
        deadline = time.monotonic() + timeout
        for process in self.processes:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def run_study(
    name: str, settings: Settings, *, workers: int | None = None, progress: bool = True, cluster: str | None = None,
) -> StudyHandle:
    """Run workers on an already prepared study until it ends; returns its final handle.

    `cluster` (else `settings.cluster.address`): the worker loops run as Dask tasks there (`studies.cluster`).
    """
    from studies import cluster as dask_cluster
    from studies._progress import StudyProgress

    settings = settings.resolved()
    storage = get_storage(settings.studies.storage)
    study = optuna.load_study(study_name=name, storage=storage)
    spec = spec_from_json(study.user_attrs[Attr.SPEC])
    n_workers = workers or spec.workers
    study.set_user_attr(Attr.RUNNER, {"host": socket.gethostname(), "pid": os.getpid()})
    warm_kernels(spec)
    supervisor = Worker(name, settings, trials_at_start=len(study.get_trials(deepcopy=False)))  # recovers the trials of dead workers
    display = StudyProgress(study, spec, enabled=progress)
    address = dask_cluster.resolve(cluster, settings)
    if address is not None:  # the runner holds the Dask futures; a dead worker's trials are recovered here
        return _run_here(supervisor, display, lambda: dask_cluster.run_on_cluster(
            address, supervisor, workers=workers, on_death=partial(_recover_worker, supervisor), on_poll=display.update))
    if n_workers == 1:  # no process to spawn: this process is the worker
        return _run_here(supervisor, display)
    pool = _Pool(study, settings, spec, n_workers)
    interrupted = crashed = False
    try:
        with display:
            while pool.alive():
                time.sleep(POLL_S)
                pool.reap(lambda tag: _recover_worker(supervisor, tag))
                display.update()
            pool.reap(lambda tag: _recover_worker(supervisor, tag))
    except KeyboardInterrupt:
        interrupted = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        study.set_user_attr(Attr.STOP, True)
        pool.interrupt()
    except Exception:
        crashed = True
        pool.interrupt()
        raise
    finally:
        pool.join()
        for process in pool.processes:  # anything a worker could not close itself
            _recover_worker(supervisor, f"{socket.gethostname()}:{process.pid}", retry=not interrupted)
        handle = finish_study(study, supervisor.recorder, interrupted=interrupted, crashed=crashed)
    return handle


def _run_here(worker: Worker, display, body: Callable[[], object] | None = None) -> StudyHandle:
    interrupted = crashed = False
    try:
        with display:
            if body is None:
                worker.run(on_trial=display.update)
            else:
                body()
    except KeyboardInterrupt:
        interrupted = True
        worker.study.set_user_attr(Attr.STOP, True)
    except Exception:
        crashed = True
        raise
    finally:  # whatever happened, the study's state and its run are closed
        handle = finish_study(worker.study, worker.recorder, interrupted=interrupted, crashed=crashed)
    return handle


def _recover_worker(supervisor: Worker, tag: str, *, retry: bool = True) -> None:
    for trial in supervisor.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if trial.user_attrs.get(Attr.WORKER) != tag:
            continue
        reason = f"worker {tag} died" if retry else f"worker {tag} stopped"
        supervisor.study._storage.set_trial_user_attr(trial._trial_id, Attr.ERROR, reason)
        supervisor.study._storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
        failed = supervisor.study._storage.get_trial(trial._trial_id)
        if retry:
            supervisor.recover(failed, f"worker {tag} died")
        else:
            supervisor.recorder.close_orphans(failed, f"worker {tag} stopped")


def finish_study(
    study: optuna.Study, recorder: StudyRecorder, *, interrupted: bool, crashed: bool = False
) -> StudyHandle:
    """Decide the study's state, record it, and close the study run with the matching status."""
    spec = recorder.spec
    trials = study.get_trials(deepcopy=False)
    target = int(study.user_attrs.get(Attr.TARGET, spec.budget.n_trials))
    counted = sum(t.state in COUNTED_STATES for t in trials)
    failed = sum(t.state == TrialState.FAIL for t in trials)
    budget_spent = spec.budget.cost is not None and study_spend(study) >= spec.budget.cost
    deadline = study.user_attrs.get(Attr.DEADLINE)
    timed_out = deadline is not None and time.time() >= float(deadline)
    if crashed:
        reason = StopReason.FAILED
    elif interrupted:
        reason = StopReason.INTERRUPTED
    elif study.user_attrs.get(Attr.STOP):
        reason = StopReason.STOPPED
    elif failed and not counted:  # every trial failed: nothing was learnt, whatever the budget says
        reason = StopReason.FAILED
    elif counted >= target:
        reason = StopReason.TARGET
    elif budget_spent:
        reason = StopReason.BUDGET
    elif timed_out:
        reason = StopReason.TIMEOUT
    else:
        reason = StopReason.FAILED if failed else StopReason.STOPPED
    state, run_state = _OUTCOME[reason]
    study.set_user_attr(Attr.STATE, state.value)
    study.set_user_attr(Attr.FINISHED_AT, time.time())
    _record_tiers(study, recorder)
    recorder.close_study_run(run_state, study)
    return StudyHandle(
        name=study.study_name, storage=recorder.tracker.settings.studies.storage,
        experiment_id=str(study.user_attrs.get(Attr.EXPERIMENT_ID)), parent_run_id=recorder.parent_run_id,
        target=target, state=state, stop_reason=reason,
    )


_OUTCOME = {
    StopReason.TARGET: (StudyState.DONE, RunState.COMPLETE),
    StopReason.BUDGET: (StudyState.DONE, RunState.COMPLETE),
    StopReason.TIMEOUT: (StudyState.DONE, RunState.COMPLETE),
    StopReason.FAILED: (StudyState.FAILED, RunState.FAIL),
    StopReason.STOPPED: (StudyState.STOPPED, RunState.INTERRUPTED),
    StopReason.INTERRUPTED: (StudyState.STOPPED, RunState.INTERRUPTED),
}


def _record_tiers(study: optuna.Study, recorder: StudyRecorder) -> None:
    """Coordinate descent: each tier's gate (kept or not, incumbent, tier best, reason) on the study run."""
    from studies.samplers import CoordinateDescentSampler, make_sampler

    if recorder.spec.sampler.type != "coordinate":
        return
    sampler = make_sampler(recorder.spec)
    coordinate = getattr(sampler, "inner", sampler)
    assert isinstance(coordinate, CoordinateDescentSampler)
    try:
        decisions = coordinate.decisions(study)
    except Exception as exc:  # the record of the gates must not keep the study run open
        log.warning("study %s: could not compute the tier decisions: %s", study.study_name, exc)
        return
    tracker, run_id = recorder.tracker, recorder.parent_run_id
    tracker.log_dict(run_id, [d.to_dict() for d in decisions], TIERS_ARTIFACT)
    tags = {f"{Tag.TIERS}.{d.tier}": f"{'kept' if d.kept else 'not kept'}: {d.reason}"[:500] for d in decisions}
    tags[str(Tag.TIERS)] = ", ".join(f"{d.tier}:{'kept' if d.kept else 'not kept'}" for d in decisions) or "none decided"
    tracker.set_tags(run_id, tags)


def start_study(
    spec: StudySpec | dict[str, Any] | str | Path,
    settings: Settings | None = None,
    *,
    workers: int | None = None,
    n_trials: int | None = None,
    detach: bool = False,
    progress: bool = True,
    cluster: str | None = None,
) -> StudyHandle:
    """Create or resume a study and run it: in the foreground, or detached (returns at once).

    `n_trials` is the study's total target: starting an existing study adds only what is missing.
    `cluster` (`local[:N]` or `tcp://host:8786`, else `settings.cluster.address`) runs the worker
    loops on Dask; its storage rules and scheduler are checked before anything is created.
    """
    from studies.cluster import prepare as prepare_cluster

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    spec = load_spec(spec)
    settings = (settings or load_settings()).resolved()
    prepare_cluster(cluster, settings)
    check_warm_start_sources(spec, settings)
    settings.prepare_local_stores()
    running_runner = runner_pid_if_running(spec.name, settings)
    study, recorder = prepare_study(spec, settings, n_trials=n_trials)
    if running_runner is None:  # nobody supervises the study: runs left RUNNING belong to dead processes
        repair_running_runs(recorder.tracker, study, spec.experiment_name)
    if running_runner is not None:  # its workers read the new target before each trial: no second runner
        return StudyHandle(
            name=spec.name, storage=settings.studies.storage, experiment_id=str(study.user_attrs.get(Attr.EXPERIMENT_ID)),
            parent_run_id=recorder.parent_run_id, target=int(study.user_attrs[Attr.TARGET]), state=StudyState.RUNNING,
            detached_pid=running_runner, log_path=None,
        )
    if not detach:
        return run_study(spec.name, settings, workers=workers, progress=progress, cluster=cluster)
    log_path = _log_path(settings, spec.name)
    command = [sys.executable, "-m", "studies.runner", spec.name]
    if workers:
        command += ["--workers", str(workers)]
    if cluster:
        command += ["--cluster", cluster]
    with open(log_path, "ab") as log:
        child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=os.getcwd(),
        )
        child.stdin.write(settings.to_private_json().encode())
        child.stdin.close()
    study.set_user_attr(Attr.RUNNER, {"host": socket.gethostname(), "pid": child.pid})
    return StudyHandle(
        name=spec.name, storage=settings.studies.storage, experiment_id=str(study.user_attrs.get(Attr.EXPERIMENT_ID)),
        parent_run_id=recorder.parent_run_id, target=int(study.user_attrs[Attr.TARGET]), state=StudyState.RUNNING,
        detached_pid=child.pid, log_path=str(log_path),
    )


def check_warm_start_sources(spec: StudySpec, settings: Settings) -> None:
    """Refuse, before anything is created, a warm start from a study that does not exist or has no result."""
    source = spec.warm_starts.from_study
    if not source:
        return
    url = settings.studies.storage
    names: list[str] = []
    database = sqlite_path(url)
    if database is None or database.is_file():  # a missing SQLite file holds no study: do not create it
        names = optuna.study.get_all_study_names(storage=get_storage(url, heartbeat_interval=None, grace_period=None))
    if source not in names:
        raise SpecError(f"invalid study spec:\n  warm_starts.from_study: no study named {source!r} in {_safe(url)}; "
                        f"known: {', '.join(sorted(names)) or 'none'}")


def _safe(url: str) -> str:
    """The storage URL without a password."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        rest = rest.split("@", 1)[1]
        return f"{scheme}://***@{rest}"
    return url


def runner_pid_if_running(name: str, settings: Settings) -> int | None:
    """The pid of the study's runner if the study is running and its runner is alive on this host."""
    storage = get_storage(settings.studies.storage, heartbeat_interval=None, grace_period=None)
    try:
        attrs = optuna.load_study(study_name=name, storage=storage).user_attrs
    except KeyError:
        return None
    where = attrs.get(Attr.RUNNER) or {}
    if attrs.get(Attr.STATE) == StudyState.RUNNING and where.get("host") == socket.gethostname() and pid_alive(where.get("pid")):
        return int(where["pid"])
    return None


def _log_path(settings: Settings, name: str) -> Path:
    database = sqlite_path(settings.studies.storage)
    if database is not None:
        base = database.parent / "logs"
    else:  # the user's own cache, never a folder other users share
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tunetrack" / "logs"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return base / f"{name}.log"


def stop_study(name: str, settings: Settings | None = None, *, wait_s: float = STOP_WAIT_S) -> StudyState:
    """Ask every worker of `name` to stop after its current trial, interrupt the local runner, wait."""
    settings = (settings or load_settings()).resolved()
    study = optuna.load_study(study_name=name, storage=get_storage(settings.studies.storage))
    study.set_user_attr(Attr.STOP, True)
    runner = study.user_attrs.get(Attr.RUNNER) or {}
    if runner.get("host") == socket.gethostname() and pid_alive(runner.get("pid")):
        os.kill(int(runner["pid"]), signal.SIGINT)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and pid_alive(runner.get("pid")):
            time.sleep(0.2)
    state = optuna.load_study(study_name=name, storage=get_storage(settings.studies.storage)).user_attrs.get(Attr.STATE)
    return StudyState(state or StudyState.STOPPED)


def pid_alive(pid: Any) -> bool:
    """Whether process `pid` runs on this host (a zombie counts as gone)."""
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, PermissionError, ValueError):
        return False
    try:
        with open(f"/proc/{int(pid)}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return True


def _detached_main(argv: list[str]) -> None:
    """`python -m studies.runner NAME [--workers N] [--cluster ADDRESS]`, settings JSON on stdin (secrets stay off argv)."""
    name = argv[0]
    workers = int(argv[argv.index("--workers") + 1]) if "--workers" in argv else None
    cluster = argv[argv.index("--cluster") + 1] if "--cluster" in argv else None
    settings = Settings.from_private_json(sys.stdin.read())
    signals.install()
    install_log_redaction()
    try:
        handle = run_study(name, settings, workers=workers, progress=False, cluster=cluster)
    finally:
        signals.ignore()
    print(f"study {handle.name}: {handle.state}", flush=True)
    flush_tracking()
    if signals.received() is not None:
        sys.exit(signals.exit_code())


if __name__ == "__main__":
    _detached_main(sys.argv[1:])
