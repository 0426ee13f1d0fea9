"""Promotion of a proven study winner into a constants file (Python, YAML or TOML), with provenance.

The gate re-evaluates the winner (or each study's winner, for a staged plan) and the current
constants on fresh seeds and held-out instances (fresh generated ones when a study used its
whole class), at the budget where the constants act, and promotes only on a paired-test win
that holds across seeds; the rewrite touches only the changed constants' lines (plus one
provenance comment line each); the decision is recorded as an MLflow run of kind `promotion`.
"""

from studies.promotion._errors import NothingToPromote, PromotionError, TargetError, UnknownSymbolError
from studies.promotion._gate import GateDecision, Pair, SeedFigure, decide
from studies.promotion._naming import constant_candidates, map_params, parse_symbols
from studies.promotion._budget import Budget, default_budget, parse_budget
from studies.promotion._evaluate import Evaluation
from studies.promotion._holdout import HoldoutSet, choose_holdout, fresh_instances
from studies.promotion._promote import BudgetFigures, PromotionReport, StudyWinner, fresh_seeds, promote
from studies.promotion._rewrite import (
    ConstantChange,
    Rewrite,
    default_target,
    project_root,
    read_constant,
    resolve_target,
    rewrite_constants,
)
from studies.promotion._text import PROVENANCE_MARK

__all__ = [
    "PROVENANCE_MARK",
    "Budget",
    "BudgetFigures",
    "HoldoutSet",
    "NothingToPromote",
    "StudyWinner",
    "choose_holdout",
    "default_budget",
    "fresh_instances",
    "parse_budget",
    "ConstantChange",
    "Evaluation",
    "GateDecision",
    "Pair",
    "PromotionError",
    "PromotionReport",
    "Rewrite",
    "SeedFigure",
    "TargetError",
    "UnknownSymbolError",
    "constant_candidates",
    "decide",
    "default_target",
    "fresh_seeds",
    "map_params",
    "parse_symbols",
    "project_root",
    "promote",
    "read_constant",
    "resolve_target",
    "rewrite_constants",
]
