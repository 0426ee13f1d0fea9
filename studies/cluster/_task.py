"""What runs on a Dask worker: one study worker loop per task, and the way a runner interrupts it.

A task is the existing worker protocol (`studies.worker.Worker.run`: slot reservation,
heartbeats, exact totals, racing, cost budget) in a Dask worker thread. Signals reach only a
process's main thread, so a stop is delivered the way SIGINT is to a worker process: as a
`KeyboardInterrupt` raised in the task's thread, which fails the running trial and closes its
MLflow runs (KILLED) before the task returns.
"""

from __future__ import annotations

import ctypes
import threading

from studies.vocabulary import StopReason

# thread id -> study name, for the loops running in this process
_RUNNING: dict[int, str] = {}
_LOCK = threading.Lock()


def worker_loop(study_name: str, settings_json: str, worker_index: int, numba_threads: int):
    """Run trials of `study_name` until it has a stop reason; returns the worker's `WorkerReport`."""
    import optuna

    from studies.worker import Worker, WorkerReport, warm_kernels
    from studies.settings import Settings

    _cap_numba_threads(numba_threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ident = threading.get_ident()
    with _LOCK:
        _RUNNING[ident] = study_name
    try:
        worker = Worker(study_name, Settings.from_private_json(settings_json), worker_index=worker_index,
                        supervised=True)
        warm_kernels(worker.spec)
        return worker.run()
    except KeyboardInterrupt:
        return WorkerReport(stop_reason=StopReason.INTERRUPTED)
    finally:
        with _LOCK:
            _RUNNING.pop(ident, None)


def interrupt_loops(study_name: str) -> int:
    """Raise `KeyboardInterrupt` in every loop of `study_name` in this process; returns how many."""
    with _LOCK:
        idents = [ident for ident, name in _RUNNING.items() if name == study_name]
    for ident in idents:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(KeyboardInterrupt))
    return len(idents)


def _cap_numba_threads(threads: int) -> None:
    """At most `threads` numba threads in this task (the Dask worker may have imported numba already)."""
    try:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    except (ImportError, ValueError):
        pass
