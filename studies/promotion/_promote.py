"""`promote`: re-evaluate a study's winner against the current constants, gate it, write it, record it.

Steps, each refusing with a clear message:

1. Load the study's spec and its best completed trial (or the top k).
2. Resolve the target inside the project and map each tuned parameter to a constant
   (`studies.promotion._naming`); read the constants' current values from the target.
3. Re-evaluate, at the study's budget, the candidate (the spec's fixed parameters plus the
   trial's) and the current constants (fixed parameters plus the target's current values)
   on fresh seeds (none of the study's) and held-out instances (none of the study's; for the
   Taillard bundles, other instances of the same size class).
4. Gate (`studies.promotion._gate`): one-sided paired Wilcoxon at alpha and a strict majority
   of seeds. With top k > 1 the candidate with the best re-evaluated mean is gated at alpha / k
   (Bonferroni), since it was picked on the same evaluations.
5. If accepted (or forced): rewrite the constants (one line each plus provenance), unless dry run.
6. Record a `promotion` MLflow run under the study run (comparison table, diff, figures, forced
   flag) and tag the winning trial's run `tt.promoted=true` when written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from studies.promotion._errors import PromotionError, UnknownSymbolError
from studies.promotion._gate import GateDecision, Pair, decide
from studies.promotion._naming import map_params, parse_symbols
from studies.promotion._rewrite import (
    FORMATS,
    Rewrite,
    Scalar,
    default_target,
    project_root,
    read_constant,
    resolve_target,
    rewrite_constants,
)
from studies.pareto_gate import ObjectiveCheck, gate_every_objective, objective_checks
from studies.promotion._study import Candidate, StudyFacts, load_study_facts
from studies.settings import Settings, default_settings
from tracker import RunKind, Tag, Tracker

COMPARISON_ARTIFACT = "comparison.csv"
DIFF_ARTIFACT = "promotion.diff"
REPORT_ARTIFACT = "promotion.json"


class Evaluation(BaseModel):
    """The re-evaluation of one configuration on every (instance, seed)."""

    label: str = Field(description="'current' or 'trial <n>'.")
    config: dict[str, Any]
    values: list[float]
    mean: float
    metrics: dict[str, list[float]] | None = Field(None, description="Multi-objective: every metric's values.")


class PromotionReport(BaseModel):
    """What `promote` decided and did, with the figures."""

    study: str
    trial: int
    trial_run_id: str | None
    target: str
    symbols: dict[str, str] = Field(description="Tuned parameter -> constant it is written to.")
    candidate: dict[str, Scalar] = Field(description="Constant -> value proposed by the trial.")
    current: dict[str, Scalar] = Field(description="Constant -> value in the target before promotion.")
    metric: str
    instances: list[str]
    seeds: list[int]
    evaluations: list[Evaluation]
    decision: GateDecision
    rewrite: Rewrite | None = Field(None, description="The change (diff) when the gate accepted; None if refused.")
    promoted: bool = Field(description="True when the target file was rewritten.")
    dry_run: bool
    pick: str | None = Field(None, description="Multi-objective: the pick rule that selected the trial.")
    objectives: list[ObjectiveCheck] | None = Field(
        None, description="Multi-objective: per metric, whether the candidate is significantly worse.")
    promotion_run_id: str | None = None

    @property
    def text(self) -> str:
        """A short summary an agent or a person can quote."""
        change = ", ".join(f"{s} {self.current[s]!r} -> {self.candidate[s]!r}" for s in self.candidate)
        if self.promoted:
            head = f"promoted trial {self.trial} of {self.study} into {self.target}: {change}"
        elif self.decision.accepted:
            head = f"dry run: would promote trial {self.trial} of {self.study} into {self.target}: {change}"
        else:
            head = f"not promoted: trial {self.trial} of {self.study} ({change})"
        forced = ""
        if self.decision.forced:
            forced = " [forced; the gate passed anyway]" if self.decision.passed else " [forced]"
        return f"{head}{forced}. {self.metric}: {self.decision.reason}"


def fresh_seeds(study_seeds: Sequence[int], count: int) -> list[int]:
    """`count` seeds none of which the study used: the ones right after its largest seed."""
    start = max(study_seeds) + 1
    return list(range(start, start + count))


def promote(
    study: str,
    target: str | Path | None = None,
    symbol: str | Sequence[str] | Mapping[str, str] | None = None,
    *,
    dry_run: bool = True,
    force: bool = False,
    alpha: float | None = None,
    seeds: Sequence[int] | int | None = None,
    holdout_instances: Sequence[str] | int | None = None,
    top_k: int = 1,
    params: Sequence[str] | None = None,
    pick: str | None = None,
    settings: Settings | None = None,
) -> PromotionReport:
    """Promote the best trial of `study` into `target` if it beats the current constants.

    Example:
        report = promote("sa-flowshop", dry_run=True)
        print(report.text)
        print(report.rewrite.diff if report.rewrite else report.decision.reason)

    Args:
        study: the study name.
        target: a .py/.yaml/.toml file inside the project (default: `solvers/constants.py`).
        symbol: constant to write (one tuned parameter), or `param=NAME` items / a mapping.
        dry_run: compute and record everything, write nothing (the report holds the diff).
        force: write even if the gate refuses; recorded as forced.
        alpha: gate significance (default `agent.promotion_alpha`).
        seeds: fresh seeds, or how many (default `agent.promotion_seeds`); never the study's.
        holdout_instances: held-out instances, or how many (default `agent.promotion_holdout`);
            never the study's.
        top_k: re-evaluate the k best trials and gate the best of them at alpha / k.
        params: promote only these tuned parameters (default: every parameter of the trial).
        pick: multi-objective studies: the pick rule of the front point to promote (default: the best
            on the first metric); the gate then also refuses a point significantly worse on any metric.
        settings: tunetrack settings (default: from the environment).
    """
    settings = settings or default_settings()
    agent = settings.agent
    alpha = agent.promotion_alpha if alpha is None else alpha
    if top_k < 1:
        raise PromotionError(f"top_k: must be >= 1 but got {top_k}")
    root = project_root(settings)
    path = resolve_target(target if target is not None else default_target(settings), root)
    facts = load_study_facts(study, settings, top_k=top_k, pick=pick)
    spec = facts.spec
    tuned = _promoted_params(facts.candidates[0], spec, params)
    symbols = map_params(
        tuned, solver=getattr(spec.objective, "solver", None), python=path.suffix == ".py",
        exists=lambda name: _defines(path, name, root), overrides=parse_symbols(symbol, tuned))
    current = {symbols[p]: read_constant(path, symbols[p], project_root=root) for p in tuned}
    run_seeds = _seeds(spec, seeds, agent.promotion_seeds)
    instances = _holdout(spec, holdout_instances, agent.promotion_holdout)

    fixed = dict(getattr(spec.objective, "fixed", {}) or {})
    baseline = Evaluation.model_validate(
        _evaluate(spec, "current", {**fixed, **{p: current[symbols[p]] for p in tuned}}, instances, run_seeds))
    evaluated = [
        (c, Evaluation.model_validate(_evaluate(spec, f"trial {c.number}", {**fixed, **c.params}, instances,
                                                run_seeds)))
        for c in facts.candidates
    ]
    sign = 1.0 if spec.direction == "minimize" else -1.0
    winner, winner_eval = min(evaluated, key=lambda ce: sign * ce[1].mean)
    pairs = [Pair(instance=inst, seed=seed, current=cur, candidate=cand)
             for (seed, inst), cur, cand in zip(_order(instances, run_seeds), baseline.values, winner_eval.values)]
    decision = decide(pairs, direction=spec.direction, alpha=alpha / len(evaluated), force=force)
    checks = None
    if spec.multi_objective:  # no metric may get significantly worse
        checks = objective_checks(baseline.metrics, winner_eval.metrics, spec.objective_names,
                                  spec.objective_directions, alpha=alpha)
        decision = gate_every_objective(decision, checks)
    candidate = {symbols[p]: _coerced(path, symbols[p], winner.params[p]) for p in tuned}
    rewrite = None
    if decision.accepted:
        note = _provenance(facts, winner, spec.metric, decision)
        rewrite = rewrite_constants(path, candidate, project_root=root, provenance=note, dry_run=dry_run)
    report = PromotionReport(
        study=study, trial=winner.number, trial_run_id=winner.run_id, target=str(path), symbols=symbols,
        candidate=candidate, current=current, metric=spec.metric, instances=instances, seeds=run_seeds,
        evaluations=[baseline, *(e for _, e in evaluated)], decision=decision, rewrite=rewrite,
        promoted=rewrite is not None and rewrite.written, dry_run=dry_run, pick=pick, objectives=checks,
    )
    report.promotion_run_id = _record(report, facts, settings)
    return report


# ---- steps -------------------------------------------------------------------------------
def _promoted_params(best: Candidate, spec: Any, only: Sequence[str] | None) -> list[str]:
    names = list(best.params)
    if only:
        unknown = [p for p in only if p not in names]
        if unknown:
            raise PromotionError(f"params {unknown} were not tuned by the study (tuned: {', '.join(names)})")
        names = [p for p in names if p in only]
    outside = [p for p in names if spec.space and p not in spec.space]
    if outside:
        raise PromotionError(f"trial {best.number} has parameters outside the study's space: {outside}")
    if not names:
        raise PromotionError(f"trial {best.number} has no tuned parameters to promote")
    return names


def _defines(path: Path, name: str, root: Path) -> bool:
    try:
        read_constant(path, name, project_root=root)
    except UnknownSymbolError:
        return False
    return True


def _coerced(path: Path, symbol: str, value: Any) -> Scalar:
    """The value as it will be written (int/float/bool/str of the constant), without writing."""
    return FORMATS[path.suffix.lower()](path.read_bytes().decode("utf-8"), symbol, value).new


def _seeds(spec: Any, seeds: Sequence[int] | int | None, default_count: int) -> list[int]:
    if seeds is None or isinstance(seeds, int):
        count = default_count if seeds is None else seeds
        if count < 1:
            raise PromotionError(f"seeds: need at least 1 fresh seed but got {count}")
        return fresh_seeds(spec.seeds, count)
    chosen = list(dict.fromkeys(int(s) for s in seeds))
    reused = sorted(set(chosen) & set(spec.seeds))
    if reused:
        raise PromotionError(f"seeds {reused} were used by the study; promotion re-evaluates on fresh seeds only")
    if not chosen:
        raise PromotionError("seeds: need at least 1 fresh seed")
    return chosen


def _holdout(spec: Any, given: Sequence[str] | int | None, default_count: int) -> list[str]:
    from studies.bundles import held_out

    used = spec.evaluation_instances()
    if given is None or isinstance(given, int):
        count = default_count if given is None else given
        found = held_out(used, count) if count > 0 else []
        if not found:
            raise PromotionError(
                f"no held-out instances known for study instances {', '.join(used[:5])}{'...' if len(used) > 5 else ''}; "
                "name some the study did not use (--holdout INSTANCE)")
        return found
    problem = getattr(spec.objective, "problem", None)
    chosen = [i if (":" in i or problem is None or Path(i).suffix) else f"{problem}:{i}" for i in given]
    chosen = list(dict.fromkeys(chosen))
    reused = [i for i in chosen if i in used]
    if reused:
        raise PromotionError(f"instances {reused} were used by the study; promotion needs held-out instances")
    if not chosen:
        raise PromotionError("holdout_instances: need at least one instance")
    return chosen


def _order(instances: list[str], seeds: list[int]) -> list[tuple[int, str]]:
    """The (seed, instance) order of `_evaluate`'s values: seed-major."""
    return [(seed, inst) for seed in seeds for inst in instances]


