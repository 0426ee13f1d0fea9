"""Parsing `--cluster`: `local`, `local:N` (a Dask LocalCluster) or a scheduler address (`tcp://host:8786`)."""

from __future__ import annotations

from dataclasses import dataclass

from studies.spec import SpecError
from tracker import redact_url
from studies.settings import CLUSTER_ADDRESS

ALLOWED = "'local', 'local:N' (N >= 1 worker processes) or a scheduler address such as 'tcp://host:8786'"


class ClusterError(SpecError):
    """A cluster address or a store that the cluster's workers could not use; the message names the setting."""


@dataclass(frozen=True)
class ClusterAddress:
    """Where worker loops run: a LocalCluster started here (`n_workers`, None = the study's workers) or a scheduler.

    Example:
        >>> ClusterAddress.parse("local:3")
        ClusterAddress(scheduler=None, n_workers=3)
        >>> ClusterAddress.parse("tcp://10.0.0.5:8786").is_remote
        True
    """

    scheduler: str | None
    n_workers: int | None = None

    @property
    def is_remote(self) -> bool:
        """Workers may run on other hosts, so every store must be reachable from them."""
        return self.scheduler is not None

    def __str__(self) -> str:
        if self.scheduler:
            return self.scheduler
        return "local" if self.n_workers is None else f"local:{self.n_workers}"

    @classmethod
    def parse(cls, text: str, *, field: str = "--cluster") -> "ClusterAddress":
        """`text` as an address, or `ClusterError` naming `field` and the allowed forms."""
        value = text.strip()
        if not CLUSTER_ADDRESS.fullmatch(value):
            raise ClusterError(f"{field} must be {ALLOWED}; got {redact_url(repr(value))}")
        if value.startswith("local"):
            _, _, count = value.partition(":")
            return cls(scheduler=None, n_workers=int(count) if count else None)
        return cls(scheduler=value)
