"""The runner's side of a study on Dask: open the cluster, hold the futures, recover, resubmit, cancel.

Each future is one worker loop (`_task.worker_loop`). Every poll the supervisor compares the
scheduler's workers with those it has seen; a worker that vanished is dead, and `on_death`
fails its running trials, closes their MLflow runs and enqueues their retries. A task whose
worker died comes back as an error (a LocalCluster allows no silent reschedule; a remote
scheduler reschedules up to its own `allowed-failures`) and is resubmitted, at most
`MAX_RESUBMITS_PER_TASK` times per task. Ctrl+C, SIGTERM or `study stop` sets the study's stop
flag, interrupts the loops' running trials, waits for them, then cancels what is left.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from studies.cluster._address import ClusterAddress, ClusterError
from studies.vocabulary import Attr
from tracker import redact_url

MAX_RESUBMITS_PER_TASK = 3
POLL_S = 0.5
STOP_WAIT_S = 60.0
CONNECT_TIMEOUT_S = 15

if TYPE_CHECKING:
    from studies.worker import Worker

log = logging.getLogger(__name__)
OnDeath = Callable[..., None]  # on_death(worker_tag, retry=True)


def check_reachable(address: ClusterAddress) -> None:
    """A remote scheduler answers (before anything is created); local clusters pass."""
    if not address.is_remote:
        return
    with _client(address, n_workers=1, numba_threads=1):
        pass


@contextlib.contextmanager
def _client(address: ClusterAddress, *, n_workers: int, numba_threads: int) -> Iterator[Any]:
    """A Dask client of the scheduler, or of a LocalCluster of `n_workers` single-threaded processes started here."""
    import dask
    from distributed import Client, LocalCluster

    if address.is_remote:
        try:
            client = Client(address.scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"--cluster {address}: no Dask scheduler answers there ({redact_url(str(exc))})") from None
        with client:
            yield client
        return
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # a dead worker's task comes back to us
        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
            silence_logs=logging.ERROR, env={"NUMBA_NUM_THREADS": str(numba_threads)},
        )
    with cluster, Client(cluster, set_as_default=False) as client:
        yield client


@dataclass
class _Task:
    future: Any
    resubmits: int = 0
    done: bool = False


@dataclass
class ClusterRun:
    """The futures of one study on one Dask client, and the workers seen running them."""

    dask: Any  # the distributed.Client
    worker: Worker  # the runner's: the study, its settings and stop rules
    on_death: OnDeath
    numba_threads: int = 1
    tasks: list[_Task] = field(default_factory=list)
    reports: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _seen: dict[str, str] = field(default_factory=dict)  # Dask worker address -> tunetrack worker tag
    _submitted: int = 0

    def submit(self, n_tasks: int) -> None:
        for _ in range(n_tasks):
            self.tasks.append(_Task(future=self._submit()))

    def _submit(self) -> Any:
        from studies.cluster._task import worker_loop

        name, index = self.worker.study.study_name, self._submitted
        self._submitted += 1
        return self.dask.submit(
            worker_loop, name, self.worker.settings.to_private_json(), index, self.numba_threads,
            key=f"tunetrack-worker-loop-{name}-{index}", pure=False)

    def supervise(self, on_poll: Callable[[], None]) -> list[Any]:
        """Poll until every task has ended; recover dead workers' trials; stop everything on interrupt."""
        interrupted = False
        try:
            with _sigterm_as_interrupt():
                while not all(task.done for task in self.tasks):
                    time.sleep(POLL_S)
                    self.watch_workers()
                    self._collect()
                    on_poll()
                self.watch_workers()
        except KeyboardInterrupt:
            interrupted = True
            self.stop()
            raise
        finally:
            if interrupted:  # whatever a loop could not close itself
                for tag in set(self._seen.values()):
                    self._dead(tag, retry=False)
        if not self.reports:
            raise ClusterError("every study worker task failed on the cluster: " + "; ".join(self.errors[-3:]))
        return self.reports

    def watch_workers(self) -> None:
        """Learn the tags of new Dask workers; recover the trials of those that vanished."""
        live = set(self.dask.scheduler_info(n_workers=-1)["workers"])
        new = [address for address in live if address not in self._seen]
        if new:
            from studies._trial import worker_tag

            self._seen.update(self.dask.run(worker_tag, workers=new, on_error="ignore"))
        for address in [a for a in self._seen if a not in live]:
            self._dead(self._seen.pop(address), retry=True)

    def _dead(self, tag: str, *, retry: bool) -> None:
        from optuna.exceptions import UpdateFinishedTrialError

        try:
            self.on_death(tag, retry=retry)
        except UpdateFinishedTrialError:  # the trial ended on its own meanwhile: nothing to recover
            log.debug("a trial of worker %s finished while it was being recovered", tag)

    def _collect(self) -> None:
        for task in self.tasks:
            if task.done or not task.future.done():
                continue
            if task.future.status == "finished":
                self.reports.append(task.future.result())
                task.done = True
                continue
            self.errors.append(_describe(task.future))
            if task.resubmits < MAX_RESUBMITS_PER_TASK:
                task.resubmits += 1
                task.future = self._submit()
            else:
                task.done = True
        if all(task.done for task in self.tasks) and self._wants_trials():
            spare = next((t for t in self.tasks if t.resubmits < MAX_RESUBMITS_PER_TASK), None)
            if spare is not None:  # e.g. a retry enqueued after the other loops had counted the dead trial
                spare.resubmits += 1
                spare.future, spare.done = self._submit(), False

    def _wants_trials(self) -> bool:
        study = self.worker.study
        return self.worker.stop_reason(study.user_attrs, study.get_trials(deepcopy=False)) is None

    def stop(self) -> None:
        """Stop flag, interrupt running trials, wait for the loops to close them, cancel the rest."""
        from studies.cluster._task import interrupt_loops

        if _main_thread():  # a second Ctrl+C must not cut the cleanup short
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.worker.study.set_user_attr(Attr.STOP, True)
        futures = [task.future for task in self.tasks]
        try:
            self.dask.run(interrupt_loops, self.worker.study.study_name, on_error="ignore")
            deadline = time.monotonic() + STOP_WAIT_S
            while not all(f.done() for f in futures) and time.monotonic() < deadline:
                time.sleep(0.1)
        except Exception as exc:  # noqa: BLE001 - the cleanup below must run
            log.warning("stopping the Dask loops: %s", redact_url(f"{type(exc).__name__}: {exc}"))
        try:
            self.watch_workers()
            self.dask.cancel(futures)
        except Exception as exc:  # noqa: BLE001
            log.warning("cancelling the Dask loops: %s", redact_url(f"{type(exc).__name__}: {exc}"))


