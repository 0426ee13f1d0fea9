"""The scenario descriptor of a colouring instance: what runs are compared and filtered by."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from solvers.coloring._graph import Graph
from solvers.coloring._reference import reference_table


@dataclass(frozen=True)
class ColoringScenario:
    """Sizes and reference value of one colouring instance.

    Args:
        name: instance name.
        vertices: number of vertices.
        edges: number of distinct edges.
        density: ``2|E| / (n (n - 1))``.
        reference: the chromatic number when published (an upper bound ``k`` for planted
            graphs), else ``None``.
        reference_exact: whether ``reference`` is the proven chromatic number.
    """

    name: str
    vertices: int
    edges: int
    density: float
    reference: int | None = None
    reference_exact: bool = False
    family: str = "coloring"

    @classmethod
    def of(cls, graph: Graph, reference: int | None = None, exact: bool = False) -> ColoringScenario:
        """Describe ``graph``. Without a ``reference``, a row of the shipped table with the same
        name, vertex count and edge count supplies the chromatic number."""
        known = reference_table().get(graph.name)
        if reference is None and known is not None and (known.vertices, known.edges) == (graph.n, graph.n_edges):
            reference, exact = known.chromatic_number, known.known_exact
        return cls(graph.name, graph.n, graph.n_edges, round(graph.density, 6), reference, exact)

    def to_dict(self) -> dict:
        return asdict(self)
