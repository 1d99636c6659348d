"""What the graph holds: its files, triple counts and instances per class."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

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
