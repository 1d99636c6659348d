"""The embedded Oxigraph engine gives the same answers as rdflib, and says where input is bad.

The parity test runs every stored query (``queries/*.rq``), every section question
(``tests/sections/*.rq``) and the benchmark's queries (``benchmarks/queries``) on both
engines over the project's own graph and compares the rows as multisets of rdflib
terms (blank nodes compared by position only). The same queries run on a generated
corpus (`benchmarks/generate.py`, with an ill-typed date) through every path the
engine has: a one-shot parse (the merge only, or with named graphs), the on-disk
cache, and a store held in memory by a long-lived process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from defcoop.query import engine
from defcoop import resources
from defcoop.errors import DataError, DefcoopError
from defcoop.graph.files import GRAPH_BASE, default_sources, load_dataset, load_graph, user_sources
from support import rdflib_query as rdflib_run

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Each test with its own cache folder, and no store left open from another."""
    monkeypatch.setenv("DEFCOOP_CACHE_DIR", str(tmp_path / "cache"))
    engine.forget()
    yield
    engine.forget()


# ------------------------------------------------------------------ parity with rdflib


def _query_cases():
    """(id, query text) for every stored query and section question.

    A stored query with parameters is bound to its defaults through
    `defcoop.query.library`; one with a required parameter and no default is skipped.
    """
    cases = []
    try:
        from defcoop.query import library
    except ImportError:  # the query library is not there yet: plain files only
        library = None
    for path in sorted(resources.query_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if library is not None:
            stored = library.load_file(path)
            if any(p.required for p in stored.params):
                continue
            text = library.bind(stored, {}) if stored.params else stored.text
        elif re.search(r"^#\+\s*param:", text, re.M):
            continue
        cases.append(pytest.param(text, id=f"queries/{path.stem}"))
    for folder in (HERE / "sections", HERE.parent / "benchmarks" / "queries"):
        for path in sorted(folder.glob("*.rq")):
            text = path.read_text(encoding="utf-8")
            cases.append(pytest.param(text, id=f"{folder.name}/{path.stem}"))
    return cases


@pytest.fixture(scope="module")
def rdflib_dataset():
    return load_dataset()


def _comparable(rows):
    """Rows as a multiset; blank nodes lose their labels (each engine makes its own)."""
    return Counter(tuple("_:b" if isinstance(t, BNode) else t for t in row) for row in rows)


@pytest.mark.parametrize("text", _query_cases())
@pytest.mark.slow
def test_engine_answers_as_rdflib(text, project_graph):
    """Against what `query.execute` ran before: rdflib on the merged graph (load_graph)."""
    expected = rdflib_run(text, project_graph)
    got = engine.execute(text)
    assert got.kind == expected.kind
    if expected.kind == "SELECT":
        assert got.variables == expected.variables
        assert _comparable(got.rows) == _comparable(expected.rows)
        assert len(got.rows) == len(expected.rows)
    elif expected.kind == "ASK":
        assert got.boolean == expected.boolean
    else:
        assert isomorphic(got.graph, expected.graph)


# ------------------------------------------------------------------ every path, a generated corpus

PATHS = ["one-shot merge", "one-shot named graphs", "on-disk cache", "held in memory"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A generated corpus (~8k triples: three copies of the letter, a defect of each
    kind) and what rdflib answers on it, once for every path."""
    sys.path.insert(0, str(HERE.parent / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    folder = tmp_path_factory.mktemp("corpus")
    manifest = generate(8_000, folder, defects=5)  # 4 fit in 4 documents
    sources = default_sources(folder)
    graph = load_graph(sources)
    texts = [case.values[0] for case in _query_cases()]
    return sources, [(text, rdflib_run(text, graph)) for text in texts], manifest


def _runner(path: str, sources, monkeypatch, tmp_path):
    """How ``path`` runs a query on ``sources`` (each path as its callers use it)."""
    monkeypatch.setenv("DEFCOOP_CACHE_DIR", str(tmp_path / "cache"))
    engine.forget()
    if path == "one-shot merge":  # `defcoop query` without a cache: the merge only
        monkeypatch.setenv("DEFCOOP_NO_CACHE", "1")
        return lambda text: engine.execute(text, sources)
    if path == "one-shot named graphs":
        store = engine.load_store(sources, use_cache=False)
        return lambda text: engine.run(text, store)
    if path == "on-disk cache":
        monkeypatch.setattr(engine, "CACHE_MIN_BYTES", 0)
        key = engine.cache_key(sources)
        assert engine.write_cache(key, sources) is not None
        store = engine.load_store(sources)
        assert engine._held.get(key, "disk") is store  # it is the disk entry
        return lambda text: engine.run(text, store)
    held = engine.in_memory(sources)  # a long-lived process
    return lambda text: engine.execute(text, held)


def _check_same(got, expected):
    assert got.kind == expected.kind
    if expected.kind == "SELECT":
        assert got.variables == expected.variables
        assert len(got) == len(expected.rows)
        assert _comparable(got.rows) == _comparable(expected.rows)
    elif expected.kind == "ASK":
        assert got.boolean == expected.boolean
    else:
        assert isomorphic(got.graph, expected.graph)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
def test_every_path_answers_as_rdflib_on_a_generated_corpus(path, corpus, monkeypatch, tmp_path):
    sources, expectations, manifest = corpus
    assert manifest["documents"] >= 2 and manifest["defects"] >= 1
    run = _runner(path, sources, monkeypatch, tmp_path)
    nonempty = 0
    for text, expected in expectations:
        _check_same(run(text), expected)
        nonempty += bool(expected.rows)
    assert nonempty >= 10  # the comparison is not vacuous


def test_the_project_graph_has_cases():
    assert len(_query_cases()) >= 10  # the parity test above is not vacuous


@pytest.mark.slow
def test_default_graph_is_the_merge_of_the_files():
    """Everything of load_graph() and nothing else, each triple once."""
    store = engine.load_store()
    assert isomorphic(engine.to_rdflib_graph(store), load_graph())


def test_named_graphs_are_the_files(rdflib_dataset):
    text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    got = {str(g): int(n) for g, n in engine.execute(text).rows}
    expected = {str(g.identifier): len(g) for g in rdflib_dataset.graphs() if len(g)}
    expected.pop("urn:x-rdflib:default", None)
    assert got == expected
    assert all(g.startswith(GRAPH_BASE) for g in got)


def test_a_triple_in_two_files_counts_once(tmp_path):
    """Oxigraph's union default graph would count it twice (oxigraph#1919)."""
    shared = '<http://example.org/a> <http://example.org/p> "x" .\n'
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    one.write_text(shared)
    two.write_text(shared + '<http://example.org/b> <http://example.org/p> _:n .\n')
    sources = user_sources([one, two])
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(engine.execute(text, sources).rows[0][0]) == 2
    assert int(rdflib_run(text, load_graph(sources)).rows[0][0]) == 2
    # and blank nodes of the merged graph are those of the file's named graph
    join = (
        "ASK { ?s <http://example.org/p> ?o . FILTER(isBlank(?o)) "
        "GRAPH ?g { ?s <http://example.org/p> ?o } }"
    )
    assert engine.execute(join, sources).boolean is True


@pytest.mark.parametrize(
    "text, kind",
    [
        ("ASK { ?s a <https://w3id.org/defcoop/ontology#Letter> }", "ASK"),
        ("# DESCRIBE in a comment\nCONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3", "CONSTRUCT"),
        ("PREFIX d: <http://x/#describe>\nDESCRIBE <https://w3id.org/defcoop/id/NL>", "DESCRIBE"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "SELECT"),
    ],
)
@pytest.mark.slow
def test_result_kinds(text, kind):
    result = engine.execute(text)
    assert result.kind == kind
    if kind in ("CONSTRUCT", "DESCRIBE"):
        assert len(result.graph) > 0
        assert dict(result.graph.namespaces())["dco"] == URIRef("https://w3id.org/defcoop/ontology#")


def test_unbound_variables_are_none():
    result = engine.execute("SELECT ?a ?b WHERE { BIND(1 AS ?a) }")
    assert result.rows == [(Literal(1), None)]


# ------------------------------------------------------------------ conversion, one place

TERMS = [
    URIRef("https://w3id.org/defcoop/id/NL"),
    BNode("b0"),
    Literal("plain"),
    Literal("Nederland", lang="nl"),
    Literal("2019-06-19", datatype=XSD.date),
    Literal("2019-12", datatype=XSD.gYearMonth),
    Literal("2019", datatype=XSD.gYear),
    Literal("12", datatype=XSD.integer),
    Literal("1.5", datatype=XSD.decimal),
    Literal("true", datatype=XSD.boolean),
    Literal("x", datatype=URIRef("http://example.org/custom")),
]


@pytest.mark.parametrize("term", TERMS, ids=[t.n3() for t in TERMS])
def test_terms_round_trip(term):
    converted = engine.from_rdflib(term)
    assert engine.to_rdflib(converted) == term
    assert type(engine.to_rdflib(converted)) is type(term)


def test_explicit_xsd_string_becomes_plain():
    """RDF 1.1: "x" and "x"^^xsd:string are the same literal; rdflib's parser gives the first."""
    assert engine.to_rdflib(engine.from_rdflib(Literal("x", datatype=XSD.string))) == Literal("x")


def test_quads_and_triples_convert():
    s, p, o = URIRef("http://e/s"), URIRef("http://e/p"), Literal("o", lang="en")
    g = URIRef("http://e/g")
    assert engine.to_rdflib(engine.from_rdflib((s, p, o))) == (s, p, o)
    assert engine.to_rdflib(engine.from_rdflib((s, p, o, g))) == (s, p, o, g)
    assert engine.to_rdflib(engine.from_rdflib((s, p, o, None))) == (s, p, o, None)
    with pytest.raises(TypeError):
        engine.from_rdflib(object())


@pytest.mark.slow
def test_graphs_round_trip(project_graph):
    store = engine.from_rdflib_graph(project_graph)
    assert len(store) == len(project_graph)
    assert isomorphic(engine.to_rdflib_graph(store), project_graph)


# ------------------------------------------------------------------ errors name file and line

BAD_FILES = [
    # (name, content, line the error must name)
    ("unterminated.ttl", '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', 3),
    ("undeclared.ttl", '@prefix ex: <http://example.org/> .\n\nex:a nope:b ex:c .\n', 3),
    ("bad-iri.nt", '<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n'
                   '<http://example.org/a> <b c> <http://example.org/d> .\n', 2),
    ("bad.rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                '<rdf:Description rdf:about="http://example.org/a">\n</rdf:RDF>\n', 4),
]


@pytest.mark.parametrize("name, content, line", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_parse_error_names_file_and_line(tmp_path, name, content, line):
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as err:
        engine.load_store(user_sources([bad]))
    message = str(err.value)
    assert message.startswith(f"{bad}:{line}: cannot parse"), message
    assert "\n" not in message


@pytest.mark.parametrize("use_cache", [True, False], ids=["cached", "in-memory"])
def test_a_bad_file_leaves_nothing_behind(tmp_path, use_cache):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/b> .\n")
    with pytest.raises(DataError):
        engine.load_store(user_sources([bad]), use_cache=use_cache)
    cache_dir = tmp_path / "cache"
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []


def test_missing_and_unknown_files(tmp_path):
    with pytest.raises(DataError, match=r"nothere\.ttl: no such file"):
        engine.load_store(user_sources([tmp_path / "nothere.ttl"]))
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    with pytest.raises(DataError, match=r"data\.csv: unknown RDF file type"):
        engine.load_store(user_sources([odd]))


def test_sparql_syntax_error_names_query_and_line():
    with pytest.raises(DefcoopError) as err:
        engine.execute("SELECT ?x\nWHERE { ?x ?y }", name="broken.rq")
    message = str(err.value)
    assert message.startswith("broken.rq: SPARQL syntax error: line 2, column"), message


# ------------------------------------------------------------------ export through Oxigraph

EXPORTS = [("ttl", "turtle"), ("nt", "nt"), ("xml", "xml"), ("jsonld", "json-ld")]


@pytest.mark.parametrize("fmt, rdflib_format", EXPORTS, ids=[e[0] for e in EXPORTS])
@pytest.mark.slow
def test_serialize_gives_the_merged_graph(fmt, rdflib_format, project_graph):
    data = engine.serialize(engine.load_store(), fmt)
    assert isomorphic(Graph().parse(data=data, format=rdflib_format), project_graph)
    if fmt == "nt":
        lines = data.splitlines()
        assert lines == sorted(lines)


def test_serialize_rejects_an_unknown_format():
    with pytest.raises(DefcoopError, match="--format: unknown format 'csv'"):
        engine.serialize(engine.load_store(), "csv")


# ------------------------------------------------------------------ rows print without rdflib

ILL_TYPED = """@prefix dco: <https://w3id.org/defcoop/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/defcoop/id/event/x> dco:date "2018-02-30"^^xsd:date .
"""


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_an_ill_typed_literal_prints_as_a_row(tmp_path, fmt):
    """Issue 15.8: findings belong to `validate`; `query` prints the row, no traceback."""
    data = tmp_path / "bad-date.ttl"
    data.write_text(ILL_TYPED)
    query = tmp_path / "dates.rq"
    query.write_text("SELECT ?d WHERE { ?e <https://w3id.org/defcoop/ontology#date> ?d }\n")
    env = dict(os.environ, DEFCOOP_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run(
        [sys.executable, "-m", "defcoop", "query", str(query), "--data", str(data), "--format", fmt],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "2018-02-30" in done.stdout
    assert "Traceback" not in done.stderr and "Failed to convert" not in done.stderr
    assert done.stderr.strip() in ("", "1 row")


def test_printing_rows_makes_no_rdflib_term(tmp_path):
    """The CLI's path from pyoxigraph to the output formats does not import rdflib."""
    code = (
        "import sys; from defcoop.cli import main\n"
        "try:\n    main(['query', 'partners', '--format', 'csv'])\n"
        "except SystemExit:\n    pass\n"
        "print('rdflib' in sys.modules, file=sys.stderr)"
    )
    env = dict(os.environ, DEFCOOP_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False"
    assert len(done.stdout.splitlines()) > 5


def test_rows_convert_to_rdflib_only_when_asked():
    result = engine.execute("SELECT ?x WHERE { VALUES ?x { 1 <http://e/a> } }")
    assert result._rows is None  # nothing converted yet
    assert result.rows == [(Literal(1),), (URIRef("http://e/a"),)]
    assert result.rows is result.rows  # converted once


def test_a_long_lived_graph_parses_named_graphs_only_when_asked():
    held = engine.in_memory()
    assert held._full is None
    assert len(held) == len(load_graph())
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert int(engine.execute(count, held).rows[0][0]) > 0
    assert held._full is not None and held.store() is held._merged
    assert engine.in_memory() is held  # one per process and content


def test_a_query_without_graph_parses_the_merge_only(tmp_path, monkeypatch):
    monkeypatch.setenv("DEFCOOP_NO_CACHE", "1")
    engine.execute("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    key = engine.cache_key(default_sources())
    merged = engine._held.get(key, False)
    assert merged is not None and engine._held.get(key, True) is None
    assert sum(1 for _ in merged.named_graphs()) == 0
    # a query with GRAPH gets the named graphs (and the same answers as rdflib's dataset)
    result = engine.execute("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(result.rows[0][0]) == len(default_sources())
    assert engine.needs_named_graphs("SELECT * FROM NAMED <x> WHERE { ?s ?p ?o }")
    assert not engine.needs_named_graphs("SELECT ?graph WHERE { ?graph <http://e/GRAPH> 'GRAPH' }")
