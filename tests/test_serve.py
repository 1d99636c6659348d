"""`defcoop serve`: the HTTP application, through real clients against a real server.

The server is the real command (`python -m defcoop serve`) on a free port, started
once for the module. The clients: urllib, SPARQLWrapper (through
`defcoop.query.endpoint.remote`), Apache Jena's ``arq.rsparql`` (marked ``jena``),
and the w3id rules followed as Apache would.
"""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from test_queries import EXPECTED, assert_same, defaults
from test_store_support import free_port

from defcoop.graph.files import default_sources
from defcoop.query.formats import render
from defcoop.query.library import bind, load_library
from defcoop.query.runner import execute

pytestmark = pytest.mark.slow  # a server on a free port, real clients, Jena: `pytest -m "not slow"` skips them

LIBRARY = load_library()
NAMES = [q.name for q in LIBRARY]
BASE = "https://w3id.org/defcoop/"
THING = "id/event/f35-roll-out"


# --------------------------------------------------------------------------- the server


class Served:
    """``defcoop serve`` as a child process on ``port``; ``url`` once it says it is ready."""

    def __init__(self, port: int, *args: str):
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, "-m", "defcoop", "serve", "--port", str(port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("SPARQL endpoint: "):
            self.stop()
            pytest.fail(f"defcoop serve did not start: {line!r} {self.process.stderr.read()}")
        self.url = line.split(": ", 1)[1].strip().rsplit("/", 1)[0]

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        return self.process.returncode


@pytest.fixture(scope="module")
def server():
    served = Served(free_port())
    yield served.url
    served.stop()


def get(url: str, accept: str | None = None, data: bytes | None = None, content_type: str | None = None):
    """``(status, headers, body)``, whatever the status."""
    headers = {"Accept": accept} if accept else {}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def problem(status, headers, body) -> dict:
    """A response that must be one line of RFC 9457 JSON."""
    assert headers["Content-Type"] == "application/problem+json"
    text = body.decode()
    assert text.count("\n") == 1 and text.endswith("\n"), text
    doc = json.loads(text)
    assert doc["status"] == status and doc["title"] and doc["detail"]
    assert "Traceback" not in text
    return doc


def embedded_csv(name: str) -> str:
    q = next(q for q in LIBRARY if q.name == name)
    return render(execute(bind(q, defaults(q)), name=name), "csv")


# --------------------------------------------------------------------------- /api


@pytest.mark.parametrize("name", NAMES)
def test_every_stored_query_through_the_api_gives_the_expected_rows(server, name):
    q = next(q for q in LIBRARY if q.name == name)
    status, headers, body = get(f"{server}/api/{name}.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert_same(q, body.decode(), (EXPECTED / f"{name}.csv").read_text(encoding="utf-8"), "/api")


def test_the_api_negotiates_json_csv_html_and_refuses_others(server):
    for accept, media in (("application/json", "application/sparql-results+json"),
                          ("text/csv", "text/csv"), ("text/html", "text/html"),
                          ("text/tab-separated-values", "text/tab-separated-values")):
        status, headers, _ = get(f"{server}/api/partners", accept)
        assert status == 200 and headers["Content-Type"].split(";")[0] == media, accept
        assert headers["Vary"] == "Accept"
    answer = json.loads(get(f"{server}/api/partners", "application/json")[2])
    assert len(answer["results"]["bindings"]) == len(embedded_csv("partners").splitlines()) - 1
    problem(*get(f"{server}/api/partners", "image/png"))
    assert get(f"{server}/api/partners", "image/png")[0] == 406


def test_paging_with_link_headers(server):
    whole = embedded_csv("timeline").splitlines()
    status, headers, body = get(f"{server}/api/timeline.csv?limit=5&offset=5")
    assert status == 200
    assert body.decode().splitlines() == [whole[0], *whole[6:11]]
    link = headers["Link"]
    assert 'offset=0>; rel="first"' in link and 'offset=0>; rel="prev"' in link
    assert 'limit=5&offset=10>; rel="next"' in link
    last = get(f"{server}/api/timeline.csv?limit=5&offset={len(whole) - 2}")[1]["Link"]
    assert 'rel="next"' not in last


@pytest.mark.parametrize("query, parameter", [
    ("partner?country=%3Cnot%20an%20iri%3E", "country"),
    ("partner?lang=e%20n", "lang"),
    ("partner?colour=blue", "colour"),
    ("partner?lang=en&lang=nl", "lang"),
    ("timeline?limit=ten", "limit"),
    ("timeline?offset=-1", "offset"),
])
def test_a_bad_parameter_is_a_400_naming_it(server, query, parameter):
    status, headers, body = get(f"{server}/api/{query}")
    assert status == 400
    doc = problem(status, headers, body)
    assert doc["parameter"] == parameter and doc["detail"].startswith(parameter)


@pytest.mark.parametrize("query, parameter", [
    ("qery=ASK%7B%7D", "qery"),
    ("query=ASK%7B%7D&query=ASK%7B%7D", "query"),
    ("query=SELECT%20WHERE", "query"),
    ("query=ASK%7B%7D&default-graph-uri=not%20an%20iri", "default-graph-uri"),
])
def test_a_bad_sparql_parameter_is_a_400_naming_it(server, query, parameter):
    status, headers, body = get(f"{server}/sparql?{query}")
    assert status == 400
    assert problem(status, headers, body)["parameter"] == parameter


def test_a_parameter_binds_as_defcoop_query_binds(server):
    q = next(q for q in LIBRARY if q.name == "partner")
    local = render(execute(bind(q, {"country": "id:FR", "lang": "nl"}), name="partner"), "csv")
    status, _, body = get(f"{server}/api/partner.csv?country=id:FR&lang=nl")
    assert status == 200 and body.decode() == local
    assert "Frankrijk" in local


def test_openapi_is_valid_3_1_and_every_example_call_succeeds(server):
    from openapi_spec_validator import validate
    from openapi_spec_validator.versions import consts, get_spec_version

    status, headers, body = get(f"{server}/api/openapi.json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    spec = json.loads(body)
    assert get_spec_version(spec) == consts.OPENAPIV31
    validate(spec)
    assert sorted(p.rsplit("/", 1)[1] for p in spec["paths"]) == sorted(NAMES)
    for path, item in spec["paths"].items():
        operation = item["get"]
        declared = {p["name"] for p in operation["parameters"] if "name" in p}
        call = operation["x-example-call"]
        assert call.startswith(path) and f"`GET {call}`" in operation["description"]
        assert set(urllib.parse.parse_qs(urllib.parse.urlsplit(call).query)) <= declared
        status, _, body = get(server + call, "application/json")
        assert status == 200, call
        assert json.loads(body)["head"]["vars"], call
    page = get(f"{server}/api")[2].decode()
    assert all(f"GET /api/{name}<" in page for name in NAMES)


# --------------------------------------------------------------------------- /sparql


@pytest.mark.parametrize("name", NAMES)
def test_sparql_answers_sparqlwrapper_as_the_embedded_engine(server, name):
    from defcoop.query.endpoint import remote  # SPARQLWrapper

    q = next(q for q in LIBRARY if q.name == name)
    text = bind(q, defaults(q))
    assert_same(q, render(remote(text, f"{server}/sparql", name=name), "csv"), embedded_csv(name), "/sparql")


def _jena_classpath(tmp: Path) -> str:
    spec = importlib.util.spec_from_file_location("bench_jena", Path(__file__).parents[1] / "benchmarks" / "jena.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.classpath(tmp)


@pytest.mark.jena
@pytest.mark.parametrize("name", ["partners", "timeline", "people"])
def test_sparql_answers_jena_rsparql_as_the_embedded_engine(server, name, tmp_path_factory):
    if shutil.which("java") is None or not Path("/usr/share/java/jena-arq.jar").exists():
        if os.environ.get("DEFCOOP_REQUIRE_JENA"):
            pytest.fail("Jena is required here (DEFCOOP_REQUIRE_JENA) but java or jena-arq.jar is missing")
        pytest.skip("Java or Debian's libapache-jena-java (/usr/share/java/jena-arq.jar) is not installed")
    q = next(q for q in LIBRARY if q.name == name)
    folder = tmp_path_factory.mktemp("jena")
    (folder / "q.rq").write_text(bind(q, defaults(q)), encoding="utf-8")
    out = subprocess.run(
        ["java", "-cp", _jena_classpath(folder), "arq.rsparql", "--service", f"{server}/sparql",
         "--query", str(folder / "q.rq"), "--results", "CSV"],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert_same(q, out.stdout.replace("\r\n", "\n"), embedded_csv(name), "Jena rsparql")


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_sparql_result_formats(server, accept, media):
    query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    for data in (None, query.encode()):  # GET, then POST of a form
        url = f"{server}/sparql" + ("" if data else f"?{query}")
        status, headers, body = get(url, accept, data,
                                    "application/x-www-form-urlencoded" if data else None)
        assert status == 200 and headers["Content-Type"].split(";")[0] == media
        assert str(sum(1 for _ in _merged())).encode() in body


def _merged():
    from defcoop.query.engine import load_store

    return load_store().quads_for_pattern(None, None, None, ox.DefaultGraph())


def test_sparql_query_by_post_body_and_graph_results(server):
    text = f"CONSTRUCT {{ <{BASE}{THING}> ?p ?o }} WHERE {{ <{BASE}{THING}> ?p ?o }}"
    status, headers, body = get(f"{server}/sparql", "text/turtle", text.encode(), "application/sparql-query")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) > 5
    assert get(f"{server}/sparql", "image/png", text.encode(), "application/sparql-query")[0] == 406


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.seen.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET


@pytest.mark.parametrize("how", ["update-form", "update-body", "update-in-query", "service"])
def test_an_update_and_service_are_refused(server, how):
    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    elsewhere = f"http://127.0.0.1:{listener.server_address[1]}/sparql"
    _Recorder.seen = []
    try:
        insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
        if how == "update-form":
            answer = get(f"{server}/sparql", None, urllib.parse.urlencode({"update": insert}).encode(),
                         "application/x-www-form-urlencoded")
        elif how == "update-body":
            answer = get(f"{server}/sparql", None, insert.encode(), "application/sparql-update")
        elif how == "update-in-query":
            answer = get(f"{server}/sparql?" + urllib.parse.urlencode({"query": insert}))
        else:
            text = f"SELECT * WHERE {{ SERVICE <{elsewhere}> {{ ?s ?p ?o }} }}"
            answer = get(f"{server}/sparql?" + urllib.parse.urlencode({"query": text}))
        doc = problem(*answer)
        assert answer[0] == 400
        assert ("SERVICE" if how == "service" else "read-only") in doc["detail"]
        time.sleep(0.2)
        assert _Recorder.seen == [], "the server sent a request elsewhere"
    finally:
        listener.shutdown()
        listener.server_close()
    count = "SELECT (COUNT(*) AS ?n) WHERE { <urn:a> ?p ?o }"
    assert get(f"{server}/sparql?" + urllib.parse.urlencode({"query": count}), "text/csv")[2].split() == [b"n", b"0"]


def test_a_huge_query_is_refused_unread(server):
    huge = b"query=" + b"A" * (2 << 20)
    status, headers, body = get(f"{server}/sparql", None, huge, "application/x-www-form-urlencoded")
    assert status == 413
    problem(status, headers, body)


def test_other_methods_and_missing_pages_are_problems(server):
    for url, data, status in ((f"{server}/sparql", None, 400), (f"{server}/nothing/here", None, 404),
                              (f"{server}/id/no-such-thing", None, 404), (f"{server}/api/no-such-query", None, 404)):
        problem(*get(url, data=data))
        assert get(url, data=data)[0] == status, url
    request = urllib.request.Request(f"{server}/api/partners", method="DELETE")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 405


# --------------------------------------------------------------------------- the things


@pytest.mark.parametrize("accept, media, ext", [
    ("text/html", "text/html", "html"),
    ("text/turtle", "text/turtle", "ttl"),
    ("application/ld+json", "application/ld+json", "jsonld"),
    ("application/n-triples", "application/n-triples", "nt"),
    (None, "text/html", "html"),
])
def test_an_iri_dereferences_with_content_negotiation(server, accept, media, ext):
    status, headers, body = get(f"{server}/{THING}", accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == media
    assert headers["Vary"] == "Accept"
    location = headers["Content-Location"]
    assert location == f"/{THING}.{ext}"  # the document, not the thing
    same = get(server + location)
    assert same[0] == 200 and same[2] == body and same[1]["Content-Type"].split(";")[0] == media
    if ext == "html":
        assert "roll-out" in body.decode()
        return
    fmt = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "nt": ox.RdfFormat.N_TRIPLES}[ext]
    triples = list(ox.parse(body, format=fmt))
    thing = ox.NamedNode(BASE + THING)
    about = [t for t in triples if t.subject == thing]
    pointing = [t for t in triples if t.object == thing]
    assert len(about) >= 8 and pointing
    body_of = ox.NamedNode("http://www.w3.org/ns/oa#hasBody")
    annotations = {t.subject for t in pointing if t.predicate == body_of}
    assert annotations, "the annotations that source it"
    exact = ox.NamedNode("http://www.w3.org/ns/oa#exact")
    assert any(t.predicate == exact for t in triples), "their quotes"
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    local = {t for t in _merged() if t.subject == thing}
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in local} <= {
        ox.Triple(t.subject, t.predicate, t.object) for t in store.quads_for_pattern(thing, None, None)}


def test_an_unknown_media_type_is_406(server):
    ask = urllib.parse.urlencode({"query": "ASK {}"})
    for url in (f"{server}/{THING}", f"{server}/.well-known/void", f"{server}/sparql?{ask}"):
        status, headers, body = get(url, "image/png")
        assert status == 406
        problem(status, headers, body)


def test_other_iris_resolve_too(server):
    for path in ("vocab/status/done", "ontology", "graph/document/kst-33279-29", "id/NL"):
        status, _, body = get(f"{server}/{path}", "text/turtle")
        assert status == 200, path
        assert list(ox.parse(body, format=ox.RdfFormat.TURTLE)), path
    assert b"owl:Ontology" in get(f"{server}/ontology", "text/turtle")[2]
    assert get(f"{server}/ontology", "text/html")[1]["Content-Location"] == "/ontology.html"


def test_the_dataset_description(server):
    status, headers, body = get(f"{server}/.well-known/void", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    store = ox.Store()
    store.load(body, format=ox.RdfFormat.TURTLE)

    def values(p, s=None):
        return [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None)]

    void, dcat, spdx = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://spdx.org/rdf/terms#"
    dataset = ox.NamedNode(BASE + "dataset")
    assert int(values(void + "triples", dataset)[0].value) == sum(1 for _ in _merged())
    assert {t.language for t in values("http://purl.org/dc/terms/title", dataset)} == {"en", "nl"}
    assert values("http://purl.org/dc/terms/license", dataset) == [
        ox.NamedNode("http://creativecommons.org/publicdomain/zero/1.0/")]
    subsets = values(void + "subset", dataset)
    assert {s.value for s in subsets} == {str(s.graph) for s in default_sources()}
    assert values(void + "sparqlEndpoint", dataset) == [ox.NamedNode(f"{server}/sparql")]
    assert len(values(void + "exampleResource", dataset)) == len(NAMES)
    dumps = values(dcat + "distribution", dataset)
    assert len(dumps) == 5
    for dist in dumps:
        url = values(dcat + "downloadURL", dist)[0].value
        checksum = values(spdx + "checksum", dist)[0]
        want = values(spdx + "checksumValue", checksum)[0].value
        data = get(url)[2]
        assert hashlib.sha256(data).hexdigest() == want, url
    assert get(f"{server}/.well-known/void", "application/ld+json")[0] == 200


# --------------------------------------------------------------------------- w3id rules


def test_the_w3id_rules_lead_to_the_servers_routes(server, tmp_path):
    from defcoop.web.htaccess import follow, parse

    out = subprocess.run([sys.executable, "-m", "defcoop", "serve", "--htaccess", str(tmp_path / ".htaccess"),
                          "--deployed-at", server], check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rules = parse((tmp_path / ".htaccess").read_text())
    assert rules and (tmp_path / ".htaccess").read_text().startswith("# https://w3id.org/defcoop/")
    for path in (THING, "id/NL", "vocab/status/done", "ontology", "graph/document/kst-33279-29", "dataset"):
        for accept, media in (("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
                              ("application/n-triples", "application/n-triples"),
                              ("text/html,application/xhtml+xml", "text/html"), ("*/*", None)):
            target = follow(rules, path, accept)
            assert target and target.startswith(server + "/"), (path, accept)
            status, headers, _ = get(target, accept)
            assert status == 200, (path, accept, target)
            if media:
                assert headers["Content-Type"].split(";")[0] == media, (path, accept, target)


# --------------------------------------------------------------------------- starting and stopping


def test_serve_restarts_on_the_same_port_at_once():
    port = free_port()
    first = Served(port)
    # a request the server closes first leaves a TIME_WAIT socket on the server's port
    request = urllib.request.Request(f"{first.url}/api/partners.csv", headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=60) as r:
        assert r.status == 200
    assert first.stop(signal.SIGINT) == 0
    started = time.monotonic()
    second = Served(port)
    try:
        assert get(f"{second.url}/api/partners.csv")[0] == 200
    finally:
        assert second.stop() == 0
    assert time.monotonic() - started < 30
    assert "stopped" in second.process.stderr.read()


def test_serve_on_a_busy_port_is_one_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "defcoop", "serve", "--port", str(port)],
                             check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert f"--port {port}" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_bad_data_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://ex.org/> .\nex:a ex:b .\n")
    out = subprocess.run([sys.executable, "-m", "defcoop", "serve", "--port", str(free_port()), "--data", str(bad)],
                         check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert str(bad) in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_503_while_the_graph_loads():
    """The application before and after its store is loaded (a real uvicorn server in a thread)."""
    import uvicorn

    from defcoop.web.app import create_app, listening_socket
    from defcoop.web.service import Service

    service = Service(default_sources())
    sock = listening_socket("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(service), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            try:
                answer = get(f"{url}/api/partners")
                break
            except OSError:
                time.sleep(0.05)
        assert answer[0] == 503 and answer[1]["Retry-After"]
        problem(*answer)
        service.load()
        assert get(f"{url}/api/partners")[0] == 200
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.mark.parametrize("text", [
    'SELECT ("SERVICE and INSERT" AS ?x) WHERE {}',
    "SELECT ?x WHERE { BIND(<urn:SERVICE> AS ?x) }  # SERVICE in a comment",
])
def test_the_words_only_in_strings_iris_or_comments_are_not_refused(server, text):
    status, _, body = get(f"{server}/sparql?" + urllib.parse.urlencode({"query": text}), "text/csv")
    assert status == 200, body


def test_the_cli_does_not_import_the_web_stack_until_serve_runs():
    probe = "import sys, defcoop.cli; print(sorted(m for m in ('starlette', 'uvicorn', 'defcoop.web') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr
