"""Talking to a triple store over the standard protocols.

SPARQL 1.1 Query and Update go through SPARQLWrapper (which builds the requests
and parses the results); the SPARQL 1.1 Graph Store HTTP Protocol goes through
urllib. Both share one opener (authentication), one timeout, one retry policy
and one translation of failures into a one-line `StoreError`.

Store quirks, in one place (``docs/stores.md`` says the same for users):

Oxigraph server (0.5)
    ``/query``, ``/update`` and ``/store`` (GSP) are three URLs. Its default
    graph is a graph of its own: start it with ``--union-default-graph`` so
    that queries without ``GRAPH`` see every named graph (as ``defcoop serve``
    and ``.ci/setup.d/20-oxigraph.sh`` do). One update request is one
    transaction, so the swap (several ``MOVE`` in one request) is atomic.
Virtuoso 7.2
    Queries at ``/sparql``; updates at ``/sparql-auth`` and the Graph Store at
    ``/sparql-graph-crud-auth``, both with HTTP digest authentication (the
    anonymous ``/sparql`` accepts updates only if ``SPARQL_UPDATE`` is granted
    to the ``SPARQL`` user, which a real instance must not do). ``INSERT DATA``
    requests above about 1,200 triples fail: keep ``--batch-size`` at 1,000 or
    less. It refuses blank nodes in ``INSERT DATA`` (error SP031), so batches
    holding them are sent as ``INSERT {…} WHERE {}`` (`insert_data`). Its HTTP
    loads are not atomic (a failure leaves part of a graph), which is why every
    load goes into a staging graph first. JSON results use the old
    ``typed-literal`` term type (`Store.select` reads only the value, so both work). Its
    default graph is the union of every graph, its own system graphs (virtrdf,
    OWL, LDP) included. ``ORDER BY`` on a language-tagged literal without
    ``LIMIT`` comes back unsorted: order by ``str(?x)``.
    It stores date literals by value: ``"2019"^^xsd:gYear`` and
    ``"2019-01"^^xsd:gYearMonth`` become one object, returned in whichever form
    it met first (counts still match; no standard-SPARQL workaround).
Blank nodes
    A blank-node label means a new node in every ``INSERT DATA`` request, so a
    node's triples must travel in one request (`batches` keeps them together).
    For the same reason an ``INSERT DATA`` holding blank nodes is never retried
    after a timeout (the first attempt may have been applied).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable, Iterable

from rdflib import BNode, Graph

from defcoop.errors import DefcoopError

USER_ENV = "DEFCOOP_STORE_USER"
PASSWORD_ENV = "DEFCOOP_STORE_PASSWORD"

#: HTTP statuses that say "not done, try again later".
TRANSIENT_STATUS = {429, 502, 503, 504}


class StoreError(DefcoopError):
    """The store could not be reached or refused a request (one line, no secrets)."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    scheme: str  # "basic" or "digest"

    def __repr__(self) -> str:  # never show the password, not even in a traceback
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"


def credentials_from_env(scheme: str | None, environ=None) -> Credentials | None:
    """Credentials from ``DEFCOOP_STORE_USER`` / ``DEFCOOP_STORE_PASSWORD``.

    ``scheme`` None means basic if the variables are set, no authentication otherwise.
    """
    environ = os.environ if environ is None else environ
    user, password = environ.get(USER_ENV), environ.get(PASSWORD_ENV)
    if scheme is None:
        if not user:
            return None
        scheme = "basic"
    if scheme not in ("basic", "digest"):
        raise StoreError(f"--auth: unknown scheme {scheme!r} (use basic or digest)")
    if not user or password is None:
        raise StoreError(f"--auth {scheme}: set {USER_ENV} and {PASSWORD_ENV} in the environment")
    return Credentials(user, password, scheme)


