"""Running a query on a remote SPARQL 1.1 endpoint through SPARQLWrapper.

The answer comes back as the same `defcoop.query.results.QueryResult` (rdflib terms) as
the embedded engine gives, so it prints the same way. Everything that can go wrong
on the way is reported as one line naming the endpoint (a `DefcoopError`, exit 2):
an unreachable host, a timeout, an HTTP error (with the server's own first line),
or an answer that is not SPARQL results (an HTML page, say).

Quirks handled here: Virtuoso writes ``"type": "typed-literal"`` in SPARQL JSON
results (a SPARQL 1.0 leftover) and may state ``xsd:string`` explicitly; both are
read as the plain literals every other store returns.

Credentials, if the endpoint needs them, come only from the environment:
``DEFCOOP_STORE_USER``, ``DEFCOOP_STORE_PASSWORD`` and ``DEFCOOP_STORE_AUTH``
(``basic``, the default, or ``digest``).
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error

from rdflib import BNode, Graph, Literal, URIRef

from defcoop.errors import DefcoopError
from defcoop.query.params import query_kind
from defcoop.query.results import QueryResult

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


class EndpointError(DefcoopError):
    """The endpoint could not be reached or did not answer with SPARQL results."""


def remote(text: str, url: str, timeout: float = DEFAULT_TIMEOUT, name: str = "<query>") -> QueryResult:
    """Run ``text`` on the endpoint at ``url``; the answer as a `QueryResult`."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper, TURTLE, URLENCODED

    kind = query_kind(text) or "SELECT"
    client = SPARQLWrapper(url)
    client.setQuery(text)
    # SPARQLWrapper guesses the form with a regex that can read a word in a comment
    # ("add") as an update; we know the form from our own scanner.
    client.queryType = kind
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setOnlyConneg(True)  # no format=/output= parameters: some stores reject them
    client.setReturnFormat(JSON if kind in ("SELECT", "ASK") else TURTLE)
    client.timeout = float(timeout)  # setTimeout() would round it to whole seconds
    user, password = os.environ.get("DEFCOOP_STORE_USER"), os.environ.get("DEFCOOP_STORE_PASSWORD")
    if user and password:
        client.setHTTPAuth(os.environ.get("DEFCOOP_STORE_AUTH", "basic").upper())
        client.setCredentials(user, password)

    body, content_type = _fetch(client, url, timeout)
    if kind in ("SELECT", "ASK"):
        return parse_json_results(body, url, content_type)
    return _parse_graph(body, url, content_type)


def _fetch(client, url: str, timeout: float) -> tuple[bytes, str]:
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    try:
        result = client.query()
        response = result.response
        body = response.read()
        content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return body, content_type
    except SPARQLWrapperException as exc:
        raise EndpointError(f"{url}: {_http_message(exc)}") from None
    except urllib.error.HTTPError as exc:
        detail = _first_line(exc.read() if hasattr(exc, "read") else b"")
        raise EndpointError(f"{url}: HTTP {exc.code} {exc.reason}{': ' + detail if detail else ''}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (socket.timeout, TimeoutError)):
            raise EndpointError(f"{url}: no answer within {timeout:g} s (timeout)") from None
        raise EndpointError(f"{url}: cannot reach the endpoint: {_reason(exc.reason)}") from None
    except (socket.timeout, TimeoutError):
        raise EndpointError(f"{url}: no answer within {timeout:g} s (timeout)") from None
    except (ConnectionError, OSError) as exc:
        raise EndpointError(f"{url}: cannot reach the endpoint: {_reason(exc)}") from None
    except ValueError as exc:  # e.g. a URL without a scheme
        raise EndpointError(f"{url}: not a usable endpoint URL ({exc})") from None


def _http_message(exc) -> str:
    codes = {
        "QueryBadFormed": "HTTP 400 Bad Request (the endpoint rejected the query)",
        "Unauthorized": "HTTP 401 Unauthorized (set DEFCOOP_STORE_USER and DEFCOOP_STORE_PASSWORD)",
        "EndPointNotFound": "HTTP 404 Not Found (is this the endpoint's query URL?)",
        "URITooLong": "HTTP 414 URI Too Long",
        "EndPointInternalError": "HTTP 500 Internal Server Error",
    }
    head = codes.get(type(exc).__name__, type(exc).__name__)
    detail = _first_line(getattr(exc, "response", None) or b"")
    if not detail:
        msg = str(exc)
        detail = _first_line(msg.split("Response:", 1)[1].encode()) if "Response:" in msg else ""
    return f"{head}{': ' + detail if detail else ''}"


def _first_line(body) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    body = str(body).strip()
    if body.startswith("b'") or body.startswith('b"'):
        body = body[2:-1].replace("\\n", "\n")
    for line in body.splitlines():
        line = line.strip()
        if line:
            return line[:200]
    return ""


def _reason(reason) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _not_sparql(url: str, content_type: str, body: bytes, what: str) -> EndpointError:
    start = " ".join(body[:120].decode("utf-8", "replace").split())
    return EndpointError(
        f"{url}: the answer is not {what} (Content-Type {content_type or 'none'}): {start!r}"
    )


def parse_json_results(body: bytes, url: str = "<endpoint>", content_type: str = "") -> QueryResult:
    """SPARQL 1.1 JSON results (with Virtuoso's dialect) as a `QueryResult`."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _not_sparql(url, content_type, body, "SPARQL JSON results") from None
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
    raise EndpointError(f"{url}: unknown term type {kind!r} in the SPARQL JSON results")


def _parse_graph(body: bytes, url: str, content_type: str) -> QueryResult:
    fmt = _GRAPH_FORMATS.get(content_type)
    if fmt is None:
        raise _not_sparql(url, content_type, body, "an RDF graph")
    g = Graph()
    try:
        g.parse(data=body.decode("utf-8"), format=fmt)
    except Exception as exc:
        raise EndpointError(f"{url}: cannot read the {content_type} graph it sent: {exc}") from None
    return QueryResult("CONSTRUCT", graph=g)
