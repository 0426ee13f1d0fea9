"""Instance racing on the shipped flow-shop study: evaluations spent, and to reach the same best, with and without.

Run: python benchmarks/study_racing.py [--trials 30] [--sampler random|tpe|both] [--iterations N]

`configs/studies/sa-flowshop.yaml` (SA on ta001-ta010, one seed) is run twice per sampler
with 1 worker, the same sampler seed and the same number of trials: without any pruner,
and with the spec's racing pruner alone. The spec's cost budget is left out of both so that
only racing decides how much is spent. An evaluation is one solve of one instance: the sum of
reported values over trials, checked against the solve runs found in MLflow.

Why the random sampler by default: TPE's next proposal depends on every earlier result, and
a pruned trial leaves a different history than a finished one, so with TPE the two runs try
different configurations after the first pruning and the comparison mixes racing with luck.
The random sampler proposes the same configurations in the same order in both runs (it is
checked), and SA with a fixed seed and iteration count is deterministic, so the racing run
sees exactly the no-racing run's configurations and the comparison is controlled.

Prints a table and, as its last line, one JSON object with the figures (no assertions).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import yaml

from _studies import ROOT, importable_for_workers, load_study, mlflow_runs, print_json, print_table, settings_in

SPEC = ROOT / "configs" / "studies" / "sa-flowshop.yaml"
TOLERANCE = 1e-12


def variant(base: dict, *, racing: bool, sampler: str, trials: int, iterations: int | None) -> dict:
    spec = dict(base)
    spec["name"] = f"{base['name']}-{sampler}-{'racing' if racing else 'all'}"
    spec["pruners"] = [p for p in base.get("pruners", []) if p["type"] == "racing"] if racing else []
    spec["budget"] = {"n_trials": trials}
    spec["sampler"] = {**base["sampler"], "type": sampler}
    spec["workers"] = 1
    if iterations:
        spec["objective"] = {**base["objective"], "iterations": iterations}
    return spec


def run(tmp: Path, spec: dict) -> dict:
    from studies.runner import start_study

    settings = settings_in(tmp, spec["name"])
    t0 = time.perf_counter()
    start_study(spec, settings, workers=1, progress=False)
    wall = time.perf_counter() - t0
    trials = sorted(load_study(settings, spec["name"]).get_trials(deepcopy=False), key=lambda t: t.number)
    solves = [r for r in mlflow_runs(settings.resolved().tracking.uri) if r.data.tags.get("tt.kind") == "solve"]
    done = [t for t in trials if t.state.name == "COMPLETE" and t.value is not None]
    return {
        "trials": trials, "wall_s": wall, "solve_runs": len(solves),
        "evaluations": sum(len(t.intermediate_values) for t in trials),
        "best": min(t.value for t in done) if done else math.inf,
        "complete": len(done), "pruned": sum(t.state.name == "PRUNED" for t in trials),
    }


def evaluations_to_reach(trials: list, target: float) -> int | None:
    """Evaluations spent up to and including the first finished trial at or below `target` (1 worker: in order)."""
    spent = 0
    for trial in trials:
        spent += len(trial.intermediate_values)
        if trial.state.name == "COMPLETE" and trial.value is not None and trial.value <= target + TOLERANCE:
            return spent
    return None


def wrongly_dropped(racing: list, full: list) -> int:
    """Racing-pruned trials whose full evaluation (same proposal) beat the racing run's best so far."""
    values = {t.number: t.value for t in full}
    best, count = math.inf, 0
    for trial in racing:
        if trial.state.name == "PRUNED" and values.get(trial.number) is not None and values[trial.number] < best:
            count += 1
        if trial.state.name == "COMPLETE" and trial.value is not None:
            best = min(best, trial.value)
    return count


def compare(tmp: Path, base: dict, sampler: str, trials: int, iterations: int | None) -> dict:
    full = run(tmp, variant(base, racing=False, sampler=sampler, trials=trials, iterations=iterations))
    race = run(tmp, variant(base, racing=True, sampler=sampler, trials=trials, iterations=iterations))
    same_proposals = [t.params for t in full["trials"]] == [t.params for t in race["trials"]]
    full_to_best = evaluations_to_reach(full["trials"], full["best"])
    race_to_best = evaluations_to_reach(race["trials"], full["best"])
    result = {
        "sampler": sampler, "identical_proposals": same_proposals,
        "no_racing": {k: v for k, v in full.items() if k != "trials"},
        "racing": {k: v for k, v in race.items() if k != "trials"},
        "no_racing_evals_to_its_best": full_to_best,
        "racing_evals_to_no_racing_best": race_to_best if race_to_best is not None else "not reached",
        "fewer_evaluations_total": 1 - race["evaluations"] / full["evaluations"],
        "fewer_evaluations_to_best": (1 - race_to_best / full_to_best) if race_to_best and full_to_best else None,
        "same_best": race["best"] <= full["best"] + TOLERANCE,
    }
    if same_proposals:
        result["wrongly_dropped"] = wrongly_dropped(race["trials"], full["trials"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--sampler", choices=["random", "tpe", "both"], default="random")
    parser.add_argument("--iterations", type=int, default=None, help="SA iterations per solve (default: the spec's)")
    parser.add_argument("--spec", type=Path, default=SPEC, help="study spec to race (default: the shipped flow-shop study)")
    args = parser.parse_args()
    importable_for_workers()
    base = yaml.safe_load(args.spec.read_text())
    samplers = ["random", "tpe"] if args.sampler == "both" else [args.sampler]
    print(__doc__.split("\n\n")[3].replace("\n", " "))
    print()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for sampler in samplers:
            results.append(compare(Path(tmp), base, sampler, args.trials, args.iterations))
    iterations = args.iterations or base["objective"]["iterations"]
    print(f"{args.spec}: {args.trials} trials, 1 worker, sampler seed {base['sampler'].get('seed')}, "
          f"{iterations} SA iterations per solve, racing = {[p for p in base['pruners'] if p['type'] == 'racing']}")
    rows = []
    for r in results:
        for name in ("no_racing", "racing"):
            x = r[name]
            rows.append((r["sampler"], name, x["complete"], x["pruned"], x["evaluations"], x["solve_runs"], x["best"],
                         x["wall_s"]))
    print_table(("sampler", "run", "complete", "pruned", "evaluations", "solve runs in MLflow", "best gap", "wall s"),
                rows)
    print()
    rows = [(r["sampler"], r["identical_proposals"], r["no_racing_evals_to_its_best"],
             r["racing_evals_to_no_racing_best"], r["same_best"], f"{r['fewer_evaluations_total']:.1%}",
             f"{r['fewer_evaluations_to_best']:.1%}" if r["fewer_evaluations_to_best"] is not None else "-",
             r.get("wrongly_dropped", "-")) for r in results]
    print_table(("sampler", "identical proposals", "no racing: evals to its best", "racing: evals to that best",
                 "racing reaches it", "fewer evals (total)", "fewer evals (to that best)",
                 "pruned trials that would have led"), rows)
    print_json({"trials": args.trials, "iterations": iterations, "results": results})


if __name__ == "__main__":
    main()
