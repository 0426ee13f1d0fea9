"""Graph colouring: minimise the number of colours of a proper colouring.

Readers and generators (DIMACS ``.col``, queen and Mycielski graphs, G(n, p), planted
k-colourable graphs), the reference table of chromatic numbers, numba kernels (conflicts,
adjacency-colour table, greedy, DSatur, tabucol, annealing, iterated local search) and the
family that plugs them into :func:`solvers.solve`.

>>> import solvers
>>> inst = solvers.load_instance("coloring:queen5_5")
>>> res = solvers.solve(inst, "tabu", seed=1, time_limit=5)
>>> res.objective, res.reference
(5.0, 5)
"""

from solvers.coloring._bounds import clique_bound
from solvers.coloring._construct import dsatur, greedy
from solvers.coloring._family import ColoringFamily, graph_from_spec, make_instance
from solvers.coloring._graph import Graph
from solvers.coloring._io import format_col, parse_col, read_col, write_col
from solvers.coloring._moves import build_table, conflict_count, move_delta
from solvers.coloring._named_graphs import mycielski_step, myciel, queen
from solvers.coloring._random_graphs import gnp, planted
from solvers.coloring._reference import ColoringReference, reference_table
from solvers.coloring._scenario import ColoringScenario

FAMILY = ColoringFamily()

__all__ = [
    "FAMILY",
    "ColoringFamily",
    "ColoringReference",
    "ColoringScenario",
    "Graph",
    "build_table",
    "clique_bound",
    "conflict_count",
    "dsatur",
    "format_col",
    "graph_from_spec",
    "gnp",
    "greedy",
    "make_instance",
    "move_delta",
    "myciel",
    "mycielski_step",
    "parse_col",
    "planted",
    "queen",
    "read_col",
    "reference_table",
    "write_col",
]
