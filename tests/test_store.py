"""`defcoop load` without the CI's stores: errors, dry run, batching, a real
Oxigraph server killed mid-load (`defcoop serve`: tests/test_serve.py).

Every test runs the real command as a separate process against real HTTP servers
(canned ones for the errors, the `oxigraph` binary for the rest).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode
from rdflib.compare import isomorphic

from defcoop.graph.files import default_sources, load_dataset
from defcoop.stores.client import batches
from test_store_support import (
    FaultyProxy, OxigraphServer, Server, basic_auth_required, changed_sources, concurrent_loads,
    defcoop, free_port, graph_on_store, graphs_on_store, html_page, recorder, silent,
    sparql_front,
)

from defcoop.stores.load import STAGING_SUFFIX, lock_graph

pytestmark = pytest.mark.slow  # subprocesses, servers or builds: `pytest -m "not slow"` skips them

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
        proxy = FaultyProxy(server.url, mode="close", gone=True, before_fault=server.kill,
                            fail_when=_REPLACE_REQUEST)
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
        assert "all graphs replaced or none" in out.stderr and "remove with: `defcoop load --cleanup" in out.stderr, out.stderr
        server.start()  # same database folder
        for s in default_sources():
            local = load_dataset([s]).graph(s.graph)
            assert isomorphic(graph_on_store(server.url + "/query", str(s.graph)), local), s.graph
    finally:
        server.stop()


REFUSALS = {
    "ipv6-url-unclosed": ("http://[::1", [], {}, "not a usable URL", "Traceback"),
    "credentials-in-url": ("http://dba:" + SECRET + "@{host}/query", [], {}, "credentials in the URL",
                           SECRET),
    "update-answers-html": ("{server}/query", ["--update", "{server}/update"], {}, "HTML page", "verification"),
    "read-only-store-403": ("{server}/query", ["--update", "{server}/update"], {}, "nothing written",
                            "staging"),
    "preemptive-in-clear": ("{server}/query", ["--update", "http://192.0.2.1/update", "--preemptive-auth"],
                            {"DEFCOOP_STORE_USER": "dba", "DEFCOOP_STORE_PASSWORD": SECRET}, "in clear", SECRET),
}
_FRONTS = {
    "update-answers-html": sparql_front(200, b"<!DOCTYPE html><html><body>Welcome</body></html>", "text/html"),
    "read-only-store-403": sparql_front(403, b"read-only", "text/plain"),
}


@pytest.mark.parametrize("command", ["load", "query"])
@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_with_one_line_and_exit_2(case, command):
    url, extra, env, words, absent = REFUSALS[case]
    if command == "query" and extra:
        pytest.skip("load-only case (--update)")
    with Server(_FRONTS.get(case, sparql_front(500, b"unexpected", "text/plain"))) as server:
        host = server.url.split("//", 1)[1]
        args = [a.format(server=server.url, host=host) for a in extra]
        name = ["partners"] if command == "query" else []
        out = defcoop(command, *name, "--endpoint", url.format(server=server.url, host=host), *args, env=env)
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("defcoop: error: "), out.stderr
    assert words in lines[0] and absent not in out.stderr, lines[0]


@pytest.fixture
def oxigraph(tmp_path):
    server = OxigraphServer(tmp_path / "db").start()
    yield server
    server.stop()


def _assert_holds(url: str, sources):
    for s in sources:
        local = load_dataset([s]).graph(s.graph)
        assert isomorphic(graph_on_store(url + "/query", str(s.graph)), local), s.graph


def test_credentials_go_only_where_they_are_asked_for(oxigraph):
    """A listener in front of a real store records every request's Authorization header."""
    env = {"DEFCOOP_STORE_USER": "dba", "DEFCOOP_STORE_PASSWORD": SECRET}
    with FaultyProxy(oxigraph.url) as open_store:  # asks nobody for credentials
        out = defcoop("load", "--endpoint", open_store.url + "/query", "--update",
                      open_store.url + "/update", env=env)
        assert out.returncode == 0, out.stderr
        query = defcoop("query", "partners", "--endpoint", open_store.url + "/query", env=env)
        assert query.returncode == 0, query.stderr
        assert open_store.seen and all(auth is None for _, _, auth, _ in open_store.seen)
    with FaultyProxy(oxigraph.url, challenge=("/update",)) as guarded:  # only /update asks
        out = defcoop("load", "--endpoint", guarded.url + "/query", "--update", guarded.url + "/update",
                      env=env)
        assert out.returncode == 0, out.stderr
        updates = [auth for _, path, auth, _ in guarded.seen if path.startswith("/update")]
        assert updates[0] is None and all(updates[1:]), "credentials only after the challenge"
        assert all(auth is None for _, path, auth, _ in guarded.seen if path.startswith("/query"))
        guarded.seen.clear()
        out = defcoop("load", "--endpoint", guarded.url + "/query", "--update", guarded.url + "/update",
                      "--preemptive-auth", env=env)
        assert out.returncode == 0, out.stderr
        updates = [auth for _, path, auth, _ in guarded.seen if path.startswith("/update")]
        assert updates and all(updates), "pre-emptive: with every update request"
        assert all(auth is None for _, path, auth, _ in guarded.seen if path.startswith("/query"))
    assert SECRET not in out.stderr + out.stdout


