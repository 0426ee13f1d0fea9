"""An undirected simple graph stored as CSR arrays that numba kernels can read directly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Graph:
    """An undirected simple graph on vertices ``0..n-1`` in CSR form.

    Example:
        >>> g = Graph.from_edges(3, [(0, 1), (1, 2), (2, 1)])
        >>> g.n, g.n_edges, g.degrees().tolist()
        (3, 2, [1, 2, 1])

    Args:
        n: number of vertices.
        indptr: ``int32[n + 1]``; the neighbours of ``v`` are ``indices[indptr[v]:indptr[v+1]]``.
        indices: ``int32[2 * n_edges]``; each edge appears once in each endpoint's row,
            rows sorted ascending.
        name: the instance name (``queen8_8``, a file stem, ...).
    """

    n: int
    indptr: np.ndarray
    indices: np.ndarray
    name: str = "graph"

    @classmethod
    def from_edges(cls, n: int, edges, name: str = "graph") -> Graph:
        """Build a graph from 0-based pairs; duplicates (either way round) and loops are dropped."""
        if n < 0:
            raise ValueError(f"Number of vertices cannot be negative but got {n}.")
        pairs = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        if pairs.size and (pairs.min() < 0 or pairs.max() >= n):
            raise ValueError(f"Edge endpoints must lie in 0..{n - 1} but got {pairs.min()}..{pairs.max()}.")
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        lo = np.minimum(pairs[:, 0], pairs[:, 1])
        hi = np.maximum(pairs[:, 0], pairs[:, 1])
        unique = np.unique(lo * max(n, 1) + hi)
        lo, hi = unique // max(n, 1), unique % max(n, 1)
        src = np.concatenate([lo, hi])
        dst = np.concatenate([hi, lo])
        order = np.lexsort((dst, src))
        src, dst = src[order], dst[order]
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        return cls(n=n, indptr=indptr, indices=dst.astype(np.int32), name=name)

    @property
    def n_edges(self) -> int:
        return int(self.indices.shape[0] // 2)

    @property
    def density(self) -> float:
        """Edges over vertex pairs, ``2|E| / (n (n - 1))``; 0 for fewer than two vertices."""
        return 0.0 if self.n < 2 else 2.0 * self.n_edges / (self.n * (self.n - 1))

    def degrees(self) -> np.ndarray:
        """``int32[n]`` vertex degrees."""
        return np.diff(self.indptr).astype(np.int32)

    def neighbours(self, v: int) -> np.ndarray:
        return self.indices[self.indptr[v] : self.indptr[v + 1]]

    def edges(self) -> np.ndarray:
        """``int32[n_edges, 2]`` each edge once as ``(u, v)`` with ``u < v``, sorted."""
        src = np.repeat(np.arange(self.n, dtype=np.int32), np.diff(self.indptr))
        keep = src < self.indices
        return np.stack([src[keep], self.indices[keep]], axis=1)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, indices)``, the graph tuple the kernels take."""
        return (self.indptr, self.indices)
