"""The files every validation reads besides the data: the shapes (``ontology/shapes*.ttl``)
and the local declarations of imported vocabularies (``ontology/imports/``); and
`parsed`, the one parse per process and content of a shared file (a file validated
with every document is not parsed once per document)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph

from defcoop import resources
from defcoop.graph.files import base_iri, parse_into, rdf_format
from defcoop.query.engine import to_rdflib
from defcoop.validation.memo import ContentCache, digest_files


def import_files() -> list[Path]:
    """The local declarations of the external vocabularies (``ontology/imports/``)."""
    return sorted((resources.root() / "ontology" / "imports").glob("*.ttl"))


def shapes_files() -> list[Path]:
    return sorted((resources.root() / "ontology").glob("shapes*.ttl"))


_PARSED: ContentCache[Graph] = ContentCache(size=64)


def graph() -> Graph:
    """An empty graph for validation's own use: rdflib's store without contexts (a plain
    graph needs none), which adds and iterates triples ~40 % faster than the default."""
    return Graph(store="SimpleMemory")


def parsed(paths: Iterable[Path]) -> Graph:
    """The files parsed into one graph, once per process and content of the files; the
    caller only reads it. A file that does not parse raises `DataError` naming it."""
    paths = list(paths)

    def parse() -> Graph:
        g = graph()
        for path in paths:
            read_into(g, path)
        return g

    return _PARSED.get(digest_files(paths), parse)


def add_parsed(graph: Graph, path: Path) -> None:
    """``parse_into(graph, path)``, from the copy `parsed` keeps."""
    _copy_into(graph, parsed([path]))


def _copy_into(graph: Graph, source: Graph) -> None:
    """The triples and prefixes of ``source`` added to ``graph`` (its own prefixes kept)."""
    for prefix, ns in source.namespaces():
        graph.bind(prefix, ns, override=False)
    add = graph.add
    for t in source:
        add(t)


#: the formats `read_into` parses with pyoxigraph (rdflib's names)
_OXIGRAPH = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "ntriples": ox.RdfFormat.N_TRIPLES}
#: a language tag with a capital letter: Oxigraph writes tags in lower case, rdflib as written
_CAPITAL_TAG = re.compile(rb"[\"']@[A-Za-z0-9-]*[A-Z]")
_PREFIX_AT = re.compile(rb"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:", re.I)


def read_into(graph: Graph, path: Path) -> None:
    """`defcoop.graph.files.parse_into`, with pyoxigraph's parser (about twice as fast):
    the same triples (literals made by rdflib's own constructor, so normalised as
    rdflib's parser does; fresh blank nodes) and the same prefixes bound, in the order
    the file declares them. Any other format, a file Oxigraph refuses (whose error
    ``parse_into`` then names) or a language tag with capitals goes to rdflib."""
    fmt = _OXIGRAPH.get(rdf_format(path)) if path.is_file() else None
    try:
        data = path.read_bytes() if fmt is not None else b""
    except OSError:
        fmt = None
    if fmt is None or _CAPITAL_TAG.search(data):
        return _rdflib_into(graph, path)
    triples = []
    terms: dict = {}
    try:
        parser = ox.parse(data, format=fmt, base_iri=base_iri(path))
        for q in parser:
            triple = []
            for x in (q.subject, q.predicate, q.object):
                y = terms.get(x)
                if y is None:
                    y = terms[x] = _term(x)
                triple.append(y)
            triples.append(tuple(triple))
        prefixes = parser.prefixes
    except (SyntaxError, ValueError, OSError):
        return _rdflib_into(graph, path)
    order = {m.group(1).decode() if m.group(1) else "": m.start() for m in reversed(list(_PREFIX_AT.finditer(data)))}
    add = graph.add
    for t in triples:
        add(t)
    for prefix in sorted(prefixes, key=lambda p: order.get(p, len(data))):
        graph.bind(prefix, prefixes[prefix])


def _rdflib_into(graph: Graph, path: Path) -> None:
    """`parse_into`, also into a graph whose store keeps no contexts (`graph()`): rdflib's
    JSON-LD, TriG and N-Quads parsers need one, so they read into a default graph first."""
    if graph.store.context_aware:
        return parse_into(graph, path)
    read: Graph = Graph()
    parse_into(read, path)
    _copy_into(graph, read)


def _term(x):
    """The rdflib term of a parsed term (`engine.to_rdflib`); a blank node fresh, as
    rdflib's parser makes them: labels are per file."""
    return BNode() if isinstance(x, ox.BlankNode) else to_rdflib(x)