@pytest.mark.parametrize("method", ["update", "gsp"])
def test_two_loads_at_once_twenty_times_and_a_reader_all_along(oxigraph, method, tmp_path):
    """Each pair: the letter as it is and with one triple more, loaded at once. After
    each pair every graph equals one of the files; the reader only ever counts the
    before or the after total (the union default graph; with --gsp, whose staging
    graphs the union shows, the letter's graph)."""
    original, changed, doc = changed_sources(tmp_path)
    url = oxigraph.url
    reader_graph = str(doc.graph) if method == "gsp" else None
    before, seen, outcomes = concurrent_loads(url + "/query", url + "/update",
                                      url + "/store" if method == "gsp" else None, None,
                                      [original, changed], pairs=20, reader_graph=reader_graph)
    assert all(errors == [None, None] for errors in outcomes), outcomes
    allowed = {before, before + 1}  # the letter's graph, or the union, before and after
    assert seen and seen <= allowed, f"the reader saw {sorted(seen)}, not only {sorted(allowed)}"
    final = graph_on_store(url + "/query", str(doc.graph))
    assert any(isomorphic(final, load_dataset([s]).graph(s.graph))
               for s in (doc, next(c for c in changed if c.kind == "document")))
    _assert_holds(url, [s for s in original if s.kind != "document"])
    assert not any(STAGING_SUFFIX in g for g in graphs_on_store(url + "/query"))
    assert lock_graph() not in graphs_on_store(url + "/query"), "a claim was left"


# which request the proxy cuts, by what it is (the lock's requests and its heartbeat
# make numbering them unreliable): the one replace request, the guarded swap
_REPLACE_REQUEST = lambda method, body: b"DROP+SILENT" in body  # noqa: E731
_SWAP_REQUEST = lambda method, body: b"update=" in body and b"endedAtTime" in body  # noqa: E731

# how the proxy cuts the request that replaces the graphs, and what the user must read
CUTS = {
    # the swap never reaches the store, which is gone from then on
    "gsp-swap-cut-store-gone": ("gsp", _SWAP_REQUEST, "close", True, ["left on the store", "--cleanup"]),
    # the swap request is cut once; the store still answers, so the debris is removed
    # (whether the store got the request the client cannot know: it says so)
    "gsp-swap-cut-once": ("gsp", _SWAP_REQUEST, "close", False, ["all graphs replaced or none", "removed"]),
    # the replace request reaches the store, its answer is lost: the marker says it committed
    "update-answer-lost": ("update", _REPLACE_REQUEST, "answer-lost", False, []),
}


@pytest.mark.parametrize("case", sorted(CUTS))
def test_a_cut_swap_leaves_the_graphs_whole_and_says_what_is_left(oxigraph, case, tmp_path):
    method, which, mode, gone, words = CUTS[case]
    url = oxigraph.url
    assert defcoop("load", "--endpoint", url + "/query", "--update", url + "/update").returncode == 0
    _, changed, doc = changed_sources(tmp_path)
    with FaultyProxy(url, fail_when=which, mode=mode, gone=gone) as proxy:
        args = ["--endpoint", proxy.url + "/query", "--update", proxy.url + "/update", "--retries", "0",
                "--data", str(next(c for c in changed if c.kind == "document").path),
                "--graph", f"{doc.path.stem}={doc.graph}",
                "--no-entailed"]  # no entailed graph of the --data file: fewer graphs
        if method == "gsp":
            args += ["--gsp", proxy.url + "/store"]
        out = defcoop("load", *args)
    assert proxy.faults >= 1, "the fault was not injected"
    if not words:  # committed although the answer was lost: a verified load
        assert out.returncode == 0, out.stderr
        assert len(graph_on_store(url + "/query", str(doc.graph))) == len(load_dataset([doc])) + 1
        return
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and all(w in lines[0] for w in words), out.stderr
    _assert_holds(url, default_sources())  # the previous graphs, whole
    left = {g for g in graphs_on_store(url + "/query") if STAGING_SUFFIX in g}
    if gone:
        assert left, "the store was gone: the staging graphs are still there, as the message says"
        command = lines[0].split("remove with: `", 1)[1].split("`", 1)[0]
        argv = command.split()[1:]
        argv = [a.replace(proxy.url, url) for a in argv]
        cleaned = defcoop(*argv)
        assert cleaned.returncode == 0, cleaned.stderr
        left = {g for g in graphs_on_store(url + "/query") if STAGING_SUFFIX in g}
    assert left == set()
    assert lock_graph() not in graphs_on_store(url + "/query")
    # and the stored queries answer as before: no staging copy in the union default graph
    answer = defcoop("query", "partners", "--format", "csv", "--endpoint", url + "/query")
    assert answer.stdout == defcoop("query", "partners", "--format", "csv").stdout
