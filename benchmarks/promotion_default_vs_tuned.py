"""Default vs tuned, per shipped study spec, on held-out instances: does tuning make a difference?

Run: python benchmarks/promotion_default_vs_tuned.py [--specs sa-flowshop,tabu-coloring] [--seeds 3]

Each shipped spec under `configs/studies/` with a built-in solver objective is run as shipped
(its trials, workers, pruners and budget) on fresh stores in a temp dir; specs that warm-start
from another study run after it, in the same stores. Then promotion's re-evaluation (`promote`,
dry run, nothing written) compares the current defaults (`solvers/constants.py`) with the study's
winner on held-out instances (unused instances of the study's classes, else fresh generated ones
of the same sizes) and fresh seeds, at the spec's budget and at the solver's default budget, with
the one-sided paired Wilcoxon test and the seed-majority rule of the gate. `digits-sgd` has no
solver constants and is listed as such.

Prints a table and, as its last line, one JSON object with the figures (no assertions).
"""

from __future__ import annotations

import argparse
import tempfile
import time

import yaml

from _studies import ROOT, importable_for_workers, print_json, print_table, settings_in

SPECS = ROOT / "configs" / "studies"


def ordered(names: list[str]) -> list[dict]:
    """Specs in an order where a warm-start source runs before the study that reads it."""
    specs = {n: yaml.safe_load((SPECS / f"{n}.yaml").read_text()) for n in names}
    done: list[dict] = []
    while specs:
        ready = [n for n, s in specs.items() if (s.get("warm_starts") or {}).get("from_study") not in specs]
        for n in ready:
            done.append(specs.pop(n))
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", default=",".join(sorted(p.stem for p in SPECS.glob("*.yaml"))))
    parser.add_argument("--seeds", type=int, default=3, help="fresh seeds of the re-evaluation")
    args = parser.parse_args()
    importable_for_workers()
    from studies.promotion import promote
    from studies.runner import start_study

    rows, figures = [], {}
    with tempfile.TemporaryDirectory(prefix="tt-default-vs-tuned-") as tmp:
        settings = settings_in(tmp, "bench")  # promotion's target: this checkout's constants (dry run)
        for spec in ordered(args.specs.split(",")):
            name = spec["name"]
            if "solver" not in spec["objective"]:
                rows.append([name, "-", "-", "n/a: not a solver objective (no constants)", "", "", "", "", ""])
                continue
            started = time.perf_counter()
            handle = start_study(spec, settings, progress=False)
            study_s = time.perf_counter() - started
            report = promote(name, seeds=args.seeds, settings=settings)  # dry run: nothing is written
            entry = {"state": str(handle.state), "study_s": round(study_s, 1), "holdout": report.holdout.instances,
                     "measure": report.metric, "trial": report.trial, "candidate": report.candidate,
                     "unchanged": report.unchanged, "budgets": {}}
            for f in reversed(report.budgets):  # the spec's budget first
                d = f.decision
                change = (d.mean_candidate - d.mean_current) / abs(d.mean_current) if d.mean_current else 0.0
                entry["budgets"][f.label] = {"default": d.mean_current, "tuned": d.mean_candidate, "change": change,
                                             "p": d.p_value, "seeds_better": d.seeds_better, "passed": d.passed}
                rows.append([name, f.label, report.metric, f"{d.mean_current:.6g}", f"{d.mean_candidate:.6g}",
                             f"{100 * change:+.1f} %", f"{d.p_value:.3g}", f"{d.seeds_better}/{d.seeds_total}",
                             report.holdout.kind])
            entry["verdict"] = report.decision.reason
            figures[name] = entry
            print(f"{name}: study {study_s:.0f} s ({handle.state}); promote: {report.decision.reason}", flush=True)
    print_table(["spec", "budget", "measure", "default", "tuned", "change", "p (one-sided)", "seeds better",
                 "held-out"], rows)
    print_json({"seeds": args.seeds, "specs": figures})


if __name__ == "__main__":
    main()
