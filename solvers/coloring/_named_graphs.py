"""Exact constructions with known chromatic numbers: queen graphs and Mycielski graphs.

Vertex numbering follows the classic DIMACS files, so a colouring printed in vertex order
lines up with ``queen8_8.col`` and ``myciel5.col``.
"""

from __future__ import annotations

import numpy as np

from solvers.coloring._graph import Graph


def queen(rows: int, cols: int) -> Graph:
    """The queen graph ``queenR_C``: a vertex per square, numbered row-major (``r * cols + c``),
    an edge when two squares share a row, a column or a diagonal.

    Example:
        >>> g = queen(5, 5)
        >>> g.n, g.n_edges
        (25, 160)

    Args:
        rows: board rows (>= 1).
        cols: board columns (>= 1).
    """
    if rows < 1 or cols < 1:
        raise ValueError(f"Board sides must be >= 1 but got rows={rows}, cols={cols}.")
    r, c = np.divmod(np.arange(rows * cols), cols)
    same = (r[:, None] == r) | (c[:, None] == c) | (r[:, None] - c[:, None] == r - c) | (r[:, None] + c[:, None] == r + c)
    u, v = np.nonzero(np.triu(same, k=1))
    return Graph.from_edges(rows * cols, np.stack([u, v], axis=1), name=f"queen{rows}_{cols}")


def mycielski_step(graph: Graph) -> Graph:
    """Mycielski's construction: vertices ``v_i`` keep ids ``0..n-1``, their shadows ``u_i`` are
    ``n..2n-1`` (``u_i`` joined to the neighbours of ``v_i``), and a hub ``2n`` joins every ``u_i``.
    Raises the chromatic number by one and keeps the graph triangle-free.
    """
    n = graph.n
    e = graph.edges().astype(np.int64)
    shadow_edges = np.concatenate([np.stack([e[:, 0], e[:, 1] + n], 1), np.stack([e[:, 1], e[:, 0] + n], 1)])
    hub_edges = np.stack([np.arange(n, 2 * n), np.full(n, 2 * n)], axis=1)
    return Graph.from_edges(2 * n + 1, np.concatenate([e, shadow_edges, hub_edges]), name=graph.name)


def myciel(k: int) -> Graph:
    """The Mycielski graph ``mycielK`` of the DIMACS set, chromatic number ``K + 1``.

    ``myciel3`` is the Grötzsch graph (11 vertices, 20 edges): two Mycielski steps from
    ``K2`` (the first gives ``C5``), so ``mycielK`` is ``K - 1`` steps from ``K2``.

    Example:
        >>> g = myciel(3)
        >>> g.n, g.n_edges
        (11, 20)

    Args:
        k: the index K (>= 2; ``myciel2`` is ``C5``).
    """
    if k < 2:
        raise ValueError(f"Mycielski index must be >= 2 but got {k}.")
    graph = Graph.from_edges(2, [(0, 1)])
    for _ in range(k - 1):
        graph = mycielski_step(graph)
    return Graph(graph.n, graph.indptr, graph.indices, name=f"myciel{k}")
