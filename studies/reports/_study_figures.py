"""A study run's pictures: optimisation history, parameter importances, parallel coordinates,
per-instance gaps; logged under `plots/` on the study run (refreshed each time they are drawn)."""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

from studies.settings import Settings
from tracker import Tracker

log = logging.getLogger(__name__)
PLOTS_DIR = "plots"


def study_figures(study, spec) -> dict[str, object]:
    """Figures of one Optuna study (those that cannot be drawn yet, e.g. importances of one trial, are left out)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as ov

    from studies.vocabulary import best_trial

    figures: dict[str, object] = {}
    drawers = {
        "optimization_history": lambda: ov.plot_optimization_history(study),
        "param_importances": lambda: ov.plot_param_importances(study),
        "parallel_coordinate": lambda: ov.plot_parallel_coordinate(study),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, draw in drawers.items():
            try:
                axes = draw()
                figure = axes.figure if hasattr(axes, "figure") else axes.ravel()[0].figure
                figure.set_size_inches(7, 4.5)
                figure.tight_layout()
                figures[name] = figure
            except Exception as exc:  # noqa: BLE001 - too few trials or parameters for this view
                log.debug("study %s: no %s: %s", study.study_name, name, exc)
    best = best_trial(study.get_trials(deepcopy=False), spec.direction)
    if best is not None and best.intermediate_values:
        evaluations = spec.evaluations() if hasattr(spec, "evaluations") else []
        steps = sorted(best.intermediate_values)
        labels = [f"{evaluations[s][0].split(':')[-1]}@{evaluations[s][1]}" if s < len(evaluations) else str(s)
                  for s in steps]
        figure, ax = plt.subplots(figsize=(max(5, 0.4 * len(steps)), 3.5))
        ax.bar(range(len(steps)), [best.intermediate_values[s] for s in steps])
        ax.set_xticks(range(len(steps)), labels, rotation=60, ha="right", fontsize="small")
        ax.set(title=f"best trial {best.number}: {spec.metric} per instance", ylabel=spec.metric)
        figure.tight_layout()
        figures["per_instance"] = figure
    return figures


def log_study_figures(name: str, settings: Settings) -> list[str]:
    """Draw a study's figures and log them as PNGs under `plots/` on its study run; returns their names."""
    import matplotlib.pyplot as plt

    from studies.queries import open_study
    from studies.vocabulary import Attr

    study, spec = open_study(name, settings)
    run_id = study.user_attrs.get(Attr.PARENT_RUN_ID)
    if not run_id:
        return []
    figures = study_figures(study, spec)
    with tempfile.TemporaryDirectory() as tmp:
        for key, figure in figures.items():
            figure.savefig(Path(tmp) / f"{key}.png", dpi=90)
            plt.close(figure)
        if figures:
            Tracker(settings).log_artifacts(run_id, tmp, PLOTS_DIR)
    return sorted(f"{PLOTS_DIR}/{k}.png" for k in figures)
