"""`promote`: re-evaluate study winners against the current constants, gate, write, record.

Steps, each refusing with a clear message:

1. Load each study's spec and its best completed trial (or the top k). Several studies (a
   staged plan: core space, full space, several sampler seeds) must share the solver, the
   problem, the direction and the fixed parameters.
2. Resolve the target inside the project and map each tuned parameter to a constant
   (`studies.promotion._naming`); read the constants' current values from the target.
3. Re-evaluate the candidates and the current constants on fresh seeds (none of the
   studies') and held-out instances (`_holdout`: unused ones of the same classes, else fresh
   generated ones of the same sizes), at the budget where the constant acts (`_budget`: the
   solver's default unless `budget` names one) and, when a study tuned at another budget,
   at that one too.
4. Choose: the candidate with the best mean where the constant acts; a candidate from a
   smaller space is preferred when the larger space's winner is not significantly better.
   Gate the choice (`_gate`: one-sided paired Wilcoxon and a strict majority of seeds) at
   alpha / number of candidates (Bonferroni: it was picked on the same evaluations). A
   candidate that wins only at the study's budget is refused, with both sets of figures.
5. Promote what changed: parameters equal to their constant are reported as unchanged and
   left out; the changed ones are written together (one atomic diff, a provenance line each).
6. Record a `promotion` MLflow run under the chosen study's run (comparison table, diff,
   figures, forced flag) and tag the winning trial's run `tt.promoted=true` when written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from studies.promotion._budget import Budget, default_budget, measure_name, parse_budget, study_budget
from studies.promotion._errors import PromotionError, UnknownSymbolError
from studies.promotion._evaluate import Evaluation, evaluate, order
from studies.promotion._gate import GateDecision, Pair, decide
from studies.promotion._holdout import HoldoutSet, choose_holdout
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


class BudgetFigures(BaseModel):
    """Every configuration re-evaluated at one budget, and the chosen candidate's gate there."""

    budget: Budget
    label: str
    evaluations: list[Evaluation]
    decision: GateDecision


class StudyWinner(BaseModel):
    """A study's best trial as re-evaluated where the constant acts, against the current constants."""

    study: str
    trial: int
    space: list[str]
    mean: float
    p_value: float
    beats_current: bool = Field(description="Passes the gate against the current constants at alpha.")
    chosen: bool


class PromotionReport(BaseModel):
    """What `promote` decided and did, with the figures."""

    study: str = Field(description="The study whose trial was chosen.")
    trial: int
    trial_run_id: str | None
    target: str
    symbols: dict[str, str] = Field(description="Changed tuned parameter -> constant it is written to.")
    candidate: dict[str, Scalar] = Field(description="Constant -> value proposed by the trial (changed ones).")
    current: dict[str, Scalar] = Field(description="Constant -> value in the target before promotion.")
    unchanged: dict[str, Scalar] = Field(default_factory=dict,
                                         description="Constants the trial left at their current value (not written).")
    metric: str = Field(description="What the figures are: gap (to the best-known value), makespan or colours.")
    holdout: HoldoutSet
    instances: list[str]
    seeds: list[int]
    budget: str = Field(description="The budget the gate decides at (where the constant acts).")
    budgets: list[BudgetFigures]
    evaluations: list[Evaluation] = Field(description="At the deciding budget: current first, then each candidate.")
    decision: GateDecision
    winners: list[StudyWinner] = Field(default_factory=list, description="One per study, when several were given.")
    agree: bool | None = Field(None, description="Several studies: every study's winner beats the constants.")
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
        change = ", ".join(f"{s} {self.current[s]!r} -> {self.candidate[s]!r}" for s in self.candidate) or "no change"
        if self.promoted:
            head = f"promoted trial {self.trial} of {self.study} into {self.target}: {change}"
        elif self.decision.accepted:
            head = f"dry run: would promote trial {self.trial} of {self.study} into {self.target}: {change}"
        else:
            head = f"not promoted: trial {self.trial} of {self.study} ({change})"
        forced = ""
        if self.decision.forced:
            forced = " [forced; the gate passed anyway]" if self.decision.passed else " [forced]"
        same = f" Unchanged: {', '.join(f'{k}={v!r}' for k, v in self.unchanged.items())}." if self.unchanged else ""
        agree = "" if self.agree is None else (" The studies agree: every winner beats the constants." if self.agree
                                               else " The studies disagree: not every winner beats the constants.")
        return (f"{head}{forced}. {self.metric} at the {self.budget}, on {self.holdout.description}: "
                f"{self.decision.reason}.{same}{agree}")


def fresh_seeds(study_seeds: Sequence[int], count: int) -> list[int]:
    """`count` seeds none of which the study used: the ones right after its largest seed."""
    start = max(study_seeds) + 1
    return list(range(start, start + count))


