"""Ad-hoc SPARQL: the project's prefixes declared for a text, syntax errors reported at
the line and column of the text as written (defcoop.query.syntax)."""

from __future__ import annotations

import pytest

from defcoop.errors import DefcoopError
from defcoop.query import params
from defcoop.query.runner import check_syntax, execute
from defcoop.query.syntax import declare_prefixes

# text -> (prefixes it uses, prefixes it declares)
SCANS = {
    "PREFIX ex: <http://example.org/>\nSELECT * { ?s a ex:T ; dco:p 'x:y' . _:b rdfs:label <a:b> }":
        ({"ex", "dco", "rdfs"}, {"ex"}),
    "SELECT * { ?s ?p ?o } # dco:Event in a comment": (set(), set()),
    'SELECT * { ?s skos:prefLabel "foaf:Person"@en . ?s dcterms:isPartOf doc:kst-33279-29. }':
        ({"skos", "dcterms", "doc"}, set()),
}


@pytest.mark.parametrize("text", SCANS)
def test_prefixes_used_and_declared(text):
    assert (params.used_prefixes(text), params.declared_prefixes(text)) == SCANS[text]


def test_only_undeclared_project_prefixes_are_added_on_one_line():
    text = "PREFIX dco: <urn:mine#>\nSELECT * { ?x a dco:T ; rdfs:label ?l ; ex:p ?o }"
    declared, offset = declare_prefixes(text)
    assert offset == 1
    first, rest = declared.split("\n", 1)
    assert first == "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" and rest == text
    assert declare_prefixes("SELECT * { ?s ?p ?o }") == ("SELECT * { ?s ?p ?o }", 0)


# (text as written, expected message after "q.rq: SPARQL syntax error: ")
ERRORS = [
    ("SELECT ?x WHERE {\n  ?x a dco:Event ;\n     ?p\n}\n", "line 3, column 6: unexpected '?p'"),
    ("SELECT ?x\nWHERE {\n  ?x a ex:Thing }", "line 3, column 8: undeclared prefix 'ex:'"),
    ("SELECT ?x WHERE { ?x ?p ?o } LIMIT 10 foo", "line 1, column 39: unexpected 'foo'"),
    ("SELECT ?x WHERE {\n  ?x ?p ?o\n", "line 3, column 1: unexpected end of the query"),
]


@pytest.mark.parametrize("text, message", ERRORS)
def test_a_syntax_error_is_one_line_at_its_place_in_the_text_as_written(text, message):
    declared, offset = declare_prefixes(text)
    with pytest.raises(DefcoopError) as caught:
        check_syntax(declared, "q.rq", offset)
    reported = str(caught.value)
    assert "\n" not in reported
    assert reported.startswith(f"q.rq: SPARQL syntax error: {message}"), reported


def test_the_embedded_engine_reports_the_same_place():
    with pytest.raises(DefcoopError) as caught:
        execute("PREFIX dco: <https://w3id.org/defcoop/ontology#>\nSELECT ?x\nWHERE {\n"
                "  ?x a dco:Event ; ?p\n}\n", name="q.rq")
    assert str(caught.value) == "q.rq: SPARQL syntax error: line 4, column 20: unexpected '?p'"


def test_checking_a_query_never_calls_its_services():
    # an address that never answers: evaluating the SERVICE would wait for a timeout
    text = "ASK { SERVICE SILENT <http://10.255.255.1:8890/sparql> { ?s ?p ?o } }"
    check_syntax(text, "q.rq")  # returns at once, no error
    with pytest.raises(DefcoopError, match=r"^q.rq: SPARQL syntax error: line 1, column 7: unexpected 'SERVICE'$"):
        check_syntax("ASK { SERVICE { ?s ?p ?o } }", "q.rq")
