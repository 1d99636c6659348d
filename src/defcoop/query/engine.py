"""The embedded engine: the graph in an Oxigraph store (pyoxigraph), queried with SPARQL.

A query without ``GRAPH`` sees the RDF merge of the files, exactly what rdflib's
merged graph (`defcoop.graph.files.load_graph`) holds; with ``GRAPH`` (or ``FROM``)
each file is its own named graph (as in `defcoop.graph.files.load_dataset`).

Two paths, each close to its limit (measured in ``benchmarks/RESULTS.md``):

- **One-shot commands** (`defcoop query`, `export`; `execute` and `load_store`): the
  store of a big graph is read from a content-keyed on-disk cache (`defcoop.cache`)
  when there is one. When there is none, the files are parsed in memory and the
  query is answered from there at once; a detached background process (`write_cache`)
  then writes the cache for the next run. A query that does not need named graphs
  is answered from the files loaded straight into the default graph (one parse, as
  fast as a raw ``Store().load``); the cache and queries with ``GRAPH`` have the named
  graphs too, with the merge materialised (Oxigraph's own "union default graph"
  counts a triple once per graph that holds it: oxigraph/oxigraph#1919, fixed after
  pyoxigraph 0.5). Graphs under `CACHE_MIN_BYTES` are parsed every run: that is as
  fast as opening a cache.
- **Long-lived processes** (the site, notebooks): `in_memory` holds the store in
  memory, where queries run 3-8x faster than on the on-disk cache.

Stores are held per process by content key (`Held`), so a process parses a graph
once whatever it runs. Results (`defcoop.query.results.QueryResult`) keep
pyoxigraph's terms; they become rdflib terms only when a caller reads ``rows``. This
module is the one place that converts between pyoxigraph and rdflib: `to_rdflib`,
`from_rdflib`, `to_rdflib_graph`, `from_rdflib_graph` (oxrdflib's converters are not
used: they give a plain literal the datatype xsd:string, so its rows would not equal
rdflib's, and have no quads or default graph).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import sys
import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from defcoop import cache
from defcoop.digest import file_digest
from defcoop.errors import DataError, DefcoopError
from defcoop.graph import rdf_formats
from defcoop.graph.files import base_iri, default_sources, rdf_format
from defcoop.query import params
from defcoop.query.results import QueryResult

#: bump when the layout of a cached store changes (it is part of the cache key)
ENGINE_VERSION = "3"
#: graphs smaller than this (bytes of source files) are parsed every run, never cached
#: (the project's graph, ~1 MB, parses in ~0.03 s: as fast as opening a cache)
CACHE_MIN_BYTES = 4 << 20

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_STORE_FOLDER = "store"
_DUMP = "quads.nq"
_FULL, _MERGED, _DISK = "full", "merged", "disk"  # what a held store holds, and where
_LONG_LIVED = "in-memory"  # an `InMemory` graph
#: keywords after which a query reads named graphs
_NAMED_GRAPH_WORDS = {"GRAPH", "FROM"}


class Held:
    """The stores a process holds, by content key and form.

    Forms: full (named graphs and their merge, in memory), merged (the merge only, in
    memory), disk (full, an on-disk cache entry) and a long-lived `InMemory` graph. A
    full store also answers what a merged one does. The least recently used beyond
    ``size`` keys are let go.
    """

    def __init__(self, size: int = 4):
        self.size = size
        self._stores: OrderedDict[tuple[str, str], object] = OrderedDict()

    def get(self, key: str, named_graphs: bool | str):
        """The held store for a query with (True) or without (False) named graphs, or
        what is held under a form's name."""
        if isinstance(named_graphs, str):
            forms: tuple[str, ...] = (named_graphs,)
        else:
            forms = (_FULL, _DISK) if named_graphs else (_MERGED, _FULL, _DISK)
        for form in forms:
            store = self._stores.get((key, form))
            if store is not None:
                self._stores.move_to_end((key, form))
                return store
        return None

    def put(self, key: str, form: str, store) -> None:
        self._stores[(key, form)] = store
        self._stores.move_to_end((key, form))
        keys = list(dict.fromkeys(k for k, _ in self._stores))
        for old in keys[: max(0, len(keys) - self.size)]:
            self.drop(old)

    def drop(self, key: str) -> None:
        for form in (_FULL, _MERGED, _DISK, _LONG_LIVED):
            self._stores.pop((key, form), None)

    def clear(self) -> None:
        self._stores.clear()