def promote(
    study: str | Sequence[str],
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
    budget: str | None = None,
    pick: str | None = None,
    settings: Settings | None = None,
) -> PromotionReport:
    """Promote the best trial of `study` (or the best of several studies) into `target` if it wins.

    Example:
        report = promote("sa-flowshop", dry_run=True)
        print(report.text)
        print(report.rewrite.diff if report.rewrite else report.decision.reason)

    Args:
        study: a study name, or several (a staged plan): each study's winner is re-evaluated.
        target: a .py/.yaml/.toml file inside the project (default: `solvers/constants.py`).
        symbol: constant to write (one tuned parameter), or `param=NAME` items / a mapping.
        dry_run: compute and record everything, write nothing (the report holds the diff).
        force: write even if the gate refuses; recorded as forced.
        alpha: gate significance (default `agent.promotion_alpha`).
        seeds: fresh seeds, or how many (default `agent.promotion_seeds`); never the studies'.
        holdout_instances: held-out instances, or how many (default `agent.promotion_holdout`);
            never the studies'.
        top_k: re-evaluate each study's k best trials.
        params: promote only these tuned parameters (default: every changed parameter).
        budget: the per-solve budget of the gate (`50000` iterations or `2.5s`); default the
            solver's default budget, where the constant acts.
        pick: multi-objective studies: the pick rule of the front point to promote (default: the best
            on the first metric); the gate then also refuses a point significantly worse on any metric.
        settings: tunetrack settings (default: from the environment).
    """
    settings = settings or default_settings()
    agent = settings.agent
    alpha = agent.promotion_alpha if alpha is None else alpha
    if top_k < 1:
        raise PromotionError(f"top_k: must be >= 1 but got {top_k}")
    names = [study] if isinstance(study, str) else list(dict.fromkeys(study))
    if not names:
        raise PromotionError("name at least one study")
    root = project_root(settings)
    path = resolve_target(target if target is not None else default_target(settings), root)
    facts = [load_study_facts(name, settings, top_k=top_k, pick=pick) for name in names]
    spec = _common_spec(facts)
    objective = spec.objective
    candidates = [(f, c) for f in facts for c in f.candidates]
    tuned = _promoted_params([c for _, c in candidates], [f.spec for f in facts], params)
    symbols = map_params(
        tuned, solver=objective.solver, python=path.suffix == ".py",
        exists=lambda name: _defines(path, name, root), overrides=parse_symbols(symbol, tuned))
    current = {symbols[p]: read_constant(path, symbols[p], project_root=root) for p in tuned}
    run_seeds = _seeds([s for f in facts for s in f.spec.seeds], seeds, agent.promotion_seeds)
    used = list(dict.fromkeys(i for f in facts for i in f.spec.evaluation_instances()))
    holdout = choose_holdout(used, objective.problem, holdout_instances, agent.promotion_holdout)
    instances = holdout.instances
    measure = measure_name(instances)
    multi = list(spec.objective_names) if spec.multi_objective else None

    acting = parse_budget(budget) if budget else default_budget(objective.solver)
    budgets = [acting]
    for f in facts:
        tuned_at = study_budget(f.spec.objective)
        if not any(b.same_limit(tuned_at) for b in budgets):
            budgets.append(tuned_at)
    baseline_config = {p: current[symbols[p]] for p in tuned}
    per_budget: list[tuple[Budget, Evaluation, list[Evaluation]]] = []
    for b in budgets:
        base = evaluate(objective, "current", baseline_config, instances, run_seeds, b, measure, multi)
        evals = [evaluate(objective, _label(f, c, len(facts)), {p: v for p, v in c.params.items() if p in tuned},
                          instances, run_seeds, b, measure, multi)  # what would be promoted, the rest at the constants
                 for f, c in candidates]
        per_budget.append((b, base, evals))

    _, base, evals = per_budget[0]
    a = alpha / len(candidates)
    index = _choose(candidates, evals, spec.direction, alpha)
    chosen_facts, winner = candidates[index]
    figures = [BudgetFigures(budget=b, label=b.label, evaluations=[bb, *ee],
                             decision=decide(_pairs(instances, run_seeds, bb, ee[index]), direction=spec.direction,
                                             alpha=a, force=force))
               for b, bb, ee in per_budget]
    decision = figures[0].decision
    if not decision.passed and any(f.decision.passed for f in figures[1:]):
        decision = _refused_elsewhere(decision, figures)
    checks = None
    if multi:  # no metric may get significantly worse, where the constants act nor where the study tuned
        per = [objective_checks(bb.metrics, ee[index].metrics, spec.objective_names, spec.objective_directions,
                                alpha=alpha, tolerance=agent.promotion_tolerance) for _, bb, ee in per_budget]
        checks = next((c for c in per if any(x.worse for x in c)), per[0])
        decision = gate_every_objective(decision, checks)
    changed = [p for p in tuned if p in winner.params
               and _coerced(path, symbols[p], winner.params[p]) != current[symbols[p]]]
    unchanged = {symbols[p]: current[symbols[p]] for p in tuned if p in winner.params and p not in changed}
    if not changed:
        decision = decision.model_copy(update={
            "accepted": False, "passed": False,
            "reason": f"refused: nothing to promote, trial {winner.number} of {chosen_facts.name} equals the current "
                      f"constants; {decision.reason.split(': ', 1)[-1]}"})
    candidate = {symbols[p]: _coerced(path, symbols[p], winner.params[p]) for p in changed}
    rewrite = None
    if decision.accepted:
        note = _provenance(chosen_facts, winner, measure, decision, figures[0].budget)
        rewrite = rewrite_constants(path, candidate, project_root=root, provenance=note, dry_run=dry_run)
    winners = _winners(facts, candidates, evals, base, instances, run_seeds, spec.direction, alpha, index)
    report = PromotionReport(
        study=chosen_facts.name, trial=winner.number, trial_run_id=winner.run_id, target=str(path),
        symbols={p: symbols[p] for p in changed}, candidate=candidate,
        current={symbols[p]: current[symbols[p]] for p in changed}, unchanged=unchanged, metric=measure,
        holdout=holdout, instances=instances, seeds=run_seeds, budget=acting.label, budgets=figures,
        evaluations=[base, *evals], decision=decision, winners=winners if len(facts) > 1 else [],
        agree=all(w.beats_current for w in winners) if len(facts) > 1 else None,
        rewrite=rewrite, promoted=rewrite is not None and rewrite.written, dry_run=dry_run, pick=pick,
        objectives=checks,
    )
    report.promotion_run_id = _record(report, chosen_facts, settings)
    return report


