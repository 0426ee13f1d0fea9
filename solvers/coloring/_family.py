"""The graph-colouring family: instance specs, DIMACS files, evaluation, searches.

Specs after ``coloring:``: ``queen8_8`` (any ``queenR_C``), ``myciel5`` (any ``mycielK``),
``gnp:<n>:<p>[:seed=<s>]``, ``planted:<n>:<k>:<p>[:seed=<s>]``; files: DIMACS ``.col``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from solvers._base import Family, Instance, Search
from solvers.coloring._bounds import clique_bound
from solvers.coloring._graph import Graph
from solvers.coloring._io import read_col
from solvers.coloring._moves import conflict_count
from solvers.coloring._named_graphs import myciel, queen
from solvers.coloring._random_graphs import gnp, planted
from solvers.coloring._scenario import ColoringScenario
from solvers.coloring._searches import SA_PRESETS, SEARCHES
from solvers.errors import ProblemError
from solvers.limits import check_graph_size

_QUEEN = re.compile(r"queen(\d+)_(\d+)")
_MYCIEL = re.compile(r"myciel(\d+)")
_SPECS = "queenR_C, mycielK, gnp:<n>:<p>[:seed=<s>], planted:<n>:<k>:<p>[:seed=<s>]"


def _random_args(spec: str, kinds: tuple[type, ...]) -> tuple[list[Any], int]:
    parts = spec.split(":")[1:]
    seed = 0
    if parts and parts[-1].startswith("seed="):
        seed = int(parts.pop()[5:])
    if len(parts) != len(kinds):
        raise ValueError(f"expected {len(kinds)} values")
    return [kind(p) for kind, p in zip(kinds, parts)], seed


def graph_from_spec(spec: str) -> tuple[Graph, int | None]:
    """The graph a spec names and, for planted graphs, the planted number of colours."""
    try:
        what = f"coloring problem {spec!r}"
        if m := _QUEEN.fullmatch(spec):
            rows, cols = int(m[1]), int(m[2])
            check_graph_size(rows * cols, rows * cols * (rows + cols) * 2, what)
            return queen(rows, cols), None
        if m := _MYCIEL.fullmatch(spec):
            k = int(m[1])
            check_graph_size(3 * 2 ** min(max(k - 2, 0), 64) - 1, 0, what)
            return myciel(k), None
        if spec.startswith("gnp:"):
            (n, p), seed = _random_args(spec, (int, float))
            check_graph_size(n, p * n * (n - 1) / 2, what)
            return gnp(n, p, seed), None
        if spec.startswith("planted:"):
            (n, k, p), seed = _random_args(spec, (int, int, float))
            check_graph_size(n, p * n * (n - 1) / 2, what)
            return planted(n, k, p, seed)[0], k
    except ProblemError:
        raise
    except ValueError as exc:
        raise ProblemError(f"coloring problem {spec!r}: {exc}") from None
    raise ProblemError(f"coloring problem: must be one of {_SPECS} (got {spec!r})")


def make_instance(graph: Graph, planted_k: int | None = None) -> Instance:
    """An :class:`Instance` of ``graph``: the chromatic number comes from the shipped table when
    the name and sizes match a row; the lower bound is a clique size or the proven χ."""
    scenario = ColoringScenario.of(graph, planted_k)
    lower = clique_bound(graph)
    if scenario.reference_exact:
        lower = max(lower, scenario.reference)
    descriptor = {k: v for k, v in scenario.to_dict().items() if v is not None}
    descriptor.update(lower_bound=lower, max_degree=int(graph.degrees().max(initial=0)))
    return Instance(family="coloring", name=graph.name, data=graph, reference=scenario.reference,
                    lower_bound=lower, descriptor=descriptor)


class ColoringFamily(Family):
    """Graph colouring, minimising the number of colours of a proper colouring."""

    name = "coloring"
    suffixes = (".col",)
    warmup_spec = "myciel4"  # chi 5, clique bound 2: the search never finishes early

    def load(self, spec: str) -> Instance:
        return make_instance(*graph_from_spec(spec))

    def read(self, path: Path) -> Instance:
        try:
            graph = read_col(path)
        except (OSError, ValueError) as exc:
            raise ProblemError(f"coloring file {str(path)!r}: {exc}") from None
        return make_instance(graph)

    def sniff(self, head: str) -> bool:
        return any(line.split()[:2] in (["p", "edge"], ["p", "col"]) for line in head.splitlines())

    def evaluate(self, instance: Instance, solution: np.ndarray) -> tuple[float, bool]:
        graph = instance.data
        colors = np.asarray(solution)
        if colors.shape != (graph.n,) or (graph.n and colors.min() < 0):
            return float("inf"), False
        colors = colors.astype(np.int32)
        feasible = conflict_count(graph.indptr, graph.indices, colors) == 0
        return float(np.unique(colors).shape[0]), bool(feasible)

    def search(self, instance: Instance, solver: str, config: Any, seed: int) -> Search:
        if solver not in SEARCHES:
            raise ProblemError(f"coloring: solver must be one of {', '.join(SEARCHES)} (got {solver!r})")
        return SEARCHES[solver](instance, config, seed)

    def operators(self) -> dict[str, tuple[str, ...]]:
        return {solver: cls.operators for solver, cls in SEARCHES.items()}

    def presets(self) -> dict[str, dict[str, float]]:
        return {name: dict(weights) for name, weights in SA_PRESETS.items()}