_held = Held()
#: background cache writers started by this process (`wait_for_cache_writes`)
_writers: list = []


# --------------------------------------------------------------------------- loading


def load_store(sources=None, *, use_cache: bool | None = None, named_graphs: bool = True) -> ox.Store:
    """The store of ``sources`` (default: the project's own) for a one-shot command.

    From the on-disk cache if there is an entry; else parsed in memory (with the named
    graphs only if ``named_graphs``), and the cache written in the background.
    Raises `DataError` naming file and line if a file cannot be parsed.
    """
    sources = _sources(sources)
    key = cache_key(sources)
    store = _held.get(key, named_graphs)
    if store is not None:
        return store
    if use_cache is None:
        use_cache = cache.enabled()
    use_cache = use_cache and _size(sources) >= CACHE_MIN_BYTES
    if use_cache:
        store = _cached_store(key)
        if store is not None:
            _held.put(key, _DISK, store)
            return store
    store = _fill(ox.Store(), sources, named_graphs=named_graphs)
    _held.put(key, _FULL if named_graphs else _MERGED, store)
    if use_cache:
        start_cache_write(key, sources)
    return store


def in_memory(sources=None, *, named_graphs: bool = False) -> InMemory:
    """The graph of ``sources`` held in memory, for a long-lived process (`InMemory`).

    One per process and content; never the on-disk cache, whose queries are slower.
    ``named_graphs``: parse with the named graphs now (else on the first query that
    reads them).
    """
    sources = _sources(sources)
    key = cache_key(sources)
    held = _held.get(key, _LONG_LIVED)
    if held is None:
        held = InMemory(sources, key)
        _held.put(key, _LONG_LIVED, held)
    held.store(named_graphs)
    return held


class InMemory:
    """A graph a long-lived process holds in memory: the site, `info`, a notebook.

    Queries without ``GRAPH`` run on the merge alone (`store()`): on a store that also
    holds the named graphs, Oxigraph's default-graph queries run up to 2x slower (at
    100k triples). The named graphs are parsed on the first query that reads them,
    unless `store(named_graphs=True)` was asked for first, which then serves both.
    """

    def __init__(self, sources, key: str):
        self.sources = list(sources)
        self.key = key
        self._merged: ox.Store | None = None
        self._full: ox.Store | None = None

    def store(self, named_graphs: bool = False) -> ox.Store:
        """The store that answers a query with (or without) named graphs."""
        if named_graphs or (self._merged is None and self._full is not None):
            if self._full is None:
                self._full = _fill(ox.Store(), self.sources, named_graphs=True)
            return self._full
        if self._merged is None:
            self._merged = _fill(ox.Store(), self.sources, named_graphs=False)
        return self._merged

    def __len__(self) -> int:
        """Triples of the merged graph."""
        store = self.store()
        return len(store) if store is self._merged else sum(
            1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def cache_key(sources, digests: list[bytes] | None = None) -> str:
    """The key of a store: engine and pyoxigraph versions, and every file's content."""
    h = hashlib.sha256()
    h.update(f"defcoop-engine {ENGINE_VERSION}; pyoxigraph {ox.__version__}\n".encode())
    for i, source in enumerate(sources):
        fmt = rdf_format(source.path)
        h.update(f"{source.iri}\t{fmt}\t{base_iri(source.path)}\t".encode())
        h.update(digests[i] if digests is not None else file_digest(source.path))
        h.update(b"\n")
    return h.hexdigest()[:40]


def forget() -> None:
    """Drop the stores this process holds (the on-disk cache stays)."""
    _held.clear()
    gc.collect()


@lru_cache(maxsize=256)
def needs_named_graphs(text: str) -> bool:
    """Whether a query reads named graphs (``GRAPH``, ``FROM``, ``FROM NAMED``).

    Memoised by the query's text: a long-lived process asks it of the same queries
    again, and the scan is Python's, ~1 ms for a stored query."""
    return any(
        kind == "word" and text[a:b].upper() in _NAMED_GRAPH_WORDS
        for kind, a, b in params.tokens(text)
    )


def _sources(sources):
    if sources is None:
        return default_sources()
    return list(sources)


def _size(sources) -> int:
    total = 0
    for source in sources:
        try:
            total += os.stat(source.path).st_size
        except OSError:
            pass  # missing: `cache_key` has said so already
    return total


def _cached_store(key: str) -> ox.Store | None:
    path = cache.lookup(key)
    if path is None:
        return None
    store = _open_entry(path)
    if store is None:
        cache.discard(path)
    return store


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


# --------------------------------------------------------------------------- the cache


def start_cache_write(key: str, sources) -> None:
    """Write the cache entry of ``sources`` in a detached, low-priority process.

    The process reads the files again and writes only if their content still has
    ``key`` (`write_cache`); one process per key at a time (`defcoop.cache.claim`).
    ``DEFCOOP_CACHE_WRITE=inline`` writes it here and now instead.
    """
    import subprocess  # only here: a first run of a big graph starts a process, others never

    if cache.lookup(key) is not None or cache.claimed(key):
        return
    payload = json.dumps([[str(s.path), s.iri, s.kind] for s in sources])
    if os.environ.get("DEFCOOP_CACHE_WRITE", "").strip().lower() == "inline":
        write_cache(key, sources)
        return
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "defcoop.query.write_cache", key],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True,
        )
        assert proc.stdin is not None
        proc.stdin.write(payload.encode())
        proc.stdin.close()
    except OSError:
        return  # no process can be started: no cache, the answer stands
    _writers.append(proc)


