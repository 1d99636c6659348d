"""`defcoop load` against real stores: an Oxigraph server and Virtuoso 7.2.

Each store is a row of STORES; every test runs for each store (and load method).
The Oxigraph server is `DEFCOOP_TEST_OXIGRAPH_URL`, else one the `oxigraph_server_url`
fixture (tests/conftest.py) starts, so these run under plain `pytest`; Virtuoso runs
only where `.ci/run` started it (DEFCOOP_TEST_VIRTUOSO_URL), and skips, saying so, elsewhere.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from defcoop.graph.files import default_sources, load_dataset
from defcoop.stores.load import STAGING_SUFFIX, lock_graph
from support import normalise
from test_store_support import (
    FaultyProxy, changed_sources, concurrent_loads, defcoop, graph_on_store, graphs_on_store,
)

pytestmark = [pytest.mark.server, pytest.mark.slow]

# store -> base URL variable, paths, authentication (user and password variables)
STORES = {
    "oxigraph": dict(url="DEFCOOP_TEST_OXIGRAPH_URL", query="/query", update="/update",
                     gsp="/store", auth=None),
    "virtuoso": dict(url="DEFCOOP_TEST_VIRTUOSO_URL", query="/sparql", update="/sparql-auth",
                     gsp="/sparql-graph-crud-auth", auth="digest",
                     user="DEFCOOP_TEST_VIRTUOSO_USER", password="DEFCOOP_TEST_VIRTUOSO_PASSWORD"),
}
METHODS = ["update", "gsp"]


def base_url(request, name: str) -> str:
    """The store's base URL; skips, saying why, when there is none here."""
    if name == "oxigraph":
        return request.getfixturevalue("oxigraph_server_url")
    base = os.environ.get(STORES[name]["url"])
    if not base:
        pytest.skip(f"{STORES[name]['url']} is not set: no {name} server (`bash .ci/run` starts one)")
    return base


class StoreUnderTest:
    def __init__(self, name: str, base: str):
        spec = STORES[name]
        self.name, self.spec, self.base = name, spec, base.rstrip("/")
        self.query_url = self.base + spec["query"]
        self.env = {}
        if spec["auth"]:
            self.env = {"DEFCOOP_STORE_USER": os.environ[spec["user"]],
                        "DEFCOOP_STORE_PASSWORD": os.environ[spec["password"]]}

    def args(self, method: str, base: str | None = None) -> list[str]:
        base = base or self.base
        out = ["--endpoint", base + self.spec["query"], "--update", base + self.spec["update"]]
        if method == "gsp":
            out += ["--gsp", base + self.spec["gsp"]]
        if self.spec["auth"]:
            out += ["--auth", self.spec["auth"]]
        return out

    def load(self, method: str = "gsp", *extra, base: str | None = None):
        # the project's one replace request takes ~2 s on Virtuoso (27-44 s before the client
        # sent it `DEFINE sql:big-data-const 1`): 120 s is room for a busy machine
        return defcoop("load", *self.args(method, base), "--timeout", "120", *extra, env=self.env)


@pytest.fixture(params=sorted(STORES))
def store(request):
    return StoreUnderTest(request.param, base_url(request, request.param))


_DATES = {XSD.date, XSD.gYear, XSD.gYearMonth}


def _collapse_dates(graph: Graph) -> Graph:
    """Date literals replaced by the first day they denote ("2019", "2019-01" -> 2019-01-01).

    Virtuoso 7.2 stores a date-typed literal by its value: "2019"^^xsd:gYear and
    "2019-01"^^xsd:gYearMonth become one object, and the store returns, for both,
    whichever form it met first (seen 2026-11-29; docs/stores.md).
    """
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in _DATES:
            parts = (str(o).split("-") + ["01", "01"])[:3]
            o = Literal("-".join(parts), datatype=URIRef("urn:defcoop:test:first-day"))
        out.add((s, p, o))
    return out


def assert_store_holds_the_project(store: StoreUnderTest):
    """Every named graph on the store is exactly (isomorphic to) its local file.

    On Virtuoso, exactly up to its merging of date literals of equal value.
    """
    for source in default_sources():
        local = load_dataset([source]).graph(source.graph)
        remote = graph_on_store(store.query_url, str(source.graph))
        assert len(remote) == len(local), f"{store.name}: <{source.graph}> has {len(remote)} triples"
        if store.name == "virtuoso":
            remote, local = _collapse_dates(remote), _collapse_dates(local)
        assert isomorphic(remote, local), f"{store.name}: <{source.graph}> differs from {source.path}"


@pytest.mark.parametrize("method", METHODS)
def test_load_twice_leaves_one_exact_copy(store, method):
    for attempt in (1, 2):
        out = store.load(method)
        assert out.returncode == 0, out.stderr
        for source in default_sources():
            n = len(load_dataset([source]).graph(source.graph))
            assert any(line.split()[:3] == [str(source.graph), str(n), str(n)]
                       for line in out.stdout.splitlines()), out.stdout
        assert_store_holds_the_project(store)
    staging = {g for g in graphs_on_store(store.query_url) if STAGING_SUFFIX in g}
    assert staging == set(), "staging graphs left behind"


