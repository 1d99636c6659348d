"""`defcoop query` and `defcoop queries` as a user runs them, and `--endpoint` against
real servers: an Oxigraph server with the project's data (same CSV as the embedded
graph for every stored query), a server that answers HTML, one that answers 500,
one that never answers, and a port nobody listens on. No mocks."""

from __future__ import annotations

import csv
import http.server
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter

import pytest
from rdflib import Graph

from defcoop.errors import DefcoopError
from defcoop.graph.files import default_sources
from defcoop.query.endpoint import remote
from defcoop.query.formats import render
from defcoop.query.library import bind, load_library
from defcoop.query.runner import execute
from defcoop.stores.serve import oxigraph_binary
from test_store_support import OxigraphServer

pytestmark = pytest.mark.slow  # subprocesses, servers or builds: `pytest -m "not slow"` skips them

LIBRARY = load_library()


def defcoop(*args, env=None):
    full = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "defcoop", *args],
        capture_output=True, text=True, env=full, timeout=180,
    )


def csv_rows(text):
    r = csv.reader(io.StringIO(text))
    return next(r), [tuple(x) for x in r]


# -- the library on the command line ----------------------------------------

def test_queries_lists_the_library_as_json():
    out = defcoop("queries", "--format", "json")
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [q["name"] for q in listed] == [q.name for q in LIBRARY]
    partner = next(q for q in listed if q["name"] == "partner")
    assert partner["summary"]
    country = next(p for p in partner["params"] if p["name"] == "country")
    assert country == {
        "name": "country", "type": "iri", "default": "id:FR", "required": False,
        "description": country["description"],
    }


def test_queries_table_shows_names_and_parameters():
    out = defcoop("queries")
    assert out.returncode == 0, out.stderr
    assert "timeline" in out.stdout and "--param country=<iri>" in out.stdout


