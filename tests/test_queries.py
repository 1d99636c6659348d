"""The stored query library: every question answers as expected, on every engine.

- Each ``queries/NAME.rq`` (with its defaults, labels in English) gives exactly the
  rows of ``tests/expected/NAME.csv`` (the W3C CSV that ``defcoop query NAME
  --format csv`` prints): in order where the query has an ORDER BY, as a multiset
  otherwise.
- The same bound query text on pyoxigraph (the project's files loaded into a
  ``pyoxigraph.Store``, one named graph per file, queried as their union) prints
  the same CSV: our queries do not depend on one engine's quirks.
- The same query through ``--endpoint`` on a real Oxigraph server prints the same
  CSV (tests/test_endpoint.py).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from defcoop.query.formats import render
from defcoop.graph.files import default_sources
from defcoop.query.library import bind, load_library
from defcoop.query.results import QueryResult
from defcoop.query.runner import execute
from support import rdflib_query as run

EXPECTED = Path(__file__).parent / "expected"
LIBRARY = load_library()
NAMES = [q.name for q in LIBRARY]


def defaults(q, lang="en"):
    return {"lang": lang} if q.param("lang") else {}


def rows(text: str):
    reader = csv.reader(io.StringIO(text))
    return next(reader), [tuple(r) for r in reader]


def assert_same(q, got: str, want: str, what: str):
    got_head, got_rows = rows(got)
    want_head, want_rows = rows(want)
    assert got_head == want_head, f"{q.name}: columns differ on {what}"
    if q.ordered:
        assert got_rows == want_rows, f"{q.name}: rows differ on {what}:\n{got}"
    else:
        assert Counter(got_rows) == Counter(want_rows), f"{q.name}: rows differ on {what}:\n{got}"


@pytest.fixture(scope="module")
def embedded_csv():
    """Every stored query's CSV on the embedded engine, run once."""
    cache = {}

    def get(q, lang="en"):
        key = (q.name, lang)
        if key not in cache:
            cache[key] = render(execute(bind(q, defaults(q, lang)), name=q.name), "csv")
        return cache[key]

    return get


def test_the_library_covers_the_issue():
    assert len(LIBRARY) >= 18
    for q in LIBRARY:
        assert q.summary and q.description and q.example, f"{q.name}: header incomplete"
        assert q.kind == "SELECT"
        assert q.example.startswith(f"defcoop query {q.name}")
        for p in q.params:
            assert p.default is not None and not p.required, f"{q.name}: {p.name} needs a default"
        assert (EXPECTED / f"{q.name}.csv").is_file(), f"{q.name}: no expected answer"


@pytest.mark.parametrize("name", NAMES)
def test_answer_is_the_expected_one(name, embedded_csv):
    q = next(q for q in LIBRARY if q.name == name)
    want = (EXPECTED / f"{name}.csv").read_text(encoding="utf-8")
    got = embedded_csv(q)
    assert_same(q, got, want, "the embedded engine")
    assert len(rows(got)[1]) > 0, f"{name}: an empty answer proves nothing"


@pytest.fixture(scope="module")
def oxigraph_store():
    pyoxigraph = pytest.importorskip("pyoxigraph")
    store = pyoxigraph.Store()
    for source in default_sources():
        with source.path.open("rb") as f:
            store.load(
                f, format=pyoxigraph.RdfFormat.TURTLE,
                to_graph=pyoxigraph.NamedNode(str(source.graph)),
            )
    return store


def _rdflib_term(t):
    import pyoxigraph

    if t is None:
        return None
    if isinstance(t, pyoxigraph.NamedNode):
        return URIRef(t.value)
    if isinstance(t, pyoxigraph.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    dt = t.datatype.value
    if dt == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(t.value)
    return Literal(t.value, datatype=URIRef(dt))


def on_oxigraph(store, text: str) -> QueryResult:
    result = store.query(text, use_default_graph_as_union=True)
    variables = [v.value for v in result.variables]
    return QueryResult(
        "SELECT", variables=variables,
        rows=[tuple(_rdflib_term(s[v]) for v in variables) for s in result],
    )


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.slow
def test_same_rows_on_rdflib_and_pyoxigraph(name, lang, oxigraph_store, project_graph):
    q = next(q for q in LIBRARY if q.name == name)
    text = bind(q, defaults(q, lang))
    on_rdflib = render(run(text, project_graph, name=q.name), "csv")
    got = render(on_oxigraph(oxigraph_store, text), "csv")
    assert_same(q, got, on_rdflib, f"pyoxigraph vs rdflib ({lang})")


@pytest.mark.slow
def test_dutch_labels_differ_from_english(embedded_csv):
    q = next(q for q in LIBRARY if q.name == "partners")
    nl = embedded_csv(q, "nl")
    assert "Duitsland" in nl and "Verenigde Naties" in nl
    assert "Germany" not in nl
    assert "Germany" in embedded_csv(q, "en")


@pytest.mark.parametrize("country, present, absent", [
    ("id:NO", "Joint Arctic Training 2019", "Statement of Intent"),
    ("id:FR", "Statement of Intent of France and the Netherlands", "Joint Arctic Training"),
    ("<https://w3id.org/defcoop/id/LU>", "SRTUAS", "Naval Group"),
])
def test_the_partner_parameter_changes_the_answer(country, present, absent):
    q = next(q for q in LIBRARY if q.name == "partner")
    out = render(execute(bind(q, {"country": country}), name=q.name), "csv")
    assert present in out and absent not in out
