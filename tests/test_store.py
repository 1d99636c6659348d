"""`defcoop load` and `defcoop serve` without the CI's stores: errors, dry run,
batching, a real Oxigraph server killed mid-load, and the local endpoint.

Every test runs the real command as a separate process against real HTTP servers
(canned ones for the errors, the `oxigraph` binary for the rest).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import BNode
from rdflib.compare import isomorphic

from defcoop.graph.files import default_sources, load_dataset
from defcoop.stores.client import batches
from test_store_support import (
    FaultyProxy, OxigraphServer, Server, basic_auth_required, defcoop, free_port,
    graph_on_store, html_page, recorder, silent,
)

SECRET = "s3cret-Value-42"

# name -> (server behaviour or None for "nobody listens", extra args, env, expected words)
ERROR_CASES = {
    "unreachable": (None, [], {}, "connection refused"),
    "html-answer": (html_page, [], {}, "HTML"),
    "wrong-credentials": (basic_auth_required, ["--auth", "basic"],
                          {"DEFCOOP_STORE_USER": "dba", "DEFCOOP_STORE_PASSWORD": SECRET}, "401"),
    "no-answer": (silent, ["--timeout", "1", "--retries", "0"], {}, "no answer within 1 s"),
    "auth-without-credentials": (html_page, ["--auth", "digest"], {}, "DEFCOOP_STORE_USER"),
    "not-http": ("ftp", [], {}, "not an http(s) URL"),
    "bad-batch-size": (html_page, ["--batch-size", "0"], {}, "--batch-size"),
    "bad-graph-override": (html_page, ["--graph", "nosuch=https://example.org/g"], {}, "nosuch"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_load_error_is_one_line_and_exit_2(case):
    behaviour, args, env, words = ERROR_CASES[case]
    if behaviour is None:
        url = f"http://127.0.0.1:{free_port()}/sparql"
        out = defcoop("load", "--endpoint", url, *args, env=env)
    elif behaviour == "ftp":
        out = defcoop("load", "--endpoint", "ftp://127.0.0.1/sparql", *args, env=env)
    else:
        with Server(behaviour) as server:
            out = defcoop("load", "--endpoint", server.url + "/sparql", *args, env=env)
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("defcoop: error: ") and words in lines[0], lines[0]
    assert SECRET not in out.stderr


def test_dry_run_prints_every_request_and_sends_none():
    with Server(None) as server:
        server.behaviour = recorder(server)
        out = defcoop("load", "--endpoint", server.url + "/query", "--update",
                      server.url + "/update", "--dry-run")
        assert out.returncode == 0, out.stderr
        assert server.requests == []
    lines = out.stdout.splitlines()
    assert lines[0].startswith("POST " + server.url + "/query  ASK")
    inserts = [line for line in lines if "INSERT DATA { GRAPH" in line and "triples" in line]
    assert sum(int(re.search(r"\((\d+) triples", line).group(1)) for line in inserts) == len(
        load_dataset())
    # one request replaces every graph: only its operations are indented below it
    assert sum("one request, one transaction" in line for line in lines) == 1
    assert not any("defcoop-staging" in line for line in lines)  # no staging without --gsp
    for s in default_sources():
        assert f"count triples in <{s.graph}>" in out.stdout


@pytest.mark.parametrize("size", [1, 7, 100, 1000])
def test_batches_keep_blank_nodes_together(project_graph, size):
    seen_in = {}
    total = 0
    for i, batch in enumerate(batches(project_graph, size)):
        total += len(batch)
        nodes = {x for t in batch for x in (t[0], t[2]) if isinstance(x, BNode)}
        assert len(batch) <= size or nodes, "only a blank-node group may exceed the size"
        for node in nodes:
            assert seen_in.setdefault(node, i) == i, f"{node} split across batches"
    assert total == len(project_graph)
    assert seen_in, "the project data has blank nodes, so this test can fail"


def _changed_document(tmp_path: Path) -> Path:
    """The letter's facts plus one triple: loading it would change the document graph."""
    doc = next(s for s in default_sources() if s.kind == "document")
    changed = tmp_path / f"{doc.path.stem}.ttl"
    changed.write_text(doc.path.read_text(encoding="utf-8")
                       + "\n<https://example.org/marker> <https://example.org/p> \"not in the letter\" .\n",
                       encoding="utf-8")
    return changed


def test_killing_the_server_mid_load_leaves_the_previous_graph(tmp_path):
    """A real Oxigraph server killed (SIGKILL) halfway; restarted, it holds the old graphs."""
    server = OxigraphServer(tmp_path / "db").start()
    try:
        first = defcoop("load", "--endpoint", server.url + "/query", "--update", server.url + "/update")
        assert first.returncode == 0, first.stderr
        proxy = FaultyProxy(server.url, fail_at=4, mode="close", gone=True, before_fault=server.kill)
        with proxy:
            doc = next(s for s in default_sources() if s.kind == "document")
            out = defcoop("load", "--endpoint", proxy.url + "/query", "--update", proxy.url + "/update",
                          "--data", str(_changed_document(tmp_path)),
                          "--graph", f"{doc.path.stem}={doc.graph}", "--retries", "1")
        assert proxy.faults >= 1 and server.process.poll() is not None
        assert out.returncode == 2
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
        # the replace request never reached the store (killed first), so it cannot say
        # whether it applied it; it says so, and how to remove this run's claim
        assert "all graphs replaced or none" in out.stderr and "--cleanup" in out.stderr, out.stderr
        server.start()  # same database folder
        for s in default_sources():
            local = load_dataset([s]).graph(s.graph)
            assert isomorphic(graph_on_store(server.url + "/query", str(s.graph)), local), s.graph
    finally:
        server.stop()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_answers_read_only_and_stops_cleanly(tmp_path, stop):
    port = free_port()
    env = dict(os.environ, TMPDIR=str(tmp_path))
    process = subprocess.Popen([sys.executable, "-m", "defcoop", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        assert line.strip() == f"SPARQL endpoint: http://127.0.0.1:{port}/query", process.stderr.read()
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        with urllib.request.urlopen(urllib.request.Request(
                f"http://127.0.0.1:{port}/query?{query}", headers={"Accept": "text/csv"})) as r:
            assert int(r.read().decode().splitlines()[1]) == len(load_dataset())
        with pytest.raises(urllib.error.HTTPError):  # read-only: no updates
            urllib.request.urlopen(f"http://127.0.0.1:{port}/update", data=urllib.parse.urlencode(
                {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}).encode())
        children = _children(process.pid)
        assert children, "the oxigraph server runs as a child process"
        process.send_signal(stop)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "stopped" in process.stderr.read()
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid), f"stray process {pid}"
    assert list(tmp_path.iterdir()) == [], "temporary folder left behind"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=2)


def test_serve_on_a_busy_port_is_an_error(tmp_path):
    with Server(html_page) as busy:
        port = busy.server_address[1]
        out = subprocess.run([sys.executable, "-m", "defcoop", "serve", "--port", str(port)],
                             capture_output=True, text=True, timeout=120,
                             env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert out.returncode == 2
    assert "did not start" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert list(tmp_path.iterdir()) == []


def _children(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        m = re.search(r"^PPid:\s+(\d+)", text, re.M)
        if m and int(m.group(1)) == pid:
            out.append(int(status.parent.name))
    return out


def _zombie(pid: int) -> bool:
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