def _evaluate(spec: Any, label: str, config: dict[str, Any], instances: list[str], seeds: list[int]) -> dict[str, Any]:
    from studies.evaluate import evaluate_config, evaluate_metrics

    if spec.multi_objective:
        rows = evaluate_metrics(spec, config, instances=instances, seeds=seeds)  # seed-major
        metrics = {name: [row[name] for row in rows] for name in spec.objective_names}
        values = metrics[spec.objective_names[0]]
        return {"label": label, "config": config, "values": values, "mean": sum(values) / len(values),
                "metrics": metrics}
    values: list[float] = []
    for seed in seeds:  # one seed per call so the (seed, instance) order is certain
        got = list(evaluate_config(spec, config, instances=instances, seeds=[seed]))
        if len(got) != len(instances):
            raise PromotionError(f"re-evaluation of {label} returned {len(got)} values for {len(instances)} instances")
        values.extend(float(v) for v in got)
    return {"label": label, "config": config, "values": values, "mean": sum(values) / len(values)}


def _provenance(facts: StudyFacts, winner: Candidate, metric: str, decision: GateDecision) -> str:
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    forced = ", forced" if decision.forced else ""
    return (f"study {facts.name}, trial {winner.number}, run {winner.run_id or 'n/a'}, {today}, "
            f"{metric} {decision.mean_current:.6g} -> {decision.mean_candidate:.6g} "
            f"(held-out, p={decision.p_value:.3g}{forced})")


