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


MASK = (1 << 64) - 1
MULT = 0x2545F4914F6CDD1D


def rand_below(state: list[int], n: int) -> int:
    """The xorshift64* draw of `solvers._rng.rand_below` on a one-element list of int."""
    x = state[0]
    x ^= x >> 12
    x ^= (x << 25) & MASK
    x ^= x >> 27
    state[0] = x
    return int(((x * MULT) & MASK) >> 11) * (1.0 / 9007199254740992.0) * n // 1


def best_move(colors, table, conf_list, conflicts: int, best: int, it: int, tabu, candidates: int,
              aspiration: bool, state: list[int]) -> tuple[int, int, int, int]:
    """Tabucol's scan as in `solvers.coloring._tabu_kernel.best_move`: ``(v, c, delta, evaluated)``."""
    k = len(table[0])
    n_conf = len(conf_list)
    sample = 0 < candidates < n_conf
    best_v, best_c, best_d, ties, evaluated = -1, -1, 1 << 40, 0, 0
    for i in range(candidates if sample else n_conf):
        v = conf_list[int(rand_below(state, n_conf))] if sample else conf_list[i]
        row, cv = table[v], colors[v]
        own = row[cv]
        for c in range(k):
            if c == cv:
                continue
            d = row[c] - own
            evaluated += 1
            if tabu[v][c] > it and not (aspiration and conflicts + d < best):
                continue
            if d < best_d:
                best_v, best_c, best_d, ties = v, c, d, 1
            elif d == best_d:
                ties += 1
                if rand_below(state, ties) == 0:
                    best_v, best_c = v, c
    return best_v, best_c, best_d, evaluated
