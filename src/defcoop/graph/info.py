"""What the graph holds: its files, triple counts and instances per class."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from defcoop import resources
from defcoop.graph.files import Source, load_graph, parse_into


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
    files = []
    for s in sources:
        g = Graph()
        parse_into(g, s.path)
        files.append(FileInfo(str(s.path), s.kind, str(s.graph), len(g)))
    graph = load_graph(sources)
    rows = graph.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } "
        "GROUP BY ?class ORDER BY DESC(?n) ?class"
    )
    nm = graph.namespace_manager
    classes = [(row[0].n3(nm), int(row[1])) for row in rows]
    return GraphInfo(files=files, triples=len(graph), classes=classes)


def shown_path(path: Path) -> str:
    """``path`` as a person reads it: relative to the project folder if it is in it, else
    to the current folder if it is below it, else as it is."""
    path = Path(path)
    absolute = path.resolve()
    for base in (resources.root().resolve(), Path.cwd().resolve()):
        if absolute.is_relative_to(base):
            return absolute.relative_to(base).as_posix()
    return os.fspath(path)