def _record(report: PromotionReport, facts: StudyFacts, settings: Settings) -> str:
    import pandas as pd

    tracker = Tracker(settings)
    params = {
        "study": report.study, "trial": report.trial, "trial_run_id": report.trial_run_id or "",
        "target": report.target, "symbols": report.symbols, "candidate": report.candidate,
        "current": report.current, "alpha": report.decision.alpha, "seeds": report.seeds,
        "instances": ",".join(report.instances), "dry_run": report.dry_run, "forced": report.decision.forced,
        **({"pick": report.pick} if report.pick else {}),
    }
    tags = {Tag.STUDY: report.study, Tag.TRIAL: str(report.trial), Tag.PROMOTED: str(report.promoted).lower()}
    with tracker.start_run(
        kind=RunKind.PROMOTION, experiment=None if facts.parent_run_id else facts.spec.experiment_name,
        parent_run_id=facts.parent_run_id, run_name=f"promote trial {report.trial}", params=params, tags=tags,
    ) as run:
        run.log_metrics({
            "before": report.decision.mean_current, "after": report.decision.mean_candidate,
            "p_value": report.decision.p_value, "seeds_better": report.decision.seeds_better,
            "forced": float(report.decision.forced), "accepted": float(report.decision.accepted),
            "promoted": float(report.promoted),
        })
        labels = [e.label for e in report.evaluations]
        rows = {label: e.values for label, e in zip(labels, report.evaluations)}
        frame = pd.DataFrame(_order(report.instances, report.seeds), columns=["seed", "instance"])
        for label, values in rows.items():
            frame[label] = values
        run.log_table(frame, COMPARISON_ARTIFACT)
        if report.rewrite is not None:
            run.log_text(report.rewrite.diff, DIFF_ARTIFACT)
        run.log_dict(report.model_dump(mode="json"), REPORT_ARTIFACT)
    if report.promoted and report.trial_run_id:
        tracker.set_tags(report.trial_run_id, {Tag.PROMOTED: "true"})
    return run.run_id