def redact(url: str) -> str:
    """A URL without any user:password part, for messages."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


class Store:
    """One store: its query URL, update URL, optional Graph Store URL, credentials."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = 60,
        retries: int = 3,
        backoff: float = 0.5,
    ):
        for name, url in (("--endpoint", query_url), ("--update", update_url), ("--gsp", gsp_url)):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise StoreError(f"{name}: not an http(s) URL: {redact(url)!r}")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._opener = _opener(credentials, [u for u in (query_url, update_url, gsp_url) if u])

    # -- SPARQL 1.1 Query -------------------------------------------------
    def _query_json(self, query: str):
        """POST a query to the query endpoint (with retries) and parse its JSON answer."""
        from SPARQLWrapper import JSON, POST

        def attempt():
            w = self._wrapper(self.query_url)
            w.setQuery(query)
            w.setMethod(POST)
            w.setReturnFormat(JSON)
            response, _ = w._query()
            return _read_json(response, self.query_url)

        return self._retry(attempt, self.query_url, idempotent=True)

    def select(self, query: str) -> list[dict[str, str]]:
        """Rows of a SELECT as ``{variable: value}`` (lexical forms)."""
        data = self._query_json(query)
        try:
            bindings = data["results"]["bindings"]
            return [{k: v.get("value", "") for k, v in row.items()} for row in bindings]
        except (KeyError, TypeError, AttributeError):
            raise StoreError(f"{redact(self.query_url)}: answer is not SPARQL SELECT results") from None

    def ask(self, query: str = "ASK {}") -> bool:
        data = self._query_json(query)
        if not isinstance(data, dict) or not isinstance(data.get("boolean"), bool):
            raise StoreError(f"{redact(self.query_url)}: answer is not a SPARQL ASK result")
        return data["boolean"]

    def count(self, graph_iri: str) -> int:
        """How many triples the named graph holds on the store."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
        try:
            return int(float(rows[0]["n"]))
        except (IndexError, KeyError, ValueError):
            raise StoreError(f"{redact(self.query_url)}: no triple count for <{graph_iri}>") from None

    # -- SPARQL 1.1 Update -------------------------------------------------
    def update(self, text: str, idempotent: bool = True) -> None:
        from SPARQLWrapper import POST, URLENCODED

        def attempt():
            w = self._wrapper(self.update_url)
            w.setQuery(text)
            w.setMethod(POST)
            w.setRequestMethod(URLENCODED)
            response, _ = w._query()
            response.read()
            response.close()

        self._retry(attempt, self.update_url, idempotent=idempotent)

    # -- SPARQL 1.1 Graph Store HTTP Protocol -------------------------------
    def put_graph(self, graph_iri: str, body: bytes, content_type: str = "text/turtle") -> None:
        """Replace a named graph with ``body`` (HTTP PUT ``?graph=IRI``)."""
        if not self.gsp_url:
            raise StoreError("no Graph Store URL (--gsp)")
        sep = "&" if "?" in self.gsp_url else "?"
        url = f"{self.gsp_url}{sep}graph={urllib.parse.quote(graph_iri, safe='')}"

        def attempt():
            request = urllib.request.Request(url, data=body, method="PUT")
            request.add_header("Content-Type", f"{content_type}; charset=utf-8")
            self._authorise(request)
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()

        self._retry(attempt, self.gsp_url, idempotent=True)

    # -- plumbing ------------------------------------------------------------
    def _wrapper(self, url: str):
        w = _Wrapper(url)
        w._opener = self._opener
        w.setTimeout(max(1, int(self.timeout)))
        w.agent = "defcoop"
        if self.credentials and self.credentials.scheme == "basic":
            token = f"{self.credentials.user}:{self.credentials.password}".encode()
            w._basic = "Basic " + base64.b64encode(token).decode()
        return w

    def _authorise(self, request) -> None:
        if self.credentials and self.credentials.scheme == "basic":
            token = f"{self.credentials.user}:{self.credentials.password}".encode()
            request.add_header("Authorization", "Basic " + base64.b64encode(token).decode())

    def _retry(self, attempt: Callable, url: str, idempotent: bool):
        """Run ``attempt``; retry transient failures with exponential back-off."""
        for n in range(self.retries + 1):
            try:
                return attempt()
            except StoreError:
                raise
            except Exception as exc:  # urllib, http.client and socket all raise their own
                if n < self.retries and _transient(exc, idempotent):
                    time.sleep(self.backoff * 2**n)
                    continue
                raise StoreError(explain(exc, url, self.timeout)) from None
        raise AssertionError("unreachable")


def _opener(credentials: Credentials | None, urls: list[str]):
    handlers = []
    if credentials and credentials.scheme == "digest":
        # Any realm the store names (Virtuoso's is "SPARQL"), for these URLs only.
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, urls, credentials.user, credentials.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
    return urllib.request.build_opener(*handlers)


def _make_wrapper_class():
    from SPARQLWrapper import SPARQLWrapper

    class Wrapper(SPARQLWrapper):
        """SPARQLWrapper sending through our opener and leaving HTTP errors to us.

        (SPARQLWrapper's own digest support installs a global opener and assumes
        the realm is called "SPARQL"; basic auth we add per request.)
        """

        _opener = None
        _basic = None

        def _query(self):
            request = self._createRequest()
            if self._basic:
                request.add_header("Authorization", self._basic)
            return self._opener.open(request, timeout=self.timeout), self.returnFormat

    return Wrapper


class _LazyWrapper:
    cls = None

    def __call__(self, url):
        if _LazyWrapper.cls is None:
            _LazyWrapper.cls = _make_wrapper_class()
        return _LazyWrapper.cls(url)


_Wrapper = _LazyWrapper()


def _read_json(response, url: str):
    ctype = response.headers.get("Content-Type", "")
    body = response.read()
    response.close()
    if "html" in ctype.lower() or body.lstrip()[:1] == b"<":
        raise StoreError(
            f"{redact(url)}: answered with an HTML/XML page ({ctype or 'no content type'}), "
            "not SPARQL JSON results: is this the store's SPARQL query URL?"
        )
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise StoreError(
            f"{redact(url)}: answer is not SPARQL JSON results ({ctype or 'no content type'})"
        ) from None


def _transient(exc: Exception, idempotent: bool) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in TRANSIENT_STATUS
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        return True  # the request never reached a server
    if isinstance(reason, (socket.timeout, TimeoutError, ConnectionResetError,
                           http.client.RemoteDisconnected, http.client.IncompleteRead)):
        return idempotent
    return False


def explain(exc: Exception, url: str, timeout: float) -> str:
    """One line saying what went wrong talking to ``url`` (never a credential)."""
    where = redact(url)
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code == 401:
            return (f"{where}: HTTP 401 Unauthorized: the store refused the credentials "
                    f"(set {USER_ENV}/{PASSWORD_ENV}; --auth basic|digest)")
        if exc.code == 403:
            return f"{where}: HTTP 403 Forbidden: this user may not do that here"
        if exc.code == 404:
            return f"{where}: HTTP 404 Not Found: is this the right endpoint URL?"
        detail = _body_text(exc)
        return f"{where}: HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        return f"{where}: cannot connect (connection refused): is the store running?"
    if isinstance(reason, socket.gaierror):
        return f"{where}: cannot connect: unknown host"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"{where}: no answer within {timeout:g} s (--timeout)"
    if isinstance(reason, (ConnectionResetError, http.client.RemoteDisconnected,
                           http.client.IncompleteRead, BrokenPipeError)):
        return f"{where}: the server closed the connection mid-request"
    text = " ".join(str(reason).split())[:200]
    return f"{where}: {type(reason).__name__}: {text}"


def _body_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read().decode("utf-8", "replace")
    except Exception:
        return ""
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(body.split())[:200]


# -- what goes into an INSERT DATA ---------------------------------------------
def triple_text(triple) -> str:
    """A triple in SPARQL/N-Triples syntax."""
    s, p, o = triple
    return f"{s.n3()} {p.n3()} {o.n3()} ."


def batches(graph: Graph, size: int) -> Iterable[list[tuple]]:
    """The graph's triples in groups of at most ``size``, blank nodes kept together.

    Triples that share a blank node (directly or through a chain of them) go in
    the same group; such a group larger than ``size`` goes alone.
    """
    parent: dict = {}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    plain, with_bnodes = [], []
    for t in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        nodes = [x for x in (t[0], t[2]) if isinstance(x, BNode)]
        if not nodes:
            plain.append(t)
            continue
        with_bnodes.append((t, nodes[0]))
        for x in nodes:
            parent.setdefault(x, x)
        if len(nodes) == 2:
            a, b = find(nodes[0]), find(nodes[1])
            if a != b:
                parent[a] = b
    groups: dict = {}
    for t, node in with_bnodes:
        groups.setdefault(find(node), []).append(t)
    units = [[t] for t in plain] + list(groups.values())
    batch: list = []
    for unit in units:
        if batch and len(batch) + len(unit) > size:
            yield batch
            batch = []
        batch.extend(unit)
    if batch:
        yield batch


def insert_data(graph_iri: str, triples: list[tuple]) -> str:
    """``INSERT DATA``, or ``INSERT {…} WHERE {}`` when the triples hold blank nodes.

    Both are plain SPARQL 1.1 and mean the same here (a template's blank nodes are
    fresh for the one solution of ``WHERE {}``); Virtuoso refuses blank nodes in
    ``INSERT DATA`` ("SP031: Blank node ... is not allowed in a constant clause").
    """
    body = "\n".join(triple_text(t) for t in triples)
    if any(isinstance(x, BNode) for t in triples for x in (t[0], t[2])):
        return f"INSERT {{ GRAPH <{graph_iri}> {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n{body}\n}} }}"
