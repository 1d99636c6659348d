"""What a SHACL-SPARQL query can read of a document from one node (defcoop.validation.incremental.query_reach)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from defcoop.validation.incremental.query_reach import reader

PREFIXES = {"oa": "http://www.w3.org/ns/oa#", "dco": "https://w3id.org/defcoop/ontology#",
            "dcterms": "http://purl.org/dc/terms/"}
STATUS_QUERY = """SELECT $this ?sourceDate WHERE {
    ?annotation oa:hasBody $this ; oa:hasTarget/oa:hasSource ?text .
    ?text ^dco:sourceText|dcterms:source ?document .
    ?document dcterms:date ?sourceDate .
}"""
DOCUMENT = """
@prefix oa: <http://www.w3.org/ns/oa#> . @prefix dco: <https://w3id.org/defcoop/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix ex: <https://example.org/> .
ex:a1 oa:hasBody ex:hub , ex:agreement ; oa:hasTarget [ oa:hasSource ex:text ; oa:hasSelector [ oa:exact "x" ] ] .
ex:a2 oa:hasBody ex:agreement ; oa:hasTarget [ oa:hasSource ex:text ] .
ex:letter dco:sourceText ex:text ; dcterms:date "2019-06-19" ; dcterms:references ex:agreement .
ex:agreement dco:party ex:NL ; dco:status ex:done .
"""


def _index():
    triples = [q.triple for q in ox.parse(DOCUMENT, format=ox.RdfFormat.TURTLE)]
    by_subject, by_object = {}, {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
        by_object.setdefault(t.object, []).append(t)
    return by_subject, by_object


def _short(t) -> str:
    return " ".join(x.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1] if isinstance(x, ox.NamedNode)
                    else ("_" if isinstance(x, ox.BlankNode) else x.value) for x in t)


def test_the_walk_follows_the_query_patterns_only():
    r = reader(STATUS_QUERY, PREFIXES)
    assert {(p.rsplit("#")[-1], str(v)) for p, v in r.links()} == {("hasBody", "annotation")}
    passed = {_short(t) for t in r.reach(ox.NamedNode("https://example.org/a1"),
                                         *sorted(v for _, v in r.links()), *_index())}
    assert passed == {
        "a1 hasTarget _", "_ hasSource text", "letter sourceText text", "letter date 2019-06-19",
    }  # not the other body, the selector, the other annotation of the text, what the letter cites


@pytest.mark.parametrize("query", [
    "SELECT $this WHERE { ?a oa:hasBody $this ; ?p ?o }",  # a variable predicate
    "SELECT $this WHERE { ?a oa:hasBody $this ; !oa:hasTarget ?o }",  # a negated property set
    "SELECT $this WHERE { ?a oa:hasBody $this . GRAPH ?g { ?a oa:hasTarget ?t } }",
    "SELECT $this WHERE { ?a oa:hasBody $this . { SELECT ?a WHERE { ?a oa:hasTarget ?t } } }",
])
def test_a_query_the_walk_cannot_follow_gives_no_reader(query):
    assert reader(query, PREFIXES) is None


def test_patterns_inside_exists_are_followed():
    r = reader("SELECT $this WHERE { FILTER NOT EXISTS { ?a oa:hasBody $this ; "
               "oa:hasTarget/oa:hasSelector/oa:exact ?q } }", PREFIXES)
    passed = {_short(t) for t in r.reach(ox.NamedNode("https://example.org/a1"), *sorted(
        v for _, v in r.links()), *_index())}
    assert passed == {"a1 hasTarget _", "_ hasSelector _", "_ exact x"}
