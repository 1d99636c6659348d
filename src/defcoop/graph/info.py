"""What the graph holds: its files, triple counts and instances per class.

Read from the embedded engine's store, parsed once (`defcoop.query.engine.in_memory`):
each file is its named graph, and the default graph is their merge.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from defcoop.graph.files import Source
from defcoop.query.formats import human

from defcoop import resources

_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_MERGED = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_CLASSES = (
    "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } "
    "GROUP BY ?class ORDER BY DESC(?n) ?class"
)


@dataclass
class FileInfo:
    path: str
    kind: str
    graph: str
    triples: int


@dataclass
class GraphInfo:
    files: list[FileInfo]
    triples: int
    classes: list[tuple[str, int]]  # (class, number of instances), most first


def describe(sources: list[Source]) -> GraphInfo:
    from defcoop.query import engine  # the embedded engine (pyoxigraph)
    from defcoop.query.runner import execute

    store = engine.in_memory(sources, named_graphs=True)  # one parse answers all three
    per_graph = {g.value: int(n.value) for g, n in execute(_PER_GRAPH, store, name="info").terms}
    files = [FileInfo(str(s.path), s.kind, s.iri, per_graph.get(s.iri, 0)) for s in sources]
    (total,) = execute(_MERGED, store, name="info").terms[0]
    classes = [(human(c), int(n.value)) for c, n in execute(_CLASSES, store, name="info").terms]
    return GraphInfo(files=files, triples=int(total.value), classes=classes)


def shown_path(path: Path) -> str:
    """``path`` as a person reads it: relative to the project folder if it is in it, else
    to the current folder if it is below it, else as it is."""
    path = Path(path)
    absolute = path.resolve()
    for base in (resources.root().resolve(), Path.cwd().resolve()):
        if absolute.is_relative_to(base):
            return absolute.relative_to(base).as_posix()
    return os.fspath(path)
