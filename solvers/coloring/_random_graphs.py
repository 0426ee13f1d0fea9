"""Seeded random graphs: Erdős–Rényi G(n, p) and planted k-colourable graphs."""

from __future__ import annotations

import numpy as np

from solvers.coloring._graph import Graph


def _check(n: int, p: float) -> None:
    if n < 1:
        raise ValueError(f"Number of vertices must be >= 1 but got {n}.")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"Edge probability must lie in [0, 1] but got {p}.")


def _sample_pairs(n: int, p: float, rng: np.random.Generator, allowed: np.ndarray | None = None) -> np.ndarray:
    u, v = np.triu_indices(n, k=1)
    keep = rng.random(u.shape[0]) < p
    if allowed is not None:
        keep &= allowed[u] != allowed[v]
    return np.stack([u[keep], v[keep]], axis=1)


def gnp(n: int, p: float, seed: int = 0) -> Graph:
    """An Erdős–Rényi graph: each of the ``n (n - 1) / 2`` pairs is an edge with probability ``p``.

    Example:
        >>> gnp(50, 0.1, seed=1).n_edges == gnp(50, 0.1, seed=1).n_edges
        True

    Args:
        n: vertices (>= 1).
        p: edge probability in [0, 1].
        seed: seed of the numpy generator; the same seed gives the same graph.
    """
    _check(n, p)
    rng = np.random.default_rng(seed)
    return Graph.from_edges(n, _sample_pairs(n, p, rng), name=f"gnp_n{n}_p{p:g}_s{seed}")


def planted(n: int, k: int, p: float, seed: int = 0) -> tuple[Graph, np.ndarray]:
    """A graph with a hidden proper ``k``-colouring: vertices are split into ``k`` classes of
    near-equal size at random, and each pair in different classes is an edge with probability ``p``.

    Example:
        >>> g, colors = planted(30, 3, 0.5, seed=2)
        >>> bool(all(colors[u] != colors[v] for u, v in g.edges()))
        True

    Args:
        n: vertices (>= 1).
        k: colour classes (1..n); the chromatic number is at most ``k``.
        p: edge probability between classes, in [0, 1].
        seed: seed of the numpy generator.

    Returns:
        The graph and its planted colouring (``int32[n]``, colours ``0..k-1``).
    """
    _check(n, p)
    if not 1 <= k <= n:
        raise ValueError(f"Number of classes must lie in 1..{n} but got {k}.")
    rng = np.random.default_rng(seed)
    colors = rng.permutation(np.arange(n) % k).astype(np.int32)
    graph = Graph.from_edges(n, _sample_pairs(n, p, rng, allowed=colors), name=f"planted_n{n}_k{k}_p{p:g}_s{seed}")
    return graph, colors