def wait_for_cache_writes(timeout: float = 600) -> None:
    """Wait for the cache writers this process started (tests, benchmarks)."""
    import subprocess  # only here (see start_cache_write)

    deadline = time.monotonic() + timeout
    while _writers:
        proc = _writers.pop()
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def write_cache(key: str, sources) -> Path | None:
    """Build and publish the cache entry ``key`` of ``sources``; None if the files changed.

    The files are read once; their bytes are checked against ``key`` and parsed, so
    the entry holds exactly the content it is keyed by. The in-memory store is dumped
    as N-Quads (one document: blank nodes stay shared between a named graph and the
    merge) and bulk-loaded into a RocksDB database, then compacted.
    """
    sources = list(sources)
    data = [Path(s.path).read_bytes() for s in sources]
    if cache_key(sources, [hashlib.sha256(d).digest() for d in data]) != key:
        return None
    if not cache.claim(key):
        return None
    try:
        return cache.build(key, lambda folder: _write_entry(folder, sources, data))
    except OSError:
        return None  # the cache folder cannot be written (read-only home, disk full)
    finally:
        cache.release(key)


def _write_entry(folder: Path, sources, data: list[bytes]) -> dict:
    memory = _fill(ox.Store(), sources, named_graphs=True, contents=data)
    quads = len(memory)
    dump = folder / _DUMP
    memory.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    del memory, data
    gc.collect()
    disk = ox.Store(str(folder / _STORE_FOLDER))
    disk.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
    dump.unlink()
    disk.flush()
    # compact into few sorted files: queries read fewer of them (1M triples:
    # 1.3-1.4x faster queries)
    disk.optimize()
    del disk  # closes the database before the folder is published
    gc.collect()
    return {
        "engine": ENGINE_VERSION,
        "pyoxigraph": ox.__version__,
        "quads": quads,
        "sources": [str(s.path) for s in sources],
    }


