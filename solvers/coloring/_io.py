"""DIMACS ``.col`` graph files: 1-based vertex ids in the file, 0-based in :class:`Graph`.

The format: ``c`` comment lines, one problem line ``p edge N M`` (``p col`` also seen), then
``e U V`` edge lines. Classic files list each edge twice (``e 1 2`` and ``e 2 1``) and so
declare ``2|E|`` in the header; the reader keeps each edge once and does not trust ``M``.
"""

from __future__ import annotations

from pathlib import Path

from solvers.coloring._graph import Graph

_FORMATS = ("edge", "col", "edges")


def parse_col(text: str, name: str = "graph") -> Graph:
    """Parse the text of a DIMACS ``.col`` file.

    Example:
        >>> parse_col("c triangle\\np edge 3 3\\ne 1 2\\ne 2 3\\ne 3 1\\n").n_edges
        3

    Args:
        text: the file's contents.
        name: the graph's name.
    """
    n = None
    edges = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if not fields or fields[0] == "c":
            continue
        tag = fields[0]
        if tag == "p":
            if n is not None or len(fields) < 3 or fields[1] not in _FORMATS:
                raise ValueError(f"line {lineno}: expected one 'p edge N M' line but got {raw!r}.")
            n = int(fields[2])
        elif tag == "e":
            if n is None or len(fields) < 3:
                raise ValueError(f"line {lineno}: edge line {raw!r} before the 'p' line or malformed.")
            u, v = int(fields[1]), int(fields[2])
            if not (1 <= u <= n and 1 <= v <= n):
                raise ValueError(f"line {lineno}: vertex ids must lie in 1..{n} but got {raw!r}.")
            edges.append((u - 1, v - 1))
        # other line kinds (n: vertex weights, x, d) carry nothing for colouring
    if n is None:
        raise ValueError("no 'p edge N M' line found.")
    return Graph.from_edges(n, edges, name=name)


def read_col(path: str | Path) -> Graph:
    """Read a DIMACS ``.col`` file; the graph is named after the file's stem."""
    path = Path(path)
    return parse_col(path.read_text(), name=path.stem)


def format_col(graph: Graph, comment: str | None = None) -> str:
    """The DIMACS text of ``graph``, each edge once (``u < v``), 1-based."""
    lines = [f"c {line}" for line in (comment or f"{graph.name}").splitlines()]
    lines.append(f"p edge {graph.n} {graph.n_edges}")
    lines.extend(f"e {u + 1} {v + 1}" for u, v in graph.edges().tolist())
    return "\n".join(lines) + "\n"


def write_col(graph: Graph, path: str | Path, comment: str | None = None) -> Path:
    """Write ``graph`` as a DIMACS ``.col`` file and return the path."""
    path = Path(path)
    path.write_text(format_col(graph, comment))
    return path
