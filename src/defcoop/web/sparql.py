"""``/sparql``: the SPARQL 1.1 Protocol, query only, on the in-memory store.

GET ``?query=``, POST a form (``query=``) or POST ``application/sparql-query``;
``default-graph-uri`` and ``named-graph-uri`` as the Protocol defines them; without
them the default graph is the RDF merge of every file (as for `defcoop query`).
SELECT and ASK answer in JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle,
N-Triples, JSON-LD or RDF/XML, by ``Accept``. Refused with 400: SPARQL Update (the
service is read-only) and ``SERVICE`` (the server makes no request of its own).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl
from typing import Any

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from defcoop.graph import rdf_formats
from defcoop.query import params as P
from defcoop.web.conneg import choose
from defcoop.web.problems import Problem

#: media type -> pyoxigraph format, in the order offered when the client does not care
RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPHS = {
    f.media_type: f.for_oxigraph() for f in map(rdf_formats.by_name, ("ttl", "nt", "jsonld", "xml"))
} | {"text/plain": ox.RdfFormat.N_TRIPLES}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"}
MAX_QUERY = 1 << 20  # characters


async def request_parameters(request: Request) -> list[tuple[str, str]]:
    """The Protocol's parameters of a GET or POST, in order (repeats kept)."""
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        parts, size = [], 0
        async for part in request.stream():  # read no more than the limit
            size += len(part)
            if size > MAX_QUERY:
                raise Problem(413, f"the request body is over {MAX_QUERY} bytes")
            parts.append(part)
        body = b"".join(parts)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem(400, "the request body is not UTF-8") from None
        if kind == "application/x-www-form-urlencoded":
            pairs += parse_qsl(text, keep_blank_values=True)
        elif kind == "application/sparql-query":
            pairs.append(("query", text))
        elif kind == "application/sparql-update":
            raise Problem(400, "SPARQL Update is refused: this service is read-only", "update")
        else:
            raise Problem(415, f"POST a form (application/x-www-form-urlencoded) or "
                               f"application/sparql-query, not {kind or 'no Content-Type'}")
    return pairs


def checked_query(pairs: list[tuple[str, str]]) -> tuple[str, list[str], list[str]]:
    """The query text and the dataset IRIs of the request; a 400 naming what is wrong."""
    names = [k for k, _ in pairs]
    if "update" in names:
        raise Problem(400, "SPARQL Update is refused: this service is read-only", "update")
    known = {"query", "default-graph-uri", "named-graph-uri"}
    unknown = [k for k in names if k not in known]
    if unknown:
        raise Problem(400, f"unknown parameter {unknown[0]!r} (known: query, default-graph-uri, "
                           "named-graph-uri)", unknown[0])
    queries = [v for k, v in pairs if k == "query"]
    if len(queries) != 1:
        raise Problem(400, "give exactly one query" if queries else "no query given", "query")
    text = queries[0]
    if len(text) > MAX_QUERY:
        raise Problem(413, f"the query is over {MAX_QUERY} characters", "query")
    words = P.keywords(text)
    if "SERVICE" in words:
        raise Problem(400, "SERVICE is refused: this server sends no request of its own "
                           "(federate on your side)", "query")
    if words & _UPDATE_WORDS:  # none of these words is a keyword of the query language
        raise Problem(400, "SPARQL Update is refused: this service is read-only", "query")
    if P.query_kind(text) is None:
        raise Problem(400, "not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE)", "query")
    defaults = [v for k, v in pairs if k == "default-graph-uri"]
    named = [v for k, v in pairs if k == "named-graph-uri"]
    for name, iris in (("default-graph-uri", defaults), ("named-graph-uri", named)):
        for iri in iris:
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise Problem(400, f"not an IRI: {iri!r}", name) from None
    return text, defaults, named


def evaluate(store: ox.Store, text: str, defaults: list[str], named: list[str], accept: str | None):
    """Run the query and serialise its answer in the media type ``accept`` prefers:
    ``(bytes, media type)``. Runs in a worker thread (the query may take a while)."""
    options: dict[str, Any] = {}
    if defaults:
        options["default_graph"] = [ox.NamedNode(i) for i in defaults]
    if named:
        options["named_graphs"] = [ox.NamedNode(i) for i in named]
    try:
        result = store.query(text, **options)
    except SyntaxError as exc:
        message = " ".join(str(exc.msg or exc).split())
        raise Problem(400, f"SPARQL syntax error: {message}", "query") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise Problem(400, f"the query failed: {' '.join(str(exc).split())}", "query") from None
    if isinstance(result, ox.QueryTriples):
        media = _media(accept, GRAPHS)
        return result.serialize(format=GRAPHS[media]), media
    media = _media(accept, RESULTS)
    return result.serialize(format=RESULTS[media]), media


def _media(accept: str | None, table: dict) -> str:
    """The media type of ``table`` that ``accept`` prefers; 406 if none."""
    media = choose(accept, list(table))
    if media is None:
        raise Problem(406, f"this answer is available as {', '.join(table)}; Accept asked for {accept}")
    return media


def timed(function, *args):
    """``(function(*args), milliseconds)``: run in the worker thread, so the time is the query's."""
    started = time.perf_counter()
    out = function(*args)
    return out, (time.perf_counter() - started) * 1000


async def sparql(request: Request) -> Response:
    store = request.app.state.service.require()
    text, defaults, named = checked_query(await request_parameters(request))
    started = time.perf_counter()
    (data, media), took = await run_in_threadpool(timed, evaluate, store, text, defaults, named,
                                                  request.headers.get("accept"))
    total = (time.perf_counter() - started) * 1000
    # Server-Timing: the query and its serialisation in the worker thread, and with the
    # hand-over to it (benchmarks/serve.py compares the first with raw pyoxigraph)
    timing = f"query;dur={took:.3f}, handler;dur={total:.3f}"
    return Response(data, media_type=media, headers={"Vary": "Accept", "Server-Timing": timing})


routes = [
    Route("/sparql", sparql, methods=["GET", "POST"]),
    # the Oxigraph server's name for it, which the docs and `defcoop query --endpoint` used
    Route("/query", sparql, methods=["GET", "POST"]),
]
