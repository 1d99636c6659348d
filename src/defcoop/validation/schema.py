"""The files every validation reads besides the data: the shapes (``ontology/shapes*.ttl``)
and the local declarations of imported vocabularies (``ontology/imports/``); and
`parsed`, the one parse per process and content of a shared file (a file validated
with every document is not parsed once per document)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph

from defcoop import resources
from defcoop.graph.files import base_iri, parse_into, rdf_format
from defcoop.query.engine import from_rdflib, to_rdflib
from defcoop.validation.memo import ContentCache, digest_files


def import_files() -> list[Path]:
    """The local declarations of the external vocabularies (``ontology/imports/``)."""
    return sorted((resources.root() / "ontology" / "imports").glob("*.ttl"))


def shapes_files() -> list[Path]:
    return sorted((resources.root() / "ontology").glob("shapes*.ttl"))


@dataclass(frozen=True)
class OxCopy:
    """Triples as pyoxigraph quads of the default graph, with the way back: ``back`` maps
    each pyoxigraph term to the rdflib term it stands for (the compiled engine's store
    holds the quads; what its queries return goes back through ``back``)."""

    quads: list
    back: dict

    @classmethod
    def of(cls, triples: Iterable[tuple]) -> OxCopy:
        """The copy of rdflib triples, each term converted once (`engine.from_rdflib`)."""
        default = ox.DefaultGraph()
        back: dict = {}
        memo: dict = {}
        quads = []
        for t in triples:
            parts = []
            for x in t:
                y = memo.get(x)
                if y is None:
                    y = memo[x] = from_rdflib(x)
                    back.setdefault(y, x)
                parts.append(y)
            quads.append(ox.Quad(parts[0], parts[1], parts[2], default))
        return cls(quads, back)

    @classmethod
    def union(cls, parts: Iterable[OxCopy]) -> OxCopy:
        """One copy of several (a term's first rdflib term wins, as in `of`)."""
        quads: list = []
        back: dict = {}
        for part in parts:
            quads += part.quads
            for y, x in part.back.items():
                back.setdefault(y, x)
        return cls(quads, back)


@dataclass(frozen=True)
class Parsed:
    """One file parsed once: its triples as rdflib terms (the checks read them), the
    prefixes it declares (in its order) and the same triples for Oxigraph (`OxCopy`)."""

    triples: list
    prefixes: list
    copy: OxCopy


_PARSED: ContentCache[Graph] = ContentCache(size=64)
_FILES: ContentCache[Parsed] = ContentCache(size=64)


def graph() -> Graph:
    """An empty graph for validation's own use: rdflib's store without contexts (a plain
    graph needs none), which adds and iterates triples ~40 % faster than the default."""
    return Graph(store="SimpleMemory")


def parsed(paths: Iterable[Path]) -> Graph:
    """The files parsed into one graph, once per process and content of the files; the
    caller only reads it. A file that does not parse raises `DataError` naming it."""
    paths = list(paths)

    def parse_all() -> Graph:
        g = graph()
        for path in paths:
            read_into(g, path)
        return g

    return _PARSED.get(digest_files(paths), parse_all)


def parsed_file(path: Path) -> Parsed:
    """`parse` of a shared file, once per process and content of the file; the caller only reads it."""
    return _FILES.get(digest_files([path]), lambda: parse(path))


def bind(graph: Graph, parsed: Parsed) -> None:
    """The prefixes of a parsed file bound in ``graph`` (its own prefixes kept)."""
    for prefix, ns in parsed.prefixes:
        graph.bind(prefix, ns, override=False)


def add(graph: Graph, parsed: Parsed) -> None:
    """The triples and prefixes of a parsed file added to ``graph`` (its own prefixes kept)."""
    bind(graph, parsed)
    add_triple = graph.add
    for t in parsed.triples:
        add_triple(t)


#: the formats `parse` parses with pyoxigraph (rdflib's names)
_OXIGRAPH = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "ntriples": ox.RdfFormat.N_TRIPLES}
#: a language tag with a capital letter: Oxigraph writes tags in lower case, rdflib as written
_CAPITAL_TAG = re.compile(rb"[\"']@[A-Za-z0-9-]*[A-Z]")
_PREFIX_AT = re.compile(rb"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:", re.I)


