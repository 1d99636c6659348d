"""Reading what a remote SPARQL 1.1 endpoint answers to a query.

`remote` sends the query through the one SPARQL HTTP client
(`defcoop.stores.client.Store`: its credential rule, timeout and error messages)
and reads the answer as the same `defcoop.query.results.QueryResult` (rdflib
terms) as the embedded engine gives, so it prints the same way. An answer that
is not SPARQL results (an HTML page, say) is one line naming the endpoint (a
`StoreError`, exit 2), like every failure on the way.

Quirks handled here: Virtuoso writes ``"type": "typed-literal"`` in SPARQL JSON
results (a SPARQL 1.0 leftover) and may state ``xsd:string`` explicitly; both are
read as the plain literals every other store returns.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef

from defcoop.query.params import query_kind
from defcoop.query.results import QueryResult
from defcoop.stores.client import JSON_RESULTS, Credentials, Store, StoreError, read_json, redact

DEFAULT_TIMEOUT = 30.0

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "text/n3": "n3",
}
_GRAPH_ACCEPT = "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.5"


def remote(text: str, url: str, timeout: float = DEFAULT_TIMEOUT, name: str = "<query>",
           credentials: Credentials | None = None) -> QueryResult:
    """Run ``text`` on the endpoint at ``url``; the answer as a `QueryResult`.

    ``credentials`` are sent only if the endpoint asks (`defcoop.stores.client`).
    """
    kind = query_kind(text) or "SELECT"
    store = Store(url, credentials=credentials, timeout=timeout, retries=0)
    accept = JSON_RESULTS if kind in ("SELECT", "ASK") else _GRAPH_ACCEPT
    content_type, body = store.query(text, accept)
    if kind in ("SELECT", "ASK"):
        return parse_json_results(body, url, content_type)
    return _parse_graph(body, url, content_type)


def _not_sparql(url: str, content_type: str, body: bytes, what: str) -> StoreError:
    start = " ".join(body[:120].decode("utf-8", "replace").split())
    return StoreError(
        f"{redact(url)}: the answer is not {what} (Content-Type {content_type or 'none'}): {start!r}"
    )


def parse_json_results(body: bytes, url: str = "<endpoint>", content_type: str = "") -> QueryResult:
    """SPARQL 1.1 JSON results (with Virtuoso's dialect) as a `QueryResult`."""
    data = read_json(body, url, content_type)
    if not isinstance(data, dict) or "head" not in data:
        raise _not_sparql(url, content_type, body, "SPARQL JSON results")
    if "boolean" in data:
        return QueryResult("ASK", boolean=bool(data["boolean"]))
    if not isinstance(data.get("results"), dict) or "bindings" not in data["results"]:
        raise _not_sparql(url, content_type, body, "SPARQL JSON results")
    variables = list(data["head"].get("vars", []))
    rows = []
    for b in data["results"]["bindings"]:
        rows.append(tuple(_term(b[v], url) if v in b else None for v in variables))
    return QueryResult("SELECT", variables=variables, rows=rows)


def _term(j: dict, url: str):
    kind, value = j.get("type"), j.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = j.get("xml:lang") or j.get("lang")
        if lang:
            return Literal(value, lang=lang)
        dt = j.get("datatype")
        if dt and dt not in (_XSD_STRING, _RDF_LANGSTRING):
            return Literal(value, datatype=URIRef(dt))
        return Literal(value)
    raise StoreError(f"{redact(url)}: unknown term type {kind!r} in the SPARQL JSON results")


def _parse_graph(body: bytes, url: str, content_type: str) -> QueryResult:
    fmt = _GRAPH_FORMATS.get(content_type)
    if fmt is None:
        raise _not_sparql(url, content_type, body, "an RDF graph")
    g = Graph()
    try:
        g.parse(data=body.decode("utf-8"), format=fmt)
    except Exception as exc:
        raise StoreError(f"{redact(url)}: cannot read the {content_type} graph it sent: {exc}") from None
    return QueryResult("CONSTRUCT", graph=g)
