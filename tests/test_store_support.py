"""Helpers for the store tests (no tests here): a fault-injecting proxy in front of a
real store, canned answers (HTML, 401, silence), and an Oxigraph server of our own.

No mocks: `defcoop load` runs as a separate process and talks HTTP to these.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent


def defcoop(*args, env=None, timeout=300):
    full_env = dict(os.environ)
    full_env.pop("DEFCOOP_STORE_USER", None)
    full_env.pop("DEFCOOP_STORE_PASSWORD", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "defcoop", *args], capture_output=True,
                          text=True, env=full_env, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def _any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.behaviour(self, body)

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def version_string(self):
        """The Server header: the upstream's, when a proxy passes it on (`reply`)."""
        return getattr(self, "upstream_server", None) or super().version_string()

    def reply(self, status, body=b"", headers=()):
        headers = list(headers)
        self.upstream_server = next((v for k, v in headers if k.lower() == "server"), None)
        self.send_response(status)
        for k, v in headers:
            if k.lower() != "server":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 running ``behaviour(handler, body)`` per request."""

    daemon_threads = True

    def __init__(self, behaviour):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.requests = []
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


def html_page(handler, body):
    handler.reply(200, b"<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>",
                  [("Content-Type", "text/html; charset=utf-8")])


def basic_auth_required(handler, body):
    handler.reply(401, b"Unauthorized", [("WWW-Authenticate", 'Basic realm="store"')])


def silent(handler, body):
    time.sleep(5)  # longer than the client's --timeout 1


def recorder(server):
    def behaviour(handler, body):
        with server.lock:
            server.requests.append((handler.command, handler.path, body))
        handler.reply(500, b"a dry run must not send anything")
    return behaviour


class FaultyProxy(Server):
    """Forwards every request to ``target``; request number ``fail_at`` (1-based) and,
    if ``gone``, every later one, fails: HTTP 500, or the connection is closed
    without an answer. ``before_fault`` runs once, when the fault first strikes.
    Every request is recorded in ``seen`` as (method, path, Authorization header or
    None, first 60 bytes of its body). Paths starting with one of ``challenge``
    answer 401 with a basic challenge unless the request carries credentials.
    Mode "answer-lost" forwards the failing request, then closes the connection
    without passing the answer on (the store applied it; the client cannot know).
    ``fail_when(method, body)`` picks the failing request by what it is instead of
    by number (digest authentication doubles the requests on some URLs)."""

    def __init__(self, target: str, fail_at: int = 0, mode: str = "http-500", gone: bool = False,
                 before_fault=None, challenge: tuple[str, ...] = (), fail_when=None):
        self.target, self.fail_at, self.mode, self.gone = target, fail_at, mode, gone
        self.fail_when = fail_when  # (method, body) -> bool: fail the first such request instead
        self.failing = False
        self.before_fault = before_fault
        self.challenge = challenge
        self.count = 0
        self.faults = 0
        self.seen: list[tuple[str, str, str | None, bytes]] = []
        super().__init__(self._behaviour)

    def _behaviour(self, handler, body):
        auth = handler.headers.get("Authorization")
        with self.lock:
            self.seen.append((handler.command, handler.path, auth, body[:60]))
        if not auth and any(handler.path.startswith(p) for p in self.challenge):
            handler.reply(401, b"who are you?", [("WWW-Authenticate", 'Basic realm="test"')])
            return
        with self.lock:
            self.count += 1
            n = self.count
            if self.fail_when is not None:
                hit = not self.faults and self.fail_when(handler.command, body)
                fault = hit or (self.gone and self.faults > 0)
            else:
                fault = bool(self.fail_at) and (n == self.fail_at or (self.gone and n > self.fail_at))
            if fault:
                self.faults += 1
                first = self.faults == 1
        if fault and self.mode == "answer-lost":
            self._forward(handler, body, deliver=False)
            return
        if fault:
            if first and self.before_fault:
                self.before_fault()
            if self.mode == "http-500":
                handler.reply(500, b"injected failure", [("Content-Type", "text/plain")])
            else:  # "close": the server vanished mid-request
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        self._forward(handler, body)

    def _forward(self, handler, body, deliver: bool = True):
        request = urllib.request.Request(self.target + handler.path, data=body or None,
                                         method=handler.command)
        for key in ("Content-Type", "Accept", "Authorization"):
            if handler.headers.get(key):
                request.add_header(key, handler.headers[key])
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                status, headers, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, headers, data = e.code, e.headers, e.read()
        except OSError:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if not deliver:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        # passed on as a transparent proxy does (the Server header tells defcoop it is Virtuoso)
        keep = [(k, v) for k, v in headers.items() if k.lower() in ("content-type", "www-authenticate", "server")]
        handler.reply(status, data, keep)


def oxigraph_binary() -> str:
    from defcoop.stores.serve import oxigraph_binary as find

    return find()


class OxigraphServer:
    """An Oxigraph server of our own on a free port, over the database in ``folder``."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder, self.port = folder, port or free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(self.folder),
             "--bind", f"127.0.0.1:{self.port}", "--union-default-graph"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2).read()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("oxigraph server did not start")
                time.sleep(0.1)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def graph_on_store(query_url: str, graph_iri: str) -> Graph:
    """Everything the store holds in one named graph (CONSTRUCT, read as N-Triples)."""
    q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(
        query_url, data=urllib.parse.urlencode({"query": q}).encode(),
        headers={"Accept": "application/n-triples",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=300) as r:
        return Graph().parse(data=r.read(), format="nt")


def graphs_on_store(query_url: str) -> set[str]:
    q = ('SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } '
         'FILTER(STRSTARTS(STR(?g), "https://w3id.org/defcoop/")) }')
    request = urllib.request.Request(
        query_url, data=urllib.parse.urlencode({"query": q}).encode(),
        headers={"Accept": "text/csv", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=300) as r:
        lines = r.read().decode().splitlines()[1:]
    return {line.strip().strip('"') for line in lines if line.strip()}


def sparql_front(update_status: int, update_body: bytes, update_type: str):
    """A canned store: on /query ``ASK`` answers true, ``NOW()`` a time, any other
    SELECT no rows (no load claims); /update answers as given."""
    def behaviour(handler, body):
        if handler.path.startswith("/query"):
            answer = b'{"head": {}, "boolean": true}'
            if b"ASK" not in body:
                row = b'{"now": {"type": "literal", "value": "2026-12-01T00:00:00Z"}}'
                answer = b'{"head": {"vars": []}, "results": {"bindings": [%s]}}' % (
                    row if b"GRAPH" not in body else b"")
            handler.reply(200, answer, [("Content-Type", "application/sparql-results+json")])
        else:
            handler.reply(update_status, update_body, [("Content-Type", update_type)])
    return behaviour


def count_query(graph: str | None, exclude_prefix: str) -> str:
    """Triples in one named graph, or in the union default graph without load claims."""
    if graph:
        return f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return f'SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(!STRSTARTS(STR(?s), "{exclude_prefix}")) }}'


def concurrent_loads(query_url, update_url, gsp_url, credentials, variants, pairs: int,
                     reader_graph: str | None):
    """Variant 0 of the sources loaded; then ``pairs`` times, two loads at once
    (variant 0 and 1), with a reader counting triples (in ``reader_graph``, or the
    union default graph) all along.

    Returns (the count before, the reader's distinct counts, per pair the two loads'
    errors or None).
    """
    from defcoop.stores.client import Store
    from defcoop.stores.load import RUN_PREFIX, plan, run, targets

    parsed = [targets(v) for v in variants]  # once: each load sends the same files
    store = Store(query_url, update_url, gsp_url, credentials, retries=0, timeout=120)
    run(store, plan(store, parsed[0], use_gsp=False, batch_size=100))  # the "before"

    def one(loads, errors):
        try:
            run(store, plan(store, loads, use_gsp=bool(gsp_url), batch_size=100, lock_wait=300))
            errors.append(None)
        except Exception as exc:  # noqa: BLE001 -- reported by the test
            errors.append(str(exc))

    reader = Store(query_url, credentials=credentials, retries=0)
    text = count_query(reader_graph, RUN_PREFIX)
    before = int(reader.select(text)[0]["n"])
    seen: set[int] = set()
    stop = threading.Event()

    def read():  # a sample every 50 ms: ~20 per load, without starving the loads of CPU
        while not stop.wait(0.05):
            seen.add(int(reader.select(text)[0]["n"]))

    watcher = threading.Thread(target=read, daemon=True)
    watcher.start()
    outcomes = []
    try:
        for _ in range(pairs):
            errors: list = []
            loads = [threading.Thread(target=one, args=(v, errors)) for v in parsed]
            for t in loads:
                t.start()
            for t in loads:
                t.join()
            outcomes.append(errors)
    finally:
        stop.set()
        watcher.join(timeout=60)
    return before, seen, outcomes


def changed_sources(tmp_path: Path):
    """The project's sources, and the same with one triple more in the letter's graph."""
    import dataclasses

    from defcoop.graph.files import default_sources

    sources = default_sources()
    doc = next(s for s in sources if s.kind == "document")
    changed = tmp_path / f"{doc.path.stem}.ttl"
    changed.write_text(doc.path.read_text(encoding="utf-8")
                       + '\n<https://example.org/marker> <https://example.org/p> "changed" .\n',
                       encoding="utf-8")
    return sources, [dataclasses.replace(s, path=changed) if s is doc else s for s in sources], doc
