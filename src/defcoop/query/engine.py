"""The embedded engine: the graph in an Oxigraph store (pyoxigraph), queried with SPARQL.

Each source file is parsed by Oxigraph into its own named graph (as in
`defcoop.graph.files.load_dataset`), and the default graph holds their RDF merge, so that a
query without ``GRAPH`` sees exactly what rdflib's merged graph (`load_graph`) holds.
(The merge is materialised rather than asked for with Oxigraph's "union default
graph", which in pyoxigraph 0.5 counts a triple once per graph that holds it:
oxigraph/oxigraph#1919.)

The parsed, indexed store is cached on disk (`defcoop.cache`), keyed by the content
of the source files and the engine version, so a second run does not parse again.

Results come back as `defcoop.query.results.QueryResult` with rdflib terms, so the code that
formats them does not care which engine ran. This module is the one place that
converts between pyoxigraph and rdflib: `to_rdflib`, `from_rdflib`, `to_rdflib_graph`,
`from_rdflib_graph`.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import re
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from defcoop import cache
from defcoop.errors import DataError, DefcoopError
from defcoop.query.results import QueryResult

#: bump when the layout of a cached store changes (it is part of the cache key)
ENGINE_VERSION = "2"

_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "n3": ox.RdfFormat.N3,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_STORE_FOLDER = "store"
_MEMO_SIZE = 4
#: quads given to Oxigraph's bulk loader at a time when writing the cache
_WRITE_PART = 250_000

#: stores opened in this process, by cache key (a store is read-only once built)
_memo: dict[str, ox.Store] = {}


# --------------------------------------------------------------------------- loading


def load_store(sources=None, *, use_cache: bool | None = None) -> ox.Store:
    """The store of ``sources`` (default: the project's own), from the cache if it can.

    Raises `DataError` naming file and line if a file cannot be parsed.
    """
    sources = _sources(sources)
    key = cache_key(sources)
    store = _memo.get(key)
    if store is not None:
        return store
    if use_cache is None:
        use_cache = cache.enabled()
    store = _cached_store(key, sources) if use_cache else _fill(ox.Store(), sources)
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    _memo[key] = store
    return store


def cache_key(sources) -> str:
    """The key of a store: engine and pyoxigraph versions, and every file's content."""
    h = hashlib.sha256()
    h.update(f"defcoop-engine {ENGINE_VERSION}; pyoxigraph {ox.__version__}\n".encode())
    for source in sources:
        fmt = _format_name(source.path)
        h.update(f"{source.graph}\t{fmt}\t{_base_iri(source.path)}\t".encode())
        h.update(_digest(source.path))
        h.update(b"\n")
    return h.hexdigest()[:40]


def forget() -> None:
    """Drop the stores this process holds open (the on-disk cache stays)."""
    _memo.clear()
    gc.collect()


def _sources(sources):
    if sources is None:
        from defcoop.graph.files import default_sources

        return default_sources()
    return list(sources)


def _cached_store(key: str, sources) -> ox.Store:
    path = cache.lookup(key)
    if path is not None:
        store = _open_entry(path)
        if store is not None:
            return store
        cache.discard(path)
    store = _fill(ox.Store(), sources)  # parse errors surface here, before any writing
    try:
        cache.build(key, lambda folder: _write_entry(folder, store, sources))
    except OSError:
        pass  # the cache folder cannot be written (read-only home, disk full): no cache
    return store


def _write_entry(folder: Path, store: ox.Store, sources) -> dict:
    """Copy the parsed in-memory store into an on-disk database in ``folder``."""
    disk = ox.Store(str(folder / _STORE_FOLDER))
    # sorted runs written straight to the database files, in parts: the bulk loader
    # holds what it is given in memory (1M triples in one part: 2.1 GB at peak; in
    # parts of _WRITE_PART quads: 1.0 GB, for a few seconds more)
    rest = iter(store)
    while part := list(itertools.islice(rest, _WRITE_PART)):
        disk.bulk_extend(part)
    disk.flush()
    # compact the parts into few sorted files: queries read fewer of them (1M triples:
    # 1.3-1.4x faster queries for 3 s more at the first run)
    disk.optimize()
    quads = len(store)
    del disk  # closes the database before the folder is published
    gc.collect()
    return {
        "engine": ENGINE_VERSION,
        "pyoxigraph": ox.__version__,
        "quads": quads,
        "sources": [str(s.path) for s in sources],
    }


def _open_entry(path: Path) -> ox.Store | None:
    """A published entry opened read-only, or None if it is damaged."""
    expected = cache.metadata(path).get("quads")
    try:
        store = ox.Store.read_only(str(path / _STORE_FOLDER))
        # cheap integrity check: the named graphs are listed from the index
        graphs = sum(1 for _ in store.named_graphs())
    except (OSError, ValueError, RuntimeError):
        return None
    if not isinstance(expected, int) or (expected > 0 and graphs == 0):
        return None
    return store


def _fill(store: ox.Store, sources) -> ox.Store:
    """Parse every source into its named graph, then merge them into the default graph."""
    load = store.load
    graphs = []
    for source in sources:
        path = Path(source.path)
        fmt = _format_name(path)
        graph = ox.NamedNode(str(source.graph))
        try:
            load(path=str(path), format=_OX_FORMATS[fmt], base_iri=_base_iri(path), to_graph=graph)
        except SyntaxError as exc:
            line = exc.lineno if exc.lineno is not None else _line_from_rdflib(path, fmt)
            raise DataError(f"{path}:{line}: cannot parse {fmt}: {_one_line(exc.msg)}") from exc
        except (OSError, ValueError) as exc:
            raise DataError(f"{path}: cannot load {fmt}: {_one_line(str(exc))}") from exc
        graphs.append(graph)
    # the default graph is the RDF merge of the files (a set: shared triples once);
    # the same blank nodes as in the named graphs, so GRAPH patterns join with it
    for graph in dict.fromkeys(graphs):
        store.update(f"ADD <{graph.value}> TO DEFAULT")
    return store


def _line_from_rdflib(path: Path, fmt: str):
    """The line of an error Oxigraph reported without a position (its RDF/XML parser)."""
    from rdflib import Graph

    try:
        Graph().parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many kinds; only the position matters here
        getter = getattr(exc, "getLineNumber", None)  # xml.sax.SAXParseException
        if callable(getter):
            return getter()
        m = re.search(r"line (\d+)|:(\d+):\d+:", str(exc))
        if m:
            return m.group(1) or m.group(2)
    return "?"


def _format_name(path: Path) -> str:
    from defcoop.graph.files import rdf_format

    return rdf_format(Path(path))


def _base_iri(path: Path) -> str:
    return Path(path).resolve().as_uri()


def _digest(path: Path) -> bytes:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not an RDF file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    return h.digest()


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())[:400]


