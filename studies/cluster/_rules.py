"""The storage rules of a remote cluster, checked before anything is created.

Workers on other hosts share the study through its storage and record into the tracking
store, so both must be servers every host reaches: PostgreSQL (or MySQL) for the study, an
MLflow server or a database for runs, and artefacts proxied by the server or on S3. A SQLite
file, a local artefact path or a loopback address behind a non-loopback scheduler is refused,
naming the setting; connection strings are shown with their password replaced.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from studies.cluster._address import ClusterAddress, ClusterError
from studies.settings import Settings
from tracker import redact_url

_SERVERS = ("http://", "https://")
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def check_stores(address: ClusterAddress, settings: Settings) -> None:
    """Raise `ClusterError` listing every store a remote cluster's workers could not reach (local clusters pass)."""
    if not address.is_remote:
        return
    problems = _problems(settings, loopback_cluster=_is_loopback(address.scheduler))
    if problems:
        raise ClusterError(
            f"--cluster {address} runs study workers on other hosts, which cannot use these stores:\n  "
            + "\n  ".join(problems))


def _problems(settings: Settings, *, loopback_cluster: bool) -> list[str]:
    storage, uri, root = settings.studies.storage, settings.tracking.uri, settings.tracking.artifact_root
    problems = []
    if storage.startswith("sqlite:"):
        problems.append(
            f"studies.storage (TUNETRACK_STUDIES__STORAGE) is a SQLite file ({redact_url(storage)}); "
            "use PostgreSQL, e.g. postgresql+psycopg://user:PASSWORD@db-host:5432/studies")
    elif not loopback_cluster and _is_loopback(storage):
        problems.append(f"studies.storage (TUNETRACK_STUDIES__STORAGE) points at this machine only "
                        f"({redact_url(storage)}); use a host name the workers resolve")
    if uri.startswith(("sqlite:", "file:")):
        problems.append(
            f"tracking.uri (TUNETRACK_TRACKING__URI) is a local store ({redact_url(uri)}); "
            "use an MLflow server (http://mlflow-host:5000) or a PostgreSQL database")
    elif not loopback_cluster and _is_loopback(uri):
        problems.append(f"tracking.uri (TUNETRACK_TRACKING__URI) points at this machine only ({redact_url(uri)}); "
                        "use a host name the workers resolve")
    elif not uri.startswith(_SERVERS) and ("://" not in root or root.startswith("file:")):
        problems.append(
            f"tracking.artifact_root (TUNETRACK_TRACKING__ARTIFACT_ROOT) is a local path ({root}); "
            "use s3://bucket/prefix, or an MLflow server that proxies artefacts as tracking.uri")
    return problems


def _is_loopback(url: str | None) -> bool:
    host = urlsplit(url or "").hostname
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
