"""The fast validation path gives exactly what plain pyshacl over the whole graph gives.

``validate(..., engine="pyshacl")`` is pyshacl over the whole graph (the reference);
``engine="oxigraph"`` validates unit by unit with the shapes compiled to SPARQL on
Oxigraph and results cached by content; ``engine="oxigraph-whole"`` is the compiled
shapes on the whole graph. Their reports' ``rows()`` must be equal on the project, on
every case of tests/cases, on a generated corpus with injected defects, and after
changing one document (with the cache on, so that cached units are reused).
"""

from __future__ import annotations

import csv
import importlib.util
import logging
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import _toPythonMapping

from defcoop.graph.files import Source, default_sources, user_sources
from defcoop.validation import incremental
from defcoop.validation.incremental import pool
from defcoop.validation.incremental.units import BASE_KINDS
from defcoop.validation.schema import shapes_files
from defcoop.validation.shacl.compiled import compile_shapes
from defcoop.validation.validate import validate

pytestmark = pytest.mark.slow  # subprocesses, servers or builds: `pytest -m "not slow"` skips them

logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "cases"
CONTEXT = CASES / "context.ttl"
MANIFEST = list(csv.DictReader((CASES / "manifest.csv").open(encoding="utf-8")))
ONTOLOGY = [s for s in default_sources() if s.kind == "ontology"]


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEFCOOP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DEFCOOP_NO_CACHE", raising=False)
    return incremental.directory()


def same(sources) -> list[dict]:
    plain = validate(sources, engine="pyshacl").rows()
    assert validate(sources, engine="oxigraph-whole").rows() == plain
    assert validate(sources, engine="oxigraph").rows() == plain  # computed
    assert validate(sources, engine="oxigraph").rows() == plain  # from the cache
    return plain


def test_the_compiler_leaves_little_to_pyshacl():
    shapes = Graph()
    for p in shapes_files():
        shapes.parse(p)
    plan = compile_shapes(shapes)
    left = [(str(shape), len(parts)) for shape, parts in plan.fallback]
    # every shape of the project is compiled (sh:lessThan too): pySHACL is never imported
    assert left == []
    assert len(plan.compiled) > 30 and len(plan.sparql) == 5


def test_project(own_cache):
    assert same(None) == []


CONFORMING = {row["case"]: row["expect"] == "conforms" for row in MANIFEST}
MANIFEST_ROWS: dict[str, list[dict]] = {}
for _row in MANIFEST:
    MANIFEST_ROWS.setdefault(_row["case"], []).append(_row)


@pytest.mark.parametrize("case", sorted(CONFORMING))
def test_case(case, own_cache):
    files = [CONTEXT] + ([CASES / case] if case != "context.ttl" else [])
    rows = same(ONTOLOGY + user_sources(files))
    assert (rows == []) == CONFORMING[case]


def test_inference_leaves_rdflib_as_a_fresh_worker_has_it(tmp_path, own_cache):
    """owlrl used to leave its lexical conversions in rdflib's process-wide table (xsd:gYear
    among them): after an --inference run, "21 mei 2019"^^xsd:gYear was ill-typed here but
    not in a fresh worker process, and the split engine missed pySHACL's sh:datatype finding."""
    year = Literal("21 mei 2019", datatype=XSD.gYear)
    before = dict(_toPythonMapping)
    case = ONTOLOGY + user_sources([CONTEXT, CASES / "invalid/year-ill-formed.ttl"])
    validate(case, inference="owlrl")
    assert dict(_toPythonMapping) == before
    assert Literal(str(year), datatype=XSD.gYear).ill_typed == year.ill_typed
    # the case and an unrelated document: two units, validated in two worker processes
    other = tmp_path / "place.ttl"
    other.write_text(INDEPENDENT.format(n=1, nl=' , "plaats 1"@nl'))
    sources = case + user_sources([other])
    assert len(incremental.plan(sources)) == 3
    plain = validate(sources, engine="pyshacl").rows()
    assert validate(sources, engine="oxigraph", jobs=2).rows() == plain
    assert len(plain) == len(MANIFEST_ROWS["invalid/year-ill-formed.ttl"])


INDEPENDENT = """\
@prefix dco: <https://w3id.org/defcoop/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/place/{n}> a dco:Place ;
    rdfs:label "place {n}"@en{nl} .
"""