# --------------------------------------------------------------------------- querying


def execute(text: str, sources=None, name: str = "<query>"):
    """Run a SPARQL query on the store of ``sources``; a `defcoop.query.results.QueryResult`."""
    sources = _sources(sources)
    store = load_store(sources)
    try:
        return run(text, store, name=name)
    except (OSError, RuntimeError):
        # the cached database was damaged after it was opened: rebuild it once
        if not cache.enabled():
            raise
        key = cache_key(sources)
        _memo.pop(key, None)
        cache.discard(cache.directory() / key)
        return run(text, load_store(sources), name=name)


def run(text: str, store: ox.Store, name: str = "<query>"):
    """Run a SPARQL query on ``store`` (its default graph is the merged graph)."""
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise DefcoopError(f"{name}: SPARQL syntax error: {_sparql_error(exc, text)}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        width = range(len(variables))
        seen: dict = {}  # terms repeat across rows: convert each once

        def term(t):
            if t is None:
                return None
            converted = seen.get(t)
            if converted is None:
                converted = seen[t] = to_rdflib(t)
            return converted

        rows = [tuple(term(solution[i]) for i in width) for solution in result]
        return QueryResult("SELECT", variables=variables, rows=rows)
    return QueryResult(_graph_form(text), graph=to_rdflib_graph(result))


def _sparql_error(exc: SyntaxError, text: str) -> str:
    """One line: line, column, the offending token (`defcoop.query.syntax.describe`)."""
    # imported only on an error: it asks rdflib's parser
    from defcoop.query.syntax import describe

    return describe(exc.msg or str(exc), text)


def _graph_form(text: str) -> str:
    """CONSTRUCT or DESCRIBE (pyoxigraph gives triples for both)."""
    text = re.sub(r"<[^<>\"{}|^`\\\s]*>", "<>", text)  # IRIs may hold '#' and keywords
    text = re.sub(r"'''.*?'''|\"\"\".*?\"\"\"|'[^'\n]*'|\"[^\"\n]*\"", '""', text, flags=re.S)
    text = re.sub(r"#[^\n]*", "", text)
    m = re.search(r"\b(CONSTRUCT|DESCRIBE)\b", text, re.I)
    return m.group(1).upper() if m else "CONSTRUCT"


# --------------------------------------------------------------------------- conversion


def to_rdflib(term):
    """A pyoxigraph term, triple or quad as rdflib's (None stays None).

    Plain literals come back without a datatype (as rdflib parses them); Oxigraph
    keeps language tags in lower case, so they come back in lower case.
    """
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):
        return (to_rdflib(term.subject), to_rdflib(term.predicate), to_rdflib(term.object))
    if isinstance(term, ox.Quad):
        graph = term.graph_name
        return (
            to_rdflib(term.subject),
            to_rdflib(term.predicate),
            to_rdflib(term.object),
            None if isinstance(graph, ox.DefaultGraph) else to_rdflib(graph),
        )
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"cannot convert {type(term).__name__} to rdflib")