# which request fails, per method (by what it is: digest authentication doubles the
# requests to Virtuoso's update URL)
_REPLACE = {"update": lambda method, body: b"DROP+SILENT" in body,  # the one replace request
            "gsp": lambda method, body: b"endedAtTime" in body}  # the guarded swap
_FIRST_PUT = {"update": _REPLACE["update"], "gsp": lambda method, body: method == "PUT"}
# fault -> (which request fails, how, does the store stay gone, words in the message)
FAULTS = {
    "http-500-once": (_FIRST_PUT, "http-500", False, "nothing replaced"),
    "http-500-from-then-on": (_REPLACE, "http-500", True, "nothing replaced"),
    "connection-closed-from-then-on": (_REPLACE, "close", True, "all graphs replaced or none"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("method", METHODS)
def test_failed_load_leaves_the_previous_graphs(store, method, fault, tmp_path):
    assert store.load(method).returncode == 0
    doc = next(s for s in default_sources() if s.kind == "document")
    changed = tmp_path / f"{doc.path.stem}.ttl"
    changed.write_text(doc.path.read_text(encoding="utf-8")
                       + '\n<https://example.org/marker> <https://example.org/p> "changed" .\n',
                       encoding="utf-8")
    which, mode, gone, words = FAULTS[fault]
    if store.name == "virtuoso" and which[method] is _REPLACE[method]:
        # Virtuoso keeps the operations of a request before the one that failed, so a
        # failed replace promises neither "nothing replaced" nor "all or none" (docs/stores.md)
        words = "some graphs may be replaced or emptied"
    with FaultyProxy(store.base, mode=mode, gone=gone, fail_when=which[method]) as proxy:
        out = store.load(method, "--data", str(changed), "--graph", f"{doc.path.stem}={doc.graph}",
                         "--retries", "0", base=proxy.url)
    assert proxy.faults >= 1, "the fault was not injected"
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], out.stderr
    assert_store_holds_the_project(store)
    if not gone:  # the store still answered, so this run's staging graphs were dropped
        assert not any(STAGING_SUFFIX in g for g in graphs_on_store(store.query_url))
    else:  # what is left is named, with the command that removes it; run it
        assert "--cleanup" in lines[0], lines[0]
        cleaned = defcoop("load", "--cleanup", *store.args(method), env=store.env)
        assert cleaned.returncode == 0, cleaned.stderr
    assert not any(STAGING_SUFFIX in g for g in graphs_on_store(store.query_url))
    assert lock_graph() not in graphs_on_store(store.query_url)


# store -> method -> pairs of concurrent loads (the Oxigraph server runs 20 pairs of each
# in tests/test_store.py, on a server of its own)
PAIRS = {"virtuoso": {"update": 20, "gsp": 20}}


@pytest.mark.parametrize("method", METHODS)
def test_concurrent_loads_end_as_one_of_the_files(store, method, tmp_path):
    """Two loads at once (the letter as it is and with one triple more), again and
    again, with a reader all along: it only ever sees the before or the after count
    (the union default graph; with --gsp, whose staging graphs the union shows, the
    letter's graph), and afterwards every graph equals one of the files."""
    from defcoop.stores.client import credentials_from_env

    if store.name not in PAIRS:
        pytest.skip(f"{store.name}: 20 pairs per method run in tests/test_store.py (own server)")
    original, changed, doc = changed_sources(tmp_path)
    credentials = credentials_from_env(store.spec["auth"], environ=store.env) if store.env else None
    gsp = store.base + store.spec["gsp"] if method == "gsp" else None
    reader_graph = str(doc.graph) if method == "gsp" else None
    before, seen, outcomes = concurrent_loads(
        store.query_url, store.base + store.spec["update"], gsp, credentials, [original, changed],
        PAIRS[store.name][method], reader_graph)
    assert all(errors == [None, None] for errors in outcomes), outcomes
    n_doc = len(load_dataset([doc]))
    allowed = {before, before + 1}  # the letter's graph, or the union, before and after
    assert seen and seen <= allowed, f"the reader saw {sorted(seen)}, not only {sorted(allowed)}"
    final = graph_on_store(store.query_url, str(doc.graph))
    assert len(final) in (n_doc, n_doc + 1)
    assert not any(STAGING_SUFFIX in g for g in graphs_on_store(store.query_url))
    assert lock_graph() not in graphs_on_store(store.query_url)
    assert store.load("gsp").returncode == 0  # the project as it is, for the tests below
    assert_store_holds_the_project(store)


def test_a_killed_load_leaves_a_claim_the_next_load_removes(store):
    """`kill -9` of a `defcoop load` while its replace request is in flight leaves its
    claim on the lock; once its lease (2 s here) has run out the next load removes it,
    saying so in one line, and loads."""
    killed: list = []

    def kill_the_load():
        killed[0].send_signal(signal.SIGKILL)
        killed[0].wait()

    with FaultyProxy(store.base, mode="http-500", fail_when=lambda method, body: b"DROP+SILENT" in body,
                     before_fault=kill_the_load) as proxy:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEFCOOP_STORE_")}
        killed.append(subprocess.Popen(
            [sys.executable, "-m", "defcoop", "load", *store.args("update", base=proxy.url),
             "--lock-lease", "2", "--retries", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**env, **store.env}))
        assert killed[0].wait(timeout=120) == -signal.SIGKILL
    assert proxy.faults == 1
    assert lock_graph() in graphs_on_store(store.query_url), "the killed load's claim is there"
    started = time.monotonic()
    out = store.load("update", "--lock-wait", "60")
    assert out.returncode == 0, out.stderr
    notes = [line for line in out.stderr.splitlines() if "stale load claim" in line]
    assert len(notes) == 1 and "lease ran out" in notes[0], out.stderr
    assert time.monotonic() - started < 30  # the lease, not --lock-wait
    assert lock_graph() not in graphs_on_store(store.query_url)
    assert_store_holds_the_project(store)


def test_wrong_credentials_are_refused(store):
    if not store.spec["auth"]:
        pytest.skip(f"{store.name} runs without authentication here")
    out = defcoop("load", *store.args("gsp"),
                  env={"DEFCOOP_STORE_USER": store.env["DEFCOOP_STORE_USER"],
                       "DEFCOOP_STORE_PASSWORD": "not-the-password"})
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "401" in lines[0], out.stderr
    assert "not-the-password" not in out.stderr
    assert store.env["DEFCOOP_STORE_PASSWORD"] not in out.stderr


# -- the stored queries answer the same on each store as on the embedded graph --------
# (last in this file: a query a store cannot answer in time must not hold up the others)

def _stored_queries() -> list[str]:
    """The names of the stored queries (the library, as `defcoop queries` lists it)."""
    from defcoop.query.library import load_library

    return [q.name for q in load_library()]


def _ordered(name: str) -> bool:
    try:
        from defcoop.query.library import load_library

        return any(q.name == name and getattr(q, "ordered", False) for q in load_library())
    except Exception:
        return False


# Virtuoso 7.2 keeps one object per date *value*: "2019"^^xsd:gYear and "2019-01"^^xsd:gYearMonth
# become one literal, whichever it met first (docs/stores.md); after this module's earlier loads
# the gYear reads back as "2019-01". Our data has no standard-SPARQL way round it; the three queries
# that show the liaison officer's date (dated "2019": "na de zomer") differ by that one cell.
# On a fresh Virtuoso loaded once they match (not strict, so they then pass).
_DATE_MERGE = ("Virtuoso 7.2 merges \"2019\"^^xsd:gYear with \"2019-01\"^^xsd:gYearMonth "
               "(docs/stores.md): lu-liaison-officer reads back as 2019-01")
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("virtuoso", "open-items"): _DATE_MERGE,
    ("virtuoso", "places"): _DATE_MERGE,
    ("virtuoso", "timeline"): _DATE_MERGE,
}
# Not run at all: the query never answers on Virtuoso 7.2 (no CPU, waits), and once a run of
# these tests left the server answering nothing afterwards.
KNOWN_HANGS: dict[tuple[str, str], str] = {
    ("virtuoso", "ei2-caribbean"): "no answer within 60 s on Virtuoso 7.2 (seen 2026-11-29)",
}