def test_independent_documents_are_validated_one_by_one(tmp_path, own_cache):
    """Documents that share no node are separate units; the answer is still the whole graph's."""
    good = tmp_path / "good.ttl"
    good.write_text(INDEPENDENT.format(n=1, nl=' , "plaats 1"@nl'))
    bad = tmp_path / "bad.ttl"
    bad.write_text(INDEPENDENT.format(n=2, nl=""))  # no Dutch label
    sources = ONTOLOGY + user_sources([CONTEXT, CASES / "invalid/two-dates.ttl", good, bad])
    units = incremental.plan(sources)
    assert units.split and len(units) == 4  # the base, context + case, good, bad
    rows = same(sources)
    assert {(r["focus"], r["component"].rsplit("#")[-1]) for r in rows} == {
        ("https://example.org/place/2", "QualifiedMinCountConstraintComponent"),
        ("https://w3id.org/defcoop/id/event/doi-nl-de-2019-signing", "MaxCountConstraintComponent"),
    }
    # change one document: the others come from the cache, the answer is the whole graph's
    bad.write_text(INDEPENDENT.format(n=2, nl=' , "plaats 2"@nl'))
    entries = len(list(own_cache.glob("[0-9a-f]*.pickle")))
    rows = same(sources)
    assert [r["focus"] for r in rows] == ["https://w3id.org/defcoop/id/event/doi-nl-de-2019-signing"]
    assert len(list(own_cache.glob("[0-9a-f]*.pickle"))) == entries + 1


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_units_in_parallel_processes_give_the_same_rows(tmp_path, monkeypatch, jobs):
    """Units run in a pool of worker processes (or in this one): the same rows, in order."""
    monkeypatch.setenv("DEFCOOP_NO_CACHE", "1")  # every unit computed, none read
    files = []
    for n in range(4):
        f = tmp_path / f"place-{n}.ttl"
        f.write_text(INDEPENDENT.format(n=n, nl="" if n % 2 else f' , "plaats {n}"@nl'))
        files.append(f)
    sources = ONTOLOGY + user_sources([CONTEXT, CASES / "invalid/two-dates.ttl", *files])
    assert len(incremental.plan(sources)) == 6
    rows = validate(sources, engine="oxigraph", jobs=jobs).rows()
    assert rows == validate(sources, engine="pyshacl").rows()
    assert len(rows) == 3  # two places without a Dutch label, and the case


def _own(entry: dict, base_subjects) -> list:
    """What a document unit's entry contributes: its findings about the nodes it describes."""
    return [(f, root) for f, root in zip(entry["findings"], entry["roots"])
            if isinstance(root, URIRef) and str(root) not in base_subjects]


def test_a_batch_gives_each_unit_the_entry_it_has_alone(tmp_path, monkeypatch):
    """Document units validated together (`pool.Batch`): each unit's entry holds what it
    holds when validated alone (its own findings, and the prefixes its files declare)."""
    monkeypatch.setenv("DEFCOOP_NO_CACHE", "1")
    files = []
    for n in range(3):
        f = tmp_path / f"place-{n}.ttl"
        # each file declares a prefix of its own, bound to another namespace
        f.write_text(f"@prefix own: <https://example.org/own/{n}#> .\n"
                     + INDEPENDENT.format(n=n, nl="" if n == 1 else f' , "plaats {n}"@nl'))
        files.append(f)
    sources = ONTOLOGY + user_sources([CONTEXT, CASES / "invalid/two-dates.ttl", *files])
    units = incremental.plan(sources)
    assert units.split and len(units) == 5
    base = [s for s in sources if s.kind in BASE_KINDS]
    common, groups = base + units.extra[1], [list(u) for u in units[1:]]
    alone = [pool.validate_unit(common + g) for g in groups]
    together = pool.validate_batch(pool.Batch(common, groups, frozenset(units.base_subjects)))
    assert len(together) == len(groups)
    for a, t in zip(alone, together):
        assert _own(t, units.base_subjects) == _own(a, units.base_subjects)
        assert t["namespaces"] == a["namespaces"]
        assert t["context"] <= a["context"]
    assert sum(len(_own(t, units.base_subjects)) for t in together) == 2  # place 1, the case
    assert sorted(ns for t in together for p, ns in t["namespaces"] if p == "own") == [
        f"https://example.org/own/{n}#" for n in range(3)]


def test_a_finding_no_unit_of_a_batch_owns_has_each_unit_validated_alone(tmp_path, monkeypatch):
    """A finding about a node that no document of the batch describes cannot be given to
    one unit: then each unit is validated alone, and holds it."""
    monkeypatch.setenv("DEFCOOP_NO_CACHE", "1")
    files = []
    for n in range(3):
        f = tmp_path / f"place-{n}.ttl"
        f.write_text(INDEPENDENT.format(n=n, nl="" if n == 0 else f' , "plaats {n}"@nl'))
        files.append(f)
    common = ONTOLOGY + user_sources([files[0]])  # place 0 (no Dutch label) beside every unit
    groups = [user_sources([f]) for f in files[1:]]
    alone = [pool.validate_unit(common + g) for g in groups]
    assert all(len(_own(a, set())) == 1 for a in alone)
    assert pool.validate_batch(pool.Batch(common, groups)) == alone