def from_rdflib(term):
    """An rdflib term or triple/quad tuple as pyoxigraph's (a 4-tuple gives a Quad)."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, tuple):
        parts = [from_rdflib(t) for t in term]
        if len(parts) == 3:
            return ox.Triple(*parts)
        if len(parts) == 4:
            s, p, o, g = parts
            return ox.Quad(s, p, o, ox.DefaultGraph() if g is None else g)
        raise TypeError(f"cannot convert a {len(parts)}-tuple to pyoxigraph")
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) not in (_XSD_STRING, _RDF_LANGSTRING):
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {type(term).__name__} to pyoxigraph")


def to_rdflib_graph(triples: Iterable | ox.Store, prefixes: dict | None = None):
    """An rdflib Graph of pyoxigraph triples, or of a store's default (merged) graph."""
    from rdflib import Graph

    from defcoop.namespaces import PREFIXES

    if isinstance(triples, ox.Store):
        triples = triples.quads_for_pattern(None, None, None, ox.DefaultGraph())
    graph = Graph()
    for prefix, namespace in (prefixes or PREFIXES).items():
        graph.bind(prefix, namespace)
    add = graph.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def from_rdflib_graph(graph, store: ox.Store | None = None, graph_name=None) -> ox.Store:
    """An rdflib Graph's triples added to ``store`` (a new in-memory one by default)."""
    store = ox.Store() if store is None else store
    name = ox.DefaultGraph() if graph_name is None else from_rdflib(graph_name)
    store.extend(
        ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), name) for s, p, o in graph
    )
    return store


# --------------------------------------------------------------------------- export

_EXPORT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def serialize(store: ox.Store, fmt: str) -> bytes:
    """The merged graph (the default graph) of ``store`` in ``fmt`` (ttl, nt, xml, jsonld).

    N-Triples come sorted, so that exports diff cleanly (as `defcoop.graph.export` does).
    """
    from defcoop.namespaces import PREFIXES

    if fmt not in _EXPORT_FORMATS:
        raise DefcoopError(f"--format: unknown format {fmt!r} (known: {', '.join(_EXPORT_FORMATS)})")
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    data = store.dump(
        format=_EXPORT_FORMATS[fmt], from_graph=ox.DefaultGraph(),
        prefixes=None if fmt == "nt" else prefixes,
    )
    if fmt == "nt":
        return b"".join(sorted(line for line in data.splitlines(keepends=True) if line.strip()))
    return data