def read_into(graph: Graph, path: Path) -> None:
    """`defcoop.graph.files.parse_into`, with pyoxigraph's parser (`parse`)."""
    add(graph, parse(path))


def parse(path: Path, cache: TermCache | None = None) -> Parsed:
    """A file as `defcoop.graph.files.parse_into` reads it, with pyoxigraph's parser
    (about twice as fast): the same triples (literals made by rdflib's own constructor,
    so normalised as rdflib's parser does; fresh blank nodes) and the same prefixes, in
    the order the file declares them. Any other format, a file Oxigraph refuses (whose
    error ``parse_into`` then names) or a language tag with capitals goes to rdflib.

    The Oxigraph copy holds the parsed terms where rdflib kept them as written, else
    the conversion of rdflib's (`OxCopy.of`): the terms the store would get from the
    rdflib triples. IRIs and literals are converted once per ``cache`` (default: the
    process's `TERMS`); blank nodes once per file."""
    fmt = _OXIGRAPH.get(rdf_format(path)) if path.is_file() else None
    try:
        data = path.read_bytes() if fmt is not None else b""
    except OSError:
        fmt = None
    if fmt is None or _CAPITAL_TAG.search(data):
        return _rdflib_parse(path)
    triples = []
    quads = []
    back: dict = {}
    terms: dict = {}  # parsed term -> (rdflib term, Oxigraph term), in this file
    shared = TERMS if cache is None else cache
    default = ox.DefaultGraph()
    try:
        parser = ox.parse(data, format=fmt, base_iri=base_iri(path))
        for q in parser:
            triple = []
            copy = []
            for x in (q.subject, q.predicate, q.object):
                pair = terms.get(x)
                if pair is None:
                    if isinstance(x, ox.BlankNode):  # fresh, as rdflib's parser makes them: labels are per file
                        y = BNode()
                        pair = (y, from_rdflib(y))
                    else:
                        pair = shared.pair(x)
                    terms[x] = pair
                    back.setdefault(pair[1], pair[0])
                triple.append(pair[0])
                copy.append(pair[1])
            triples.append(tuple(triple))
            quads.append(ox.Quad(copy[0], copy[1], copy[2], default))
        prefixes = parser.prefixes
    except (SyntaxError, ValueError, OSError):
        return _rdflib_parse(path)
    order = {m.group(1).decode() if m.group(1) else "": m.start() for m in reversed(list(_PREFIX_AT.finditer(data)))}
    ordered = [(p, prefixes[p]) for p in sorted(prefixes, key=lambda p: order.get(p, len(data)))]
    return Parsed(triples, ordered, OxCopy(quads, back))


def _rdflib_parse(path: Path) -> Parsed:
    """`parse_into`, into a default graph (rdflib's JSON-LD, TriG and N-Quads parsers
    need one), as a `Parsed`."""
    read: Graph = Graph()
    parse_into(read, path)
    triples = list(read)
    return Parsed(triples, list(read.namespaces()), OxCopy.of(triples))


class TermCache:
    """Parsed IRIs and literals with their rdflib term and the term the Oxigraph store
    gets (see `parse`), each converted once: documents share most of their predicates,
    classes, reference nodes and many values. Keyed by the term (its content); emptied
    when it holds ``size`` terms."""

    def __init__(self, size: int = 200_000):
        self.size = size
        self._pairs: dict = {}

    def pair(self, x) -> tuple:
        found = self._pairs.get(x)
        if found is None:
            y = to_rdflib(x)
            # a literal rdflib normalised goes to the store as rdflib has it
            z = from_rdflib(y) if isinstance(x, ox.Literal) and str(y) != x.value else x
            if len(self._pairs) >= self.size:
                self._pairs.clear()
            found = self._pairs[x] = (y, z)
        return found


#: the process's `TermCache`
TERMS = TermCache()
