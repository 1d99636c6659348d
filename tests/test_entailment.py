"""The entailed graph: derived, never edited, and right about the letter's dates.

- ``data/derived/entailed.ttl`` is exactly what `defcoop.graph.entailment` derives from
  the asserted files now (so it cannot drift), and none of its triples is asserted.
- Every day interval agrees with the date as stated: it lies within the period the
  stated date (or start) denotes, earliest <= latest, and the rules of the cases in
  ``DATE_CASES`` (season, "eind", "na", span, open start) give exactly their days.
- ``--no-entailed`` leaves the graph out of ``export``; ``--data`` derives it on the fly.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from test_store_support import defcoop

from defcoop import resources
from defcoop.errors import DataError
from defcoop.graph import dates
from defcoop.graph.entailment import derive, to_turtle
from defcoop.graph.files import ENTAILED_GRAPH, default_sources, load_graph
from defcoop.namespaces import DCO, PREFIXES

EV = PREFIXES["ev"]


@pytest.fixture(scope="module")
def asserted():
    return load_graph(default_sources(entailed=False))


@pytest.fixture(scope="module")
def shipped():
    return Graph().parse(resources.entailed_file(), format="turtle")


def test_the_shipped_file_is_a_fresh_derivation(asserted):
    sources = default_sources(entailed=False)
    assert resources.entailed_file().read_bytes() == to_turtle(derive(sources), asserted), \
        "data/derived/entailed.ttl is stale: run `defcoop entail`"


def test_it_is_listed_as_its_own_named_graph_and_adds_only_new_triples(asserted, shipped):
    entailed = [s for s in default_sources() if s.kind == "entailed"]
    assert [s.iri for s in entailed] == [ENTAILED_GRAPH]
    assert not [s for s in default_sources(entailed=False) if s.kind == "entailed"]
    assert len(shipped) > 600
    assert not [t for t in shipped if t in asserted]


@pytest.mark.parametrize("node, earliest, latest", [
    ("srtuas-mou-signing", "2018-09-01", "2018-11-30"),  # "in het najaar van 2018"
    ("mq9-purchase", "2018-03-01", "2018-05-31"),  # "in het voorjaar van 2018"
    ("f35-order-2018", "2018-10-01", "2018-12-31"),  # "Eind 2018": the last quarter
    ("lu-liaison-officer", "2019-09-01", "2019-12-31"),  # "Na de zomer" (2019)
    ("joint-arctic-training-2019", "2019-01-01", "2019-03-31"),  # "van januari tot maart"
    ("nl-us-framework-2018-concluded", "2018-01-01", "2018-12-31"),  # "in 2018"
    ("annual-report-2018-received", "2018-12-13", "2018-12-13"),  # a day
    ("mq9-delivery", "2020-06-01", None),  # "vanaf de zomer van 2020": open
    ("f35-takes-over-f16", "2021-01-01", None),  # "vanaf 2021": open
])
def test_the_interval_of_each_kind_of_date(shipped, node, earliest, latest):
    n = EV[node]
    assert list(shipped.objects(n, DCO.earliestDate)) == [Literal(earliest, datatype=XSD.date)]
    want = [Literal(latest, datatype=XSD.date)] if latest else []
    assert list(shipped.objects(n, DCO.latestDate)) == want


def test_every_interval_agrees_with_the_stated_date(asserted, shipped):
    dated = set(asserted.subjects(DCO.date, None)) | set(asserted.subjects(DCO.startDate, None))
    assert len(dated) == 23
    for node in dated:
        stated = asserted.value(node, DCO.date) or asserted.value(node, DCO.startDate)
        first, last = dates.period(stated, str(node))
        earliest = shipped.value(node, DCO.earliestDate).toPython()
        assert first <= earliest <= last, node
        latest = shipped.value(node, DCO.latestDate)
        end = asserted.value(node, DCO.endDate)
        if latest is None:
            assert asserted.value(node, DCO.date) is None and end is None, f"{node}: closed, but no latest day"
            continue
        latest = latest.toPython()
        assert earliest <= latest, node
        bound = dates.period(end, str(node))[1] if end is not None else last
        assert latest <= bound, node


def test_a_date_without_a_rule_is_refused_not_guessed():
    with pytest.raises(DataError, match="no interval rule for the qualifier"):
        dates.interval("ev:x", date=Literal("2019-05", datatype=XSD.gYearMonth),
                       qualifier=URIRef(PREFIXES["datequal"] + "after"))
    with pytest.raises(DataError, match="precision"):
        dates.interval("ev:x", date=Literal("2019", datatype=XSD.gYear),
                       precision=URIRef(PREFIXES["precision"] + "day"))
    assert dates.interval("ev:x", date=Literal("2018", datatype=XSD.gYear),
                          season=URIRef(PREFIXES["season"] + "winter")) == \
        dates.Interval(dt.date(2018, 12, 1), dt.date(2019, 2, 28))


def test_involves_reaches_what_hangs_off_a_project(shipped):
    lu = URIRef(PREFIXES["id"] + "LU")
    things = set(shipped.subjects(DCO.involves, lu))
    # the Dutch purchase for itself concerns the SRTUAS project, which Luxembourg is a partner in
    assert EV["nl-uav-purchase"] in things and EV["srtuas-training"] in things
    assert URIRef(PREFIXES["prj"] + "srtuas") in things


def test_export_leaves_the_entailed_graph_out_on_request():
    full = defcoop("export", "--format", "nt")
    bare = defcoop("export", "--format", "nt", "--no-entailed")
    assert full.returncode == 0 and bare.returncode == 0, full.stderr + bare.stderr
    used = 'ontology#earliestDate> "'  # the property used, not declared
    assert used in full.stdout and used not in bare.stdout
    assert len(full.stdout.splitlines()) - len(bare.stdout.splitlines()) == len(
        Graph().parse(resources.entailed_file(), format="turtle"))


@pytest.mark.slow
def test_user_data_gets_its_entailed_graph_on_the_fly(tmp_path):
    data = tmp_path / "mine.ttl"
    data.write_text(
        "@prefix dco: <https://w3id.org/defcoop/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://example.org/t> a dco:Training ; dco:date "2018"^^xsd:gYear ; '
        "dco:partner <https://example.org/s> .\n", encoding="utf-8")
    q = tmp_path / "q.rq"
    q.write_text("PREFIX dco: <https://w3id.org/defcoop/ontology#>\n"
                 "SELECT ?x ?e WHERE { ?x a dco:Event ; dco:earliestDate ?e ; dco:involves ?who }\n",
                 encoding="utf-8")
    out = defcoop("query", str(q), "--data", str(data), "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1:] == ["https://example.org/t,2018-01-01"]
    bare = defcoop("query", str(q), "--data", str(data), "--format", "csv", "--no-entailed")
    assert bare.returncode == 0 and bare.stdout.splitlines()[1:] == []


@pytest.mark.slow
def test_entail_check_says_whether_the_file_is_up_to_date():
    out = defcoop("entail", "--check")
    assert out.returncode == 0 and "up to date" in out.stderr, out.stderr