def _fill(store: ox.Store, sources, *, named_graphs: bool = True, contents=None) -> ox.Store:
    """Parse every source into ``store``: its named graph and the merged default graph.

    Without ``named_graphs`` each file is loaded straight into the default graph (the
    merge is a set: a triple in two files is there once; each load has its own blank
    nodes). With them, into its named graph, and the merge is copied from those (the
    same blank nodes, so ``GRAPH`` patterns join with the default graph).
    ``contents``: the files' bytes, if already read.
    """
    load = store.load
    graphs = []
    for i, source in enumerate(sources):
        path = Path(source.path)
        fmt = rdf_format(path)
        graph = ox.NamedNode(source.iri) if named_graphs else ox.DefaultGraph()
        where = {"path": str(path)} if contents is None else {"input": contents[i]}
        try:
            load(**where, format=rdf_formats.by_rdflib_name(fmt).for_oxigraph(), base_iri=base_iri(path), to_graph=graph)
        except SyntaxError as exc:
            line = exc.lineno if exc.lineno is not None else _line_from_rdflib(path, fmt)
            raise DataError(f"{path}:{line}: cannot parse {fmt}: {_one_line(exc.msg)}") from exc
        except (OSError, ValueError) as exc:
            if isinstance(exc, FileNotFoundError) or not path.exists():
                raise DataError(f"{path}: no such file") from None
            raise DataError(f"{path}: cannot load {fmt}: {_one_line(str(exc))}") from exc
        graphs.append(graph)
    if named_graphs and graphs:
        # one update for all graphs: 2-3x faster than an ADD per graph at 1M triples
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
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


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())[:400]


# --------------------------------------------------------------------------- querying


def execute(text: str, data=None, name: str = "<query>") -> QueryResult:
    """Run a SPARQL query on ``data``: a graph held in memory (`in_memory`), a store,
    or sources (default: the project's), whose store `load_store` gives a one-shot
    command."""
    if isinstance(data, InMemory):
        return run(text, data.store(needs_named_graphs(text)), name=name)
    if isinstance(data, ox.Store):
        return run(text, data, name=name)
    sources = _sources(data)
    named_graphs = needs_named_graphs(text)
    store = load_store(sources, named_graphs=named_graphs)
    try:
        return run(text, store, name=name)
    except (OSError, RuntimeError):
        # the cached database was damaged after it was opened: drop it, parse again
        key = cache_key(sources)
        if _held.get(key, named_graphs) is not store or cache.lookup(key) is None:
            raise
        _held.drop(key)
        cache.discard(cache.directory() / key)
        return run(text, load_store(sources, named_graphs=named_graphs), name=name)


def run(text: str, store: ox.Store, name: str = "<query>") -> QueryResult:
    """Run a SPARQL query on ``store`` (its default graph is the merged graph).

    SELECT rows keep pyoxigraph's terms (`QueryResult.rows` converts them to rdflib's
    on first use); a CONSTRUCT or DESCRIBE graph becomes rdflib's when asked for.
    """
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise DefcoopError(f"{name}: SPARQL syntax error: {_sparql_error(exc, text)}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        width = range(len(variables))
        rows = [tuple(solution[i] for i in width) for solution in result]
        return QueryResult("SELECT", variables=variables, rows=rows, to_rdflib=to_rdflib)
    triples = list(result)
    return QueryResult(
        params.query_kind(text) or "CONSTRUCT", triples=len(set(triples)),
        make_graph=lambda: to_rdflib_graph(triples),
    )


def _sparql_error(exc: SyntaxError, text: str) -> str:
    """One line: line, column, the offending token (`defcoop.query.syntax.describe`)."""
    # imported only on an error: it asks rdflib's parser
    from defcoop.query.syntax import describe

    return describe(exc.msg or str(exc), text)


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
    from defcoop.namespaces import display_prefixes

    if fmt not in _EXPORT_FORMATS:
        raise DefcoopError(f"--format: unknown format {fmt!r} (known: {', '.join(_EXPORT_FORMATS)})")
    prefixes = display_prefixes()
    data = store.dump(
        format=_EXPORT_FORMATS[fmt], from_graph=ox.DefaultGraph(),
        prefixes=None if fmt == "nt" else prefixes,
    )
    assert data is not None  # no output file given: dump returns the bytes
    if fmt == "nt":
        return b"".join(sorted(line for line in data.splitlines(keepends=True) if line.strip()))
    return data
