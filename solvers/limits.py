"""Size limits on generated instances, checked before anything is allocated.

A typo such as `flowshop:random:5000000x100` or `gnp:10000000:0.5` would otherwise ask for
gigabytes and end in a MemoryError; these caps refuse it with the limit named.
"""

from __future__ import annotations

from solvers.errors import ProblemError

MAX_JOBS = 20_000
MAX_MACHINES = 1_000
MAX_FLOWSHOP_CELLS = 2_000_000  # jobs x machines processing times
MAX_VERTICES = 20_000
MAX_EDGES = 5_000_000  # expected edges of a random graph, or edges of a construction


def check_flowshop_size(jobs: int, machines: int, what: str) -> None:
    if jobs > MAX_JOBS or machines > MAX_MACHINES or jobs * machines > MAX_FLOWSHOP_CELLS:
        raise ProblemError(
            f"{what}: {jobs} jobs x {machines} machines is too large (at most {MAX_JOBS} jobs, {MAX_MACHINES} "
            f"machines and {MAX_FLOWSHOP_CELLS:,} processing times)")


def check_graph_size(vertices: int, edges: float, what: str) -> None:
    if vertices > MAX_VERTICES or edges > MAX_EDGES:
        raise ProblemError(
            f"{what}: {vertices} vertices and about {int(edges):,} edges is too large (at most {MAX_VERTICES} "
            f"vertices and {MAX_EDGES:,} edges)")
