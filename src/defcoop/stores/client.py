"""Talking to a triple store over the standard protocols.

The one SPARQL HTTP client of defcoop (`Store`), used by ``defcoop load`` and
``defcoop query --endpoint``: SPARQL 1.1 Query and Update (POST, form-encoded)
and the Graph Store HTTP Protocol (PUT), all through one urllib opener with one
credential rule, one timeout, one retry policy and one translation of failures
into a one-line `StoreError` (`explain`).

The credential rule. Credentials come only from the environment
(``DEFCOOP_STORE_USER`` / ``DEFCOOP_STORE_PASSWORD``; a URL holding
``user:password@`` is refused). They are sent only in answer to a challenge (HTTP
401 with ``WWW-Authenticate``) from the URL that asks, in the scheme it asks for
(``--auth`` limits that to one scheme), except with ``--preemptive-auth``, which
sends basic credentials with every request to the update and Graph Store URLs
(never unasked to the query URL). Basic credentials are never sent in clear over
``http://`` to a host other than this machine unless ``--insecure-auth`` says so.
No message, log line or shown URL carries a credential (`redact`).

Store quirks, in one place (``docs/stores.md`` says the same for users):

Oxigraph server (0.5)
    ``/query``, ``/update`` and ``/store`` (GSP) are three URLs. Its default
    graph is a graph of its own: start it with ``--union-default-graph`` so
    that queries without ``GRAPH`` see every named graph (as ``defcoop serve``
    and ``.ci/setup.d/20-oxigraph.sh`` do). One update request is one
    transaction that readers see whole, but two at once are not serialised:
    two ``DROP`` + ``INSERT DATA`` of the same graph at once leave its
    blank-node triples twice (snapshot isolation, measured), hence the load lock
    (`defcoop.stores.load`). Its Graph Store ``PUT`` is not atomic either.
Virtuoso 7.2
    Queries at ``/sparql``; updates at ``/sparql-auth`` and the Graph Store at
    ``/sparql-graph-crud-auth``, both with HTTP digest authentication (the
    anonymous ``/sparql`` accepts updates only if ``SPARQL_UPDATE`` is granted
    to the ``SPARQL`` user, which a real instance must not do). Its endpoint
    compiles the constants of an update into SQL text (``define
    sql:big-data-const 0``): slow for big requests (the project's one replace
    request: 27-44 s) and ``INSERT DATA`` above about 1,200 triples fails; so
    every update to a store whose ``Server`` header says Virtuoso starts with
    ``DEFINE sql:big-data-const 1`` (the same request: ~1-2 s), and ``--batch-size``
    is 100 (smaller batches compile faster: 100: 2.0-2.8 s, 250: 3.0-3.6 s, 500:
    5.9 s on a busy machine; 5,000 fails to compile). It refuses blank nodes in ``INSERT DATA`` (error SP031), so batches
    holding them are sent as ``INSERT {…} WHERE {}`` (`insert_data`). Its HTTP
    Graph Store ``PUT`` is not atomic (readers see a graph empty or half there;
    two at once leave it doubled); one SPARQL Update request is one transaction
    that readers see before or after (measured), but NOT all or nothing: when an
    operation of it fails, the operations before it stay committed (measured), and
    two at once can deadlock (HTTP 500, error 40001), hence the load lock, whose
    waiting loads only read.
    JSON results use the old ``typed-literal`` term type (`Store.select` reads only
    the value, so both work). Its
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
import ipaddress
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph

from defcoop.errors import DefcoopError

USER_ENV = "DEFCOOP_STORE_USER"
PASSWORD_ENV = "DEFCOOP_STORE_PASSWORD"
AUTH_ENV = "DEFCOOP_STORE_AUTH"
SCHEMES = ("basic", "digest")

#: HTTP statuses that say "not done, try again later".
TRANSIENT_STATUS = {429, 502, 503, 504}

JSON_RESULTS = "application/sparql-results+json"

#: Prepended to every update sent to a store that says it is Virtuoso (`Store.update`).
VIRTUOSO_UPDATE_PRAGMA = "DEFINE sql:big-data-const 1\n"


class StoreError(DefcoopError):
    """The store could not be reached or refused a request (one line, no secrets).

    ``answered`` is True when the store answered with an HTTP status, so the
    request was refused rather than lost on the way (it wrote nothing).
    """

    def __init__(self, message: str, answered: bool = False):
        super().__init__(message)
        self.answered = answered


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    scheme: str | None = None  # "basic", "digest", or None: whichever the store asks for
    preemptive: bool = False  # basic credentials with every update/Graph Store request
    insecure: bool = False  # basic credentials over plain http to another host allowed

    def __repr__(self) -> str:  # never show the password, not even in a traceback
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"


def credentials_from_env(scheme: str | None = None, preemptive: bool = False,
                         insecure: bool = False, environ=None) -> Credentials | None:
    """Credentials from ``DEFCOOP_STORE_USER`` / ``DEFCOOP_STORE_PASSWORD``, or None.

    ``scheme`` (``--auth``; else ``DEFCOOP_STORE_AUTH``) limits the answer to one
    challenge scheme; asking for a scheme or for pre-emptive auth without the
    variables set is an error.
    """
    environ = os.environ if environ is None else environ
    user, password = environ.get(USER_ENV), environ.get(PASSWORD_ENV)
    explicit = scheme is not None or preemptive
    if scheme is None and environ.get(AUTH_ENV):
        scheme = environ[AUTH_ENV].strip().lower()
        if scheme not in SCHEMES:
            raise StoreError(f"{AUTH_ENV}: unknown scheme {environ[AUTH_ENV]!r} (use basic or digest)")
    if scheme is not None and scheme not in SCHEMES:
        raise StoreError(f"--auth: unknown scheme {scheme!r} (use basic or digest)")
    if preemptive and scheme == "digest":
        raise StoreError("--preemptive-auth: only basic credentials can be sent before a challenge")
    if not user or password is None:
        if explicit:
            what = f"--auth {scheme}" if scheme else "--preemptive-auth"
            raise StoreError(f"{what}: set {USER_ENV} and {PASSWORD_ENV} in the environment")
        return None
    return Credentials(user, password, scheme, preemptive, insecure)


def redact(url: str) -> str:
    """A URL without any user:password part, for messages."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url.rsplit("@", 1)[-1] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def check_url(option: str, url: str) -> str:
    """``url`` if it is a usable http(s) URL without credentials in it; else `StoreError`."""
    shown = redact(url)
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        raise StoreError(f"{option}: not a usable URL: {shown!r} ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"{option}: not an http(s) URL: {shown!r}")
    if "@" in parts.netloc:
        raise StoreError(f"{option}: credentials in the URL are not accepted ({shown}): set "
                         f"{USER_ENV} and {PASSWORD_ENV} in the environment instead")
    return url


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _clear_to(url: str) -> bool:
    """Would basic credentials travel in clear to another machine?"""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "http" and not is_loopback(parts.hostname)


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
        for option, url in (("--endpoint", query_url), ("--update", update_url), ("--gsp", gsp_url)):
            if url is not None:
                check_url(option, url)
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        writes = [u for u in (self.update_url, gsp_url) if u]
        if credentials and credentials.preemptive and not credentials.insecure:
            clear = [u for u in writes if _clear_to(u)]
            if clear:
                raise StoreError(
                    f"--preemptive-auth: would send the password in clear over http to "
                    f"{urllib.parse.urlsplit(clear[0]).hostname}: use https, or add --insecure-auth")
        self._preemptive = writes if credentials and credentials.preemptive else []
        self._opener = _opener(credentials, [u for u in (query_url, update_url, gsp_url) if u])
        self.server = ""  # the Server header of the first answer that had one ("Virtuoso/07.20.3229 ...")

    def with_(self, timeout: float | None = None, retries: int | None = None) -> Store:
        """The same store with another timeout or retry count (for a quick clean-up, say)."""
        out = Store(self.query_url, self.update_url, self.gsp_url, self.credentials,
                    timeout=self.timeout if timeout is None else timeout,
                    retries=self.retries if retries is None else retries, backoff=self.backoff)
        out.server = self.server
        return out

    # -- HTTP --------------------------------------------------------------
    def send(self, method: str, url: str, body: bytes | None, headers: dict[str, str],
             idempotent: bool = True) -> tuple[str, bytes]:
        """One request (retried when transient); its content type and body."""

        def attempt():
            request = urllib.request.Request(url, data=body, method=method)
            request.add_header("User-Agent", "defcoop")
            for k, v in headers.items():
                request.add_header(k, v)
            if url in self._preemptive:
                token = f"{self.credentials.user}:{self.credentials.password}".encode()
                request.add_header("Authorization", "Basic " + base64.b64encode(token).decode())
            with self._opener.open(request, timeout=self.timeout) as response:
                self.server = self.server or response.headers.get("Server") or ""
                ctype = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                return ctype, response.read()

        return self._retry(attempt, url, idempotent)

    def query(self, text: str, accept: str) -> tuple[str, bytes]:
        """POST a SPARQL query to the query URL; the answer's content type and body."""
        form = urllib.parse.urlencode({"query": text}).encode()
        return self.send("POST", self.query_url, form, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})

    # -- SPARQL 1.1 Query -------------------------------------------------
    def _query_json(self, query: str):
        ctype, body = self.query(query, JSON_RESULTS)
        return read_json(body, self.query_url, ctype)

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
    @property
    def is_virtuoso(self) -> bool:
        """Has the store said (in its Server header) that it is Virtuoso?"""
        return self.server.lower().startswith("virtuoso/")

    def update(self, text: str, idempotent: bool = True) -> None:
        if self.is_virtuoso:
            # Virtuoso's endpoint writes every constant of a request into the SQL text it
            # compiles ("define sql:big-data-const 0"): a 4,400-triple request took 27-44 s
            # to compile, and more than ~1,200 triples in one INSERT DATA fail (SP031).
            # Passed as data instead, the same request takes ~1 s (measured 2026-12-02).
            text = VIRTUOSO_UPDATE_PRAGMA + text
        form = urllib.parse.urlencode({"update": text}).encode()
        ctype, body = self.send("POST", self.update_url, form, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": f"{JSON_RESULTS}, text/plain;q=0.5, */*;q=0.1"}, idempotent)
        if _is_html(ctype, body):
            raise StoreError(
                f"{redact(self.update_url)}: answered 200 with an HTML page ({ctype or 'no content type'}), "
                "not a SPARQL Update answer: is this the store's update URL? (--update)", answered=True)

    # -- SPARQL 1.1 Graph Store HTTP Protocol -------------------------------
    def put_graph(self, graph_iri: str, body: bytes, content_type: str = "application/n-triples") -> None:
        """Replace a named graph with ``body`` (HTTP PUT ``?graph=IRI``)."""
        if not self.gsp_url:
            raise StoreError("no Graph Store URL (--gsp)")
        sep = "&" if "?" in self.gsp_url else "?"
        url = f"{self.gsp_url}{sep}graph={urllib.parse.quote(graph_iri, safe='')}"
        ctype, answer = self.send("PUT", url, body, {"Content-Type": f"{content_type}; charset=utf-8"})
        if _is_html(ctype, answer) and b"<html" in answer[:500].lower():
            raise StoreError(f"{redact(self.gsp_url)}: answered with an HTML page, not a Graph Store "
                             "answer: is this the store's Graph Store URL? (--gsp)", answered=True)

    # -- plumbing ------------------------------------------------------------
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
                raise StoreError(explain(exc, url, self.timeout),
                                 answered=isinstance(exc, urllib.error.HTTPError)) from None
        raise AssertionError("unreachable")


class _BasicAuth(urllib.request.HTTPBasicAuthHandler):
    """Basic credentials in answer to a challenge, never in clear to another machine."""

    def __init__(self, manager, insecure: bool):
        super().__init__(manager)
        self.insecure = insecure

    def http_error_401(self, req, fp, code, msg, headers):
        if not self.insecure and _clear_to(req.full_url):
            challenge = headers.get("WWW-Authenticate", "")
            if challenge.strip().lower().startswith("basic"):
                host = urllib.parse.urlsplit(req.full_url).hostname
                raise StoreError(
                    f"{redact(req.full_url)}: asks for basic credentials over plain http; not sent "
                    f"in clear to {host} (use https, or add --insecure-auth)", answered=True)
        return super().http_error_401(req, fp, code, msg, headers)

    def http_response(self, req, response):
        # urllib would mark a URL "authenticated" after any 2xx, and from then on send
        # credentials unasked; only an answer to credentials we sent counts.
        if req.has_header(self.auth_header):
            return super().http_response(req, response)
        return response

    https_response = http_response


def _opener(credentials: Credentials | None, urls: list[str]):
    handlers: list = []
    if credentials:
        # Any realm the store names (Virtuoso's is "SPARQL"), for these URLs only; a URL
        # that asked once gets basic credentials with its later requests (no second 401).
        manager = urllib.request.HTTPPasswordMgrWithPriorAuth()
        manager.add_password(None, urls, credentials.user, credentials.password, is_authenticated=False)
        if credentials.scheme in (None, "basic"):
            handlers.append(_BasicAuth(manager, credentials.insecure))
        if credentials.scheme in (None, "digest"):
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
    return urllib.request.build_opener(*handlers)


def _is_html(ctype: str, body: bytes) -> bool:
    head = body.lstrip()[:100].lower()
    return "html" in ctype or head.startswith((b"<!doctype html", b"<html"))


def read_json(body: bytes, url: str, ctype: str = ""):
    """The JSON document of a SPARQL answer; a web page or other text is a `StoreError`."""
    start = " ".join(body[:60].decode("utf-8", "replace").split())
    if _is_html(ctype, body):
        raise StoreError(
            f"{redact(url)}: the answer is not SPARQL JSON results (Content-Type {ctype or 'none'}): "
            f"{start!r}: an HTML page: is this the store's SPARQL query URL?", answered=True)
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise StoreError(
            f"{redact(url)}: the answer is not SPARQL JSON results (Content-Type {ctype or 'none'}): "
            f"{start!r}", answered=True) from None


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
            return (f"{where}: HTTP 401 Unauthorized: the store refused the credentials or asks for "
                    f"them (set {USER_ENV}/{PASSWORD_ENV}; --auth basic|digest)")
        if exc.code == 403:
            return f"{where}: HTTP 403 Forbidden: this user may not do that here"
        if exc.code == 404:
            return f"{where}: HTTP 404 Not Found: is this the right endpoint URL?"
        detail = _body_text(exc)
        return f"{where}: HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        return f"{where}: cannot reach the endpoint (connection refused): is the store running?"
    if isinstance(reason, socket.gaierror):
        return f"{where}: cannot reach the endpoint: unknown host"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"{where}: no answer within {timeout:g} s (timeout)"
    if isinstance(reason, (ConnectionResetError, http.client.RemoteDisconnected,
                           http.client.IncompleteRead, BrokenPipeError)):
        return f"{where}: the server closed the connection mid-request"
    if isinstance(reason, OSError) and reason.strerror:
        return f"{where}: cannot reach the endpoint: {reason.strerror}"
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
