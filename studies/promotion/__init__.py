"""Promotion of a proven study winner into a constants file (Python, YAML or TOML), with provenance.

The gate re-evaluates the winner and the current constants on fresh seeds and held-out
instances and promotes only on a paired-test win that holds across seeds; the rewrite touches
only the promoted constants' lines (plus one provenance comment line each); the decision is
recorded as an MLflow run of kind `promotion`.
"""

from studies.promotion._errors import PromotionError, TargetError, UnknownSymbolError
from studies.promotion._gate import GateDecision, Pair, SeedFigure, decide
from studies.promotion._naming import constant_candidates, map_params, parse_symbols
from studies.promotion._promote import Evaluation, PromotionReport, fresh_seeds, promote
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