# ---- steps -------------------------------------------------------------------------------
def _common_spec(facts: list[StudyFacts]) -> Any:
    """The first study's spec, once every study is known to tune the same solver the same way."""
    from studies.spec import SolverObjective

    spec = facts[0].spec
    if not isinstance(spec.objective, SolverObjective):
        raise PromotionError(f"only built-in solver objectives can be promoted; {facts[0].name!r} uses "
                             f"{spec.objective.label}")
    for f in facts[1:]:
        other = f.spec.objective
        same = (isinstance(other, SolverObjective) and (other.solver, other.problem, other.fixed)
                == (spec.objective.solver, spec.objective.problem, spec.objective.fixed)
                and f.spec.direction == spec.direction)
        if not same:
            raise PromotionError(f"studies {facts[0].name!r} and {f.name!r} do not tune the same solver, problem, "
                                 "fixed parameters and direction; promote them separately")
    return spec


def _promoted_params(candidates: list[Candidate], specs: list[Any], only: Sequence[str] | None) -> list[str]:
    names = list(dict.fromkeys(p for c in candidates for p in c.params))
    if only:
        unknown = [p for p in only if p not in names]
        if unknown:
            raise PromotionError(f"params {unknown} were not tuned by the study (tuned: {', '.join(names)})")
        names = [p for p in names if p in only]
    spaces = set().union(*(set(s.space) for s in specs))
    outside = [p for p in names if spaces and p not in spaces]
    if outside:
        raise PromotionError(f"trial {candidates[0].number} has parameters outside the study's space: {outside}")
    if not names:
        raise PromotionError(f"trial {candidates[0].number} has no tuned parameters to promote")
    return names


def _label(facts: StudyFacts, candidate: Candidate, studies: int) -> str:
    return f"trial {candidate.number}" if studies == 1 else f"{facts.name} trial {candidate.number}"


def _pairs(instances: list[str], seeds: list[int], current: Evaluation, candidate: Evaluation) -> list[Pair]:
    return [Pair(instance=inst, seed=seed, current=cur, candidate=cand)
            for (seed, inst), cur, cand in zip(order(instances, seeds), current.values, candidate.values)]


def _choose(candidates: list[tuple[StudyFacts, Candidate]], evals: list[Evaluation], direction: str,
            alpha: float) -> int:
    """The best mean, unless a candidate from a smaller space is not significantly worse than it."""
    from studies.stats import paired_test

    sign = 1.0 if direction == "minimize" else -1.0
    best = min(range(len(evals)), key=lambda i: sign * evals[i].mean)
    size = [len(f.spec.space) for f, _ in candidates]
    smaller = sorted((i for i in range(len(evals)) if size[i] < size[best]), key=lambda i: (size[i], sign * evals[i].mean))
    for i in smaller:  # does the larger space's winner beat this one significantly?
        test = paired_test(evals[best].values, evals[i].values, direction)
        if test is None or not test.p_value < alpha:
            return i
    return best


