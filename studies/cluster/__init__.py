"""Scale-out on Dask: a study's worker loops as Dask tasks on a LocalCluster or an existing scheduler.

The study stays in tunetrack's own storage (never in the scheduler's memory), so every Optuna
sampler and tunetrack pruner works unchanged and a loop is the same worker protocol as a
local worker process. Before anything is created, `prepare` parses the address (the
`--cluster` value, else `cluster.address`), refuses stores a remote cluster's workers could not
reach and checks that the scheduler answers; the runner then calls `run_on_cluster`.

Example:
    >>> ClusterAddress.parse("local:2")
    ClusterAddress(scheduler=None, n_workers=2)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studies.cluster._address import ALLOWED, ClusterAddress, ClusterError
from studies.cluster._rules import check_stores
from studies.settings import Settings

if TYPE_CHECKING:
    from studies.cluster._supervisor import MAX_RESUBMITS_PER_TASK, check_reachable, run_on_cluster, task_count

_SUPERVISOR = ("MAX_RESUBMITS_PER_TASK", "check_reachable", "run_on_cluster", "task_count")

__all__ = [
    "ALLOWED",
    "MAX_RESUBMITS_PER_TASK",
    "ClusterAddress",
    "ClusterError",
    "check_reachable",
    "check_stores",
    "prepare",
    "resolve",
    "run_on_cluster",
    "task_count",
]


def __getattr__(name: str):
    """The supervisor's names on first use: it imports Optuna, which `tunetrack --help` should not pay for."""
    if name not in _SUPERVISOR:
        raise AttributeError(f"module 'studies.cluster' has no attribute {name!r}")
    from studies.cluster import _supervisor

    return getattr(_supervisor, name)


def resolve(cluster: str | None, settings: Settings) -> ClusterAddress | None:
    """The `cluster` argument, else the `cluster.address` setting, parsed; None = local worker processes."""
    if cluster:
        return ClusterAddress.parse(cluster, field="--cluster")
    if settings.cluster.address:
        return ClusterAddress.parse(settings.cluster.address, field="cluster.address (TUNETRACK_CLUSTER__ADDRESS)")
    return None


def prepare(cluster: str | None, settings: Settings, *, reach: bool = True) -> ClusterAddress | None:
    """What must hold before a study is created: the address, the storage rules and (`reach`) a scheduler that answers."""
    address = resolve(cluster, settings)
    if address is not None:
        check_stores(address, settings)
        if reach:
            from studies.cluster._supervisor import check_reachable

            check_reachable(address)
    return address