def test_query_by_name_with_a_parameter_and_dutch_labels():
    out = defcoop("query", "partner", "--param", "country=id:NO", "--lang", "nl", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert "Joint Arctic Training 2019: de jaarlijkse Nederlandse wintertraining in Noorwegen" in out.stdout
    assert "Joint Arctic Training 2019: the annual" not in out.stdout


def test_every_format_prints():
    table = defcoop("query", "partners")
    assert table.returncode == 0 and "id:DE" in table.stdout and "11 rows" in table.stderr
    md = defcoop("query", "partners", "--format", "markdown")
    assert md.stdout.startswith("| relation | partner | name |\n|---|---|---|\n")
    tsv = defcoop("query", "partners", "--format", "tsv")
    assert tsv.stdout.splitlines()[0] == "?relation\t?partner\t?name"
    assert '<https://w3id.org/defcoop/id/DE>\t"Germany"@en' in tsv.stdout
    js = json.loads(defcoop("query", "partners", "--format", "json").stdout)
    assert js["head"]["vars"] == ["relation", "partner", "name"]
    de = next(b for b in js["results"]["bindings"] if b["partner"]["value"].endswith("/DE"))
    assert de["name"] == {"type": "literal", "value": "Germany", "xml:lang": "en"}


@pytest.mark.parametrize("args, message", [
    (["query", "no-such-question"], "no query named 'no-such-question'"),
    (["query", "partnr"], "did you mean partner"),
    (["query", "partner", "--param", "country=France is <great>"], "--param country"),
    (["query", "partner", "--param", "colour=red"], "--param colour: partner has no such parameter"),
    (["query", "partner", "--param", "country"], "name=value"),
    (["query", "letter", "--param", "document=nope:x"], "unknown prefix 'nope'"),
    (["query", "missing-file.rq"], "missing-file.rq: no such query file"),
])
def test_bad_input_is_one_clear_line_and_exit_2(args, message):
    out = defcoop(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert out.stdout == ""
    assert "Traceback" not in out.stderr


def test_a_users_query_runs_by_name_at_once(tmp_path):
    (tmp_path / "my-question.rq").write_text(
        "#+ summary: How many agreements of one type\n"
        '#+ param: type iri default=dco:DeclarationOfIntent "the class"\n'
        "PREFIX dco: <https://w3id.org/defcoop/ontology#>\n"
        "SELECT (COUNT(?a) AS ?n) WHERE { ?a a ?type }\n",
        encoding="utf-8",
    )
    env = {"DEFCOOP_QUERY_PATH": str(tmp_path)}
    listed = json.loads(defcoop("queries", "--format", "json", env=env).stdout)
    assert "my-question" in [q["name"] for q in listed]
    out = defcoop("query", "my-question", "--format", "csv", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "n\n3\n"  # 2013, May 2018 (digital), 2019
    out = defcoop("query", "my-question", "--param", "type=dco:StatementOfIntent", "--format", "csv", env=env)
    assert out.stdout == "n\n1\n"


def test_a_syntax_error_names_the_file(tmp_path):
    bad = tmp_path / "broken.rq"
    bad.write_text("#+ summary: broken\nSELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    out = defcoop("query", "broken", env={"DEFCOOP_QUERY_PATH": str(tmp_path)})
    assert out.returncode == 2
    assert str(bad) in out.stderr and "syntax error" in out.stderr
    assert out.stdout == ""


def test_ask_and_construct(tmp_path):
    ask = tmp_path / "ask.rq"
    ask.write_text(
        '#+ param: who iri default=id:GB "a state"\n'
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        "ASK { ?m org:member ?who }\n", encoding="utf-8")
    assert defcoop("query", str(ask)).stdout == "true\n"
    assert defcoop("query", str(ask), "--param", "who=id:NO").stdout == "false\n"
    construct = tmp_path / "construct.rq"
    construct.write_text(
        "PREFIX dco: <https://w3id.org/defcoop/ontology#>\n"
        "CONSTRUCT { ?a dco:party ?p } WHERE { ?a a dco:StatementOfIntent ; dco:party ?p }\n",
        encoding="utf-8")
    out = defcoop("query", str(construct))
    assert out.returncode == 0, out.stderr
    g = Graph().parse(data=out.stdout, format="turtle")
    assert len(g) == 2 and "agr:soi-nl-fr-2019" in out.stdout


# -- --endpoint: a real Oxigraph server ----------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    """An Oxigraph server (PyPI `oxigraph`) of this module's own, with the project's
    files, one named graph each."""
    try:
        oxigraph_binary()
    except DefcoopError as exc:
        pytest.skip(str(exc))
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db").start()
    try:
        for source in default_sources():
            req = urllib.request.Request(
                f"{server.url}/store?graph={urllib.request.quote(str(source.graph), safe='')}",
                data=source.path.read_bytes(), method="POST",
                headers={"Content-Type": "text/turtle"},
            )
            urllib.request.urlopen(req, timeout=30).read()
        yield f"{server.url}/query"
    finally:
        server.stop()


@pytest.mark.parametrize("name", [q.name for q in LIBRARY])
def test_same_csv_from_the_endpoint(name, oxigraph_url):
    q = next(q for q in LIBRARY if q.name == name)
    text = bind(q, {"lang": "en"} if q.param("lang") else {})
    embedded = render(execute(text, name=name), "csv")
    served = render(remote(text, oxigraph_url, name=name), "csv")
    e_head, e_rows = csv_rows(embedded)
    s_head, s_rows = csv_rows(served)
    assert s_head == e_head
    if q.ordered:
        assert s_rows == e_rows
    else:
        assert Counter(s_rows) == Counter(e_rows)


def test_the_command_line_prints_the_same_from_the_endpoint(oxigraph_url):
    local = defcoop("query", "agreements", "--format", "csv", "--lang", "nl")
    served = defcoop("query", "agreements", "--format", "csv", "--lang", "nl", "--endpoint", oxigraph_url)
    assert served.returncode == 0, served.stderr
    assert served.stdout == local.stdout
    assert "Statement of Intent van Frankrijk en Nederland" in served.stdout


def test_construct_from_the_endpoint(oxigraph_url, tmp_path):
    construct = tmp_path / "construct.rq"
    construct.write_text(
        "PREFIX dco: <https://w3id.org/defcoop/ontology#>\n"
        "CONSTRUCT { ?a dco:party ?p } WHERE { ?a a dco:DeclarationOfIntent ; dco:party ?p }\n",
        encoding="utf-8")
    out = defcoop("query", str(construct), "--endpoint", oxigraph_url)
    assert out.returncode == 0, out.stderr
    assert len(Graph().parse(data=out.stdout, format="turtle")) == 6


# -- --endpoint: servers that answer badly -------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    status, content_type, body, delay = 200, "text/html", b"<!DOCTYPE html><html>Welcome</html>", 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.delay)
        try:
            self.send_response(self.status)
            self.send_header("Content-Type", self.content_type)
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def bad_server():
    servers = []

    def start(**attrs):
        handler = type("H", (_Handler,), attrs)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.mark.parametrize("attrs, message", [
    ({}, "the answer is not SPARQL JSON results (Content-Type text/html): '<!DOCTYPE html>"),
    ({"content_type": "application/sparql-results+json", "body": b'{"oops": 1}'}, "not SPARQL JSON results"),
    ({"status": 500, "content_type": "text/plain", "body": b"Virtuoso 37000 Error SP030: boom\n"},
     "HTTP 500 Internal Server Error: Virtuoso 37000 Error SP030: boom"),
    ({"status": 503, "content_type": "text/plain", "body": b"maintenance"}, "HTTP 503"),
    ({"status": 404, "content_type": "text/plain", "body": b"no"}, "HTTP 404 Not Found"),
])
def test_a_bad_answer_is_one_line_and_exit_2(bad_server, attrs, message):
    url = bad_server(**attrs)
    out = defcoop("query", "partners", "--endpoint", url)
    assert out.returncode == 2
    assert message in out.stderr, out.stderr
    assert url in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert out.stdout == ""


def test_a_timeout_is_reported(bad_server):
    url = bad_server(delay=5, content_type="application/sparql-results+json", body=b"{}")
    started = time.monotonic()
    out = defcoop("query", "partners", "--endpoint", url, "--timeout", "1")
    assert out.returncode == 2
    assert "no answer within 1 s (timeout)" in out.stderr, out.stderr
    assert time.monotonic() - started < 60


def test_an_unreachable_endpoint_is_reported():
    url = f"http://127.0.0.1:{free_port()}/sparql"
    out = defcoop("query", "partners", "--endpoint", url)
    assert out.returncode == 2
    assert f"{url}: cannot reach the endpoint" in out.stderr
    assert out.stdout == ""


def test_virtuoso_typed_literals_are_read():
    from defcoop.query.endpoint import parse_json_results

    body = json.dumps({
        "head": {"vars": ["n", "d", "s", "l"]},
        "results": {"bindings": [{
            "n": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "7"},
            "d": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#date", "value": "2019-06-19"},
            "s": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#string", "value": "x"},
            "l": {"type": "literal", "xml:lang": "nl", "value": "Noorwegen"},
        }]},
    }).encode()
    result = parse_json_results(body)
    assert render(result, "csv") == "n,d,s,l\n7,2019-06-19,x,Noorwegen\n"
    assert render(result, "tsv").splitlines()[1] == (
        '7\t"2019-06-19"^^<http://www.w3.org/2001/XMLSchema#date>\t"x"\t"Noorwegen"@nl'
    )