def test_a_bad_number_of_jobs_is_named(monkeypatch):
    from defcoop.errors import DefcoopError

    monkeypatch.setenv("DEFCOOP_JOBS", "many")
    with pytest.raises(DefcoopError, match="DEFCOOP_JOBS"):
        incremental.jobs_default()


def test_a_link_into_another_document_is_not_missing(tmp_path, own_cache):
    """A document that links to a node of another is validated with it (one unit: the
    two make one group, so the whole graph is that unit, with no base unit beside it)."""
    a = tmp_path / "a.ttl"
    a.write_text(INDEPENDENT.format(n=1, nl=' , "plaats 1"@nl'))
    b = tmp_path / "b.ttl"
    b.write_text(
        INDEPENDENT.format(n=2, nl=' , "plaats 2"@nl')
        + "<https://example.org/place/2> <https://schema.org/containedInPlace> <https://example.org/place/1> .\n"
    )
    sources = ONTOLOGY + user_sources([a, b])
    units = incremental.plan(sources)
    assert not units.split and len(units) == 1  # a + b together, with the base
    c = tmp_path / "c.ttl"
    c.write_text(INDEPENDENT.format(n=3, nl=' , "plaats 3"@nl'))
    units = incremental.plan(sources + user_sources([c]))
    assert units.split and len(units) == 3  # the base, a + b together, c
    assert sorted(len(u) for u in units) == [0, 1, 2]
    assert same(sources) == []
    assert same(sources + user_sources([c])) == []


def _corpus(tmp_path, defects):
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    out = tmp_path / "corpus"
    generate.generate(20000, out, defects=defects)
    return out


def _corpus_sources(out: Path) -> list[Source]:
    return default_sources(out)


def test_generated_corpus_with_defects_and_after_changing_one_document(tmp_path, own_cache):
    out = _corpus(tmp_path, defects=20)
    sources = _corpus_sources(out)
    rows = same(sources)
    assert len(rows) >= 10  # the injected defects are found
    # change one document: everything done becomes planned (and dated before the letter)
    doc = sorted((out / "data" / "documents").glob("*.ttl"))[0]
    text = doc.read_text(encoding="utf-8")
    assert "status:done" in text
    doc.write_text(text.replace("status:done", "status:planned"), encoding="utf-8")
    changed = same(sources)
    assert len(changed) > len(rows)
    # a base node's finding that needs the documents: a membership (shared reference
    # data, annotated in every document) done, but dated after the letters that report
    # it; the SHACL-SPARQL query reads annotation -> target -> source text -> letter date
    shared = out / "data" / "reference" / "synthetic-memberships.ttl"
    shared.write_text(shared.read_text(encoding="utf-8").replace(
        "mem:bijleveld-nl-minister-of-defence a org:Membership ;",
        'mem:bijleveld-nl-minister-of-defence a org:Membership ; dco:date "2099-01-01"^^xsd:date ;',
    ).replace("status:in-progress", "status:done"), encoding="utf-8")
    hub = same(sources)
    assert any(r["focus"].endswith("membership/bijleveld-nl-minister-of-defence")
               and "after the date of the source" in r["message"] for r in hub)


def test_a_generated_corpus_is_split_by_document(tmp_path, own_cache):
    """The letter states facts about reference nodes (id:BENESAM, ...) and annotates them;
    its copies are still validated one by one, and a change redoes one unit."""
    out = _corpus(tmp_path, defects=5)
    sources = _corpus_sources(out)
    units = incremental.plan(sources)
    documents = len(list((out / "data" / "documents").glob("*.ttl")))
    assert units.split and len(units) == documents + 1
    same(sources)
    entries = len(list(own_cache.glob("[0-9a-f]*.pickle")))
    doc = sorted((out / "data" / "documents").glob("*.ttl"))[3]
    doc.write_text(doc.read_text(encoding="utf-8").replace("status:done", "status:planned"), encoding="utf-8")
    same(sources)
    # that document only: what the base unit reads of each document (the annotations of
    # base nodes, and what the SHACL-SPARQL queries reach from them) did not change
    assert len(list(own_cache.glob("[0-9a-f]*.pickle"))) == entries + 1
