"""The files every validation reads besides the data: the shapes (``ontology/shapes*.ttl``)
and the local declarations of imported vocabularies (``ontology/imports/``); and
`parsed`, the one parse per process and content of a shared file (a file validated
with every document is not parsed once per document)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rdflib import Graph

from defcoop import resources
from defcoop.graph.files import parse_into
from defcoop.validation.memo import ContentCache, digest_files


def import_files() -> list[Path]:
    """The local declarations of the external vocabularies (``ontology/imports/``)."""
    return sorted((resources.root() / "ontology" / "imports").glob("*.ttl"))


def shapes_files() -> list[Path]:
    return sorted((resources.root() / "ontology").glob("shapes*.ttl"))


_PARSED: ContentCache[Graph] = ContentCache(size=64)


def parsed(paths: Iterable[Path]) -> Graph:
    """The files parsed into one graph, once per process and content of the files; the
    caller only reads it. A file that does not parse raises `DataError` naming it."""
    paths = list(paths)

    def parse() -> Graph:
        g = Graph()
        for path in paths:
            parse_into(g, path)
        return g

    return _PARSED.get(digest_files(paths), parse)


def add_parsed(graph: Graph, path: Path) -> None:
    """``parse_into(graph, path)``, from the copy `parsed` keeps."""
    g = parsed([path])
    for prefix, ns in g.namespaces():
        graph.bind(prefix, ns, override=False)
    add = graph.add
    for t in g:
        add(t)