QUERY_NAMES = _stored_queries()


@pytest.fixture(scope="module")
def loaded_stores(request):
    """Each available store, loaded once for the comparisons (name -> store, or the
    reason it is not available)."""
    loaded: dict = {}
    for name in STORES:
        try:
            s = StoreUnderTest(name, base_url(request, name))
        except pytest.skip.Exception as exc:
            loaded[name] = str(exc)
            continue
        out = s.load("gsp")
        assert out.returncode == 0, out.stderr
        loaded[name] = s
    return loaded


@functools.lru_cache(maxsize=None)
def _embedded_answer(query: str):
    return defcoop("query", query, "--format", "csv")


def _rows(csv_text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    reader = csv.reader(io.StringIO(csv_text))
    header = next(reader, [])
    return header, [tuple(normalise(c) for c in row) for row in reader]


@pytest.mark.parametrize("store_name", sorted(STORES))
@pytest.mark.parametrize("query", QUERY_NAMES)
def test_stored_query_answers_the_same_on_the_store(loaded_stores, store_name, query, request):
    if isinstance(loaded_stores[store_name], str):
        pytest.skip(loaded_stores[store_name])
    if (store_name, query) in KNOWN_HANGS:
        pytest.skip(KNOWN_HANGS[store_name, query])
    why = KNOWN_DIFFERENCES.get((store_name, query))
    if why:
        request.applymarker(pytest.mark.xfail(reason=why, strict=False))
    store = loaded_stores[store_name]
    embedded = _embedded_answer(query)
    assert embedded.returncode == 0, embedded.stderr
    remote = defcoop("query", query, "--format", "csv", "--endpoint", store.query_url,
                     "--timeout", "60")
    assert remote.returncode == 0, remote.stderr
    want_header, want = _rows(embedded.stdout)
    got_header, got = _rows(remote.stdout)
    assert got_header == want_header
    if _ordered(query):
        assert got == want
    else:
        assert Counter(got) == Counter(want)