def _refused_elsewhere(decision: GateDecision, figures: list[BudgetFigures]) -> GateDecision:
    """A candidate that wins only at another budget (the study's) is refused, with both figures."""
    wins = [f for f in figures[1:] if f.decision.passed]
    where = "; ".join(f"at the {f.label}: {f.decision.reason.split(': ', 1)[-1]}" for f in wins)
    reason = (f"refused: wins only at a budget where the constant does not act ({where}); at the {figures[0].label}: "
              f"{decision.reason.split(': ', 1)[-1]}")
    return decision.model_copy(update={"reason": reason})


def _winners(facts: list[StudyFacts], candidates: list[tuple[StudyFacts, Candidate]], evals: list[Evaluation],
             base: Evaluation, instances: list[str], seeds: list[int], direction: str, alpha: float,
             chosen: int) -> list[StudyWinner]:
    """Each study's best trial against the constants at the deciding budget (do the studies agree?)."""
    rows = []
    for f in facts:
        i = next(k for k, (ff, _) in enumerate(candidates) if ff is f)
        gate = decide(_pairs(instances, seeds, base, evals[i]), direction=direction, alpha=alpha)
        rows.append(StudyWinner(study=f.name, trial=candidates[i][1].number, space=list(f.spec.space),
                                mean=evals[i].mean, p_value=gate.p_value, beats_current=gate.passed,
                                chosen=i == chosen))
    return rows


def _defines(path: Path, name: str, root: Path) -> bool:
    try:
        read_constant(path, name, project_root=root)
    except UnknownSymbolError:
        return False
    return True


def _coerced(path: Path, symbol: str, value: Any) -> Scalar:
    """The value as it will be written (int/float/bool/str of the constant), without writing."""
    return FORMATS[path.suffix.lower()](path.read_bytes().decode("utf-8"), symbol, value).new


def _seeds(study_seeds: list[int], seeds: Sequence[int] | int | None, default_count: int) -> list[int]:
    if seeds is None or isinstance(seeds, int):
        count = default_count if seeds is None else seeds
        if count < 1:
            raise PromotionError(f"seeds: need at least 1 fresh seed but got {count}")
        return fresh_seeds(study_seeds, count)
    chosen = list(dict.fromkeys(int(s) for s in seeds))
    reused = sorted(set(chosen) & set(study_seeds))
    if reused:
        raise PromotionError(f"seeds {reused} were used by the study; promotion re-evaluates on fresh seeds only")
    if not chosen:
        raise PromotionError("seeds: need at least 1 fresh seed")
    return chosen


def _provenance(facts: StudyFacts, winner: Candidate, metric: str, decision: GateDecision, budget: Budget) -> str:
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    forced = ", forced" if decision.forced else ""
    limit = f"{budget.iterations} iterations" if budget.iterations is not None else f"{budget.time_limit:g} s"
    return (f"study {facts.name}, trial {winner.number}, run {winner.run_id or 'n/a'}, {today}, "
            f"{metric} {decision.mean_current:.6g} -> {decision.mean_candidate:.6g} "
            f"(held-out, {limit}, p={decision.p_value:.3g}{forced})")


def _record(report: PromotionReport, facts: StudyFacts, settings: Settings) -> str:
    import pandas as pd

    tracker = Tracker(settings)
    params = {
        "study": report.study, "trial": report.trial, "trial_run_id": report.trial_run_id or "",
        "target": report.target, "symbols": report.symbols, "candidate": report.candidate,
        "current": report.current, "alpha": report.decision.alpha, "seeds": report.seeds,
        "instances": ",".join(report.instances), "dry_run": report.dry_run, "forced": report.decision.forced,
        "metric": report.metric, "budget": report.budget, "holdout": report.holdout.kind,
        "unchanged": report.unchanged, "studies": ",".join(w.study for w in report.winners) or report.study,
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
        frames = []
        for figures in report.budgets:  # one row per (budget, seed, instance), one column per configuration
            frame = pd.DataFrame(order(report.instances, report.seeds), columns=["seed", "instance"])
            frame.insert(0, "budget", figures.label)
            frame.insert(1, "measure", report.metric)
            for e in figures.evaluations:
                frame[e.label] = e.values
            frames.append(frame)
        run.log_table(pd.concat(frames, ignore_index=True), COMPARISON_ARTIFACT)
        if report.rewrite is not None:
            run.log_text(report.rewrite.diff, DIFF_ARTIFACT)
        run.log_dict(report.model_dump(mode="json"), REPORT_ARTIFACT)
    if report.promoted and report.trial_run_id:
        tracker.set_tags(report.trial_run_id, {Tag.PROMOTED: "true"})
    return run.run_id
