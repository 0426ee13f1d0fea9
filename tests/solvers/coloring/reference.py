"""Plain-Python reference implementations the colouring kernels are checked against."""

from __future__ import annotations


def adjacency(n: int, edges) -> list[set[int]]:
    adj = [set() for _ in range(n)]
    for u, v in edges:
        if u != v:
            adj[u].add(v)
            adj[v].add(u)
    return adj


def conflicts(adj: list[set[int]], colors) -> int:
    """Edges whose endpoints share a colour."""
    return sum(1 for v in range(len(adj)) for u in adj[v] if u > v and colors[u] == colors[v])


def table(adj: list[set[int]], colors, k: int) -> list[list[int]]:
    """``table[v][c]``: neighbours of ``v`` coloured ``c``."""
    out = [[0] * k for _ in adj]
    for v, nbrs in enumerate(adj):
        for u in nbrs:
            out[v][colors[u]] += 1
    return out


def delta(adj: list[set[int]], colors, v: int, c: int) -> int:
    """Change in conflicts when ``v`` takes colour ``c``, by recounting."""
    moved = list(colors)
    moved[v] = c
    return conflicts(adj, moved) - conflicts(adj, colors)


def conflicting(adj: list[set[int]], colors) -> set[int]:
    return {v for v in range(len(adj)) if any(colors[u] == colors[v] for u in adj[v])}


def greedy(adj: list[set[int]], order) -> list[int]:
    """Each vertex in ``order`` takes the smallest colour no coloured neighbour has."""
    colors = [-1] * len(adj)
    for v in order:
        used = {colors[u] for u in adj[v]}
        c = 0
        while c in used:
            c += 1
        colors[v] = c
    return colors


def is_proper(adj: list[set[int]], colors) -> bool:
    return all(colors[u] != colors[v] for v in range(len(adj)) for u in adj[v])
