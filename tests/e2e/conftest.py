"""The browser check needs Debian's chromium and Playwright for Python (never `playwright install`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

CHROMIUM = os.environ.get("TUNETRACK_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go: `$TUNETRACK_CI_ARTIFACTS/e2e` (`.ci/run` sets it), else `ci-artifacts/e2e`."""
    root = Path(os.environ.get("TUNETRACK_CI_ARTIFACTS", REPO / "ci-artifacts"))
    out = root / "e2e"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")  # Playwright's sync API holds an event loop in this thread until it stops
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no chromium at {CHROMIUM} (`.ci/run` installs Debian's package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()
