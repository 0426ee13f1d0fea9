"""Every docstring example (`>>>`) in the packages runs and gives what it shows.

Run here rather than with `--doctest-modules` so they run in a clean temporary directory (the
autouse `clean_env` fixture) with no TUNETRACK_* variable from the shell, like every other test.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

from tests.conftest import REPO

PACKAGES = ("tracker", "solvers", "studies")


def _modules_with_examples() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name == "__main__.py" or ">>>" not in path.read_text():
                continue
            parts = path.relative_to(REPO).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


MODULES = _modules_with_examples()


def test_examples_are_found() -> None:
    assert {"tracker.sqlite", "studies.stats", "solvers"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{name}: no example collected"
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed (see output above)"
