"""`tunetrack ui` on a study it ran, checked in a real browser (chromium through Playwright).

The link `tunetrack ui` prints must open the experiment on its runs table (not MLflow 3's
GenAI overview) with the study's trials view: the study run leads, and expanding it shows
every trial with its value, state and tuned parameter. A solve's page shows its step-metric
charts, and the study run's artefacts show its plots. Screenshots go to the CI artefacts folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studies.reports._study_figures import PLOTS_DIR
from tests.conftest import REPO
from studies.settings import Settings, load_settings
from tracker.server import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

N_TRIALS = 40
STUDY = "e2e-ui"
SPEC = {
    "name": STUDY,
    "objective": {"solver": "sa", "problem": "flowshop", "iterations": 3000, "fixed": {"chunk_size": 300}},  # 10 steps
    "instances": ["ta001"],
    "seeds": [1],
    "space": {"cooling_rate": {"type": "float", "low": 0.9, "high": 0.9999, "log": True}},
    "sampler": {"type": "random", "seed": 3},
    "budget": {"n_trials": N_TRIALS},
}
TIMEOUT_MS = 90_000
_NUMBER = re.compile(r"[-+]?\d[-+0-9.e]*")


@pytest.fixture
def study_dir(tmp_path: Path) -> tuple[Path, Settings]:
    from studies.runner import start_study

    from studies.reports import log_study_figures

    settings = load_settings().resolved()
    start_study(SPEC, settings, progress=False)
    log_study_figures(STUDY, settings)  # the study's plots, as a report or a plan draws them
    return tmp_path, settings


@pytest.fixture
def ui_url(study_dir: tuple[Path, Settings]):
    """`tunetrack ui` in the study's directory; yields the study link it prints."""
    cwd, _ = study_dir
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="400")
    process = subprocess.Popen(
        [sys.executable, "-m", "studies.cli", "ui", "--port", str(free_port())], cwd=cwd, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        link, seen = None, []
        deadline = time.monotonic() + 300
        while link is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = re.search(r"Most recent study's trials: (\S+)", line)
            link = match.group(1) if match else None
        assert link, f"tunetrack ui printed no study link: {''.join(seen)}"
        yield link
    finally:
        process.terminate()
        process.wait(30)


def _cells(page, column_id: str) -> list[str]:
    return [c.inner_text().strip() for c in page.locator(f'[role="gridcell"][col-id="{column_id}"]').all()]


def test_the_study_link_opens_the_trials_table_and_a_solve_shows_its_charts(
    ui_url: str, study_dir, browser, artifacts_dir: Path,
) -> None:
    from mlflow import MlflowClient

    _, settings = study_dir
    page = browser.new_page(viewport={"width": 1800, "height": 2600})
    page.set_default_timeout(TIMEOUT_MS)  # a busy 2-core machine renders slowly
    page.goto(ui_url)
    study_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=STUDY, exact=True)).first
    study_row.wait_for(timeout=TIMEOUT_MS)
    assert "/runs" in page.url and "overview" not in page.url
    close_assistant = page.get_by_role("button", name="Close", exact=True)
    if close_assistant.count():
        close_assistant.first.click()
    study_row.locator('button[data-component-id*="runnamecellrenderer"]').first.click()
    page.get_by_role("link", name=f"trial {N_TRIALS - 1}", exact=True).wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts_dir / "runs-table.png"), full_page=True)

    names = [a.inner_text().strip() for a in page.locator('a[href*="/runs/"]').all()]
    trials = {n for n in names if re.fullmatch(r"trial \d+", n)}
    assert trials == {f"trial {i}" for i in range(N_TRIALS)}
    states = _cells(page, "tags.`tt.state`")
    values = [v for v in _cells(page, "metrics.`value`") if _NUMBER.fullmatch(v)]
    params = [v for v in _cells(page, "params.`cooling_rate`") if _NUMBER.fullmatch(v)]
    assert states.count("COMPLETE") == N_TRIALS + 1  # the trials and the study run
    assert len(values) == N_TRIALS and len(params) == N_TRIALS

    client = MlflowClient(settings.tracking.uri)
    experiment_id = re.search(r"/experiments/(\d+)", page.url).group(1)
    solve = client.search_runs([experiment_id], "tags.`tt.kind` = 'solve'", max_results=1)[0]
    base = ui_url.split("#")[0]
    page.goto(f"{base}#/experiments/{experiment_id}/runs/{solve.info.run_id}/model-metrics?workflowType=machine_learning")
    page.get_by_text("best", exact=True).first.wait_for(timeout=TIMEOUT_MS)
    page.locator("canvas, svg.main-svg").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(artifacts_dir / "solve-metrics.png"), animations="disabled")

    study_run = client.search_runs([experiment_id], "tags.`tt.kind` = 'study'", max_results=1)[0]
    plots = [Path(a.path).name for a in client.list_artifacts(study_run.info.run_id, PLOTS_DIR) if a.path.endswith(".png")]
    assert plots, "the study run holds no plots"
    page.goto(f"{base}#/experiments/{experiment_id}/runs/{study_run.info.run_id}/artifacts?workflowType=machine_learning")
    page.get_by_text(PLOTS_DIR, exact=True).first.click()
    page.get_by_text(plots[0], exact=True).first.click()
    page.wait_for_timeout(3000)
    page.screenshot(path=str(artifacts_dir / "study-plot.png"), animations="disabled")
    page.locator('img[src^="blob:"], img[src*="get-artifact"], img[src*="artifacts"]').first.wait_for(timeout=TIMEOUT_MS)