def run_on_cluster(
    address: ClusterAddress, worker: Worker, *, workers: int | None, on_death: OnDeath,
    on_poll: Callable[[], None] = lambda: None,
) -> list[Any]:
    """Run the study of `worker` (the runner's `Worker`) as Dask tasks until it ends; returns the loops' reports.

    `workers`: how many loops (default: `local:N`'s N, else the spec's workers on a LocalCluster,
    or every thread of a remote cluster, at least the spec's workers).
    """
    spec = worker.spec
    size = address.n_workers or workers or spec.workers
    with _client(address, n_workers=size, numba_threads=spec.numba_threads) as client:
        run = ClusterRun(client, worker, on_death, numba_threads=spec.numba_threads)
        run.submit(task_count(address, client, workers=workers, default=spec.workers))
        return run.supervise(on_poll)


def task_count(address: ClusterAddress, client: Any, *, workers: int | None, default: int) -> int:
    """Worker loops to submit: `local:N` -> N; explicit `workers`; else every thread the scheduler has now."""
    if address.n_workers:
        return address.n_workers
    if workers:
        return workers
    if not address.is_remote:
        return default
    threads = sum(w.get("nthreads", 1) for w in client.scheduler_info(n_workers=-1)["workers"].values())
    return max(default, threads)


def _describe(future: Any) -> str:
    try:
        exc = future.exception(timeout=5)
    except Exception as err:  # noqa: BLE001 - cancelled or lost: say so
        exc = err
    return redact_url(f"{type(exc).__name__}: {exc}")


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the study like Ctrl+C (only the main thread can hold signal handlers)."""
    if not _main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
