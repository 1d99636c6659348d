"""Parameters are bound as RDF terms: no value can change the structure of a query.

Each injection attempt either is refused with a message naming the parameter, or
comes back from the engine as exactly the value given (one row, one term): it
stayed a literal inside the VALUES block. Checked on rdflib and on pyoxigraph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from support import rdflib_query as run

from defcoop.errors import DefcoopError
from defcoop.query.library import bind, parse, parse_assignments
from defcoop.query.params import ParameterError, insert_values, query_kind, where_open

INJECTIONS = [
    '" } ; DROP ALL ; #',
    'x" . ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o }",
    '"""\n} SELECT * WHERE { ?s ?p ?o }',
    "end\\",
    '\\" } #',
    "line\nbreak\r\tand tab",
    "} } } { { {",
    "# not a comment",
    "<http://example.org/> ?p ?o",
    "Noorwegen ‘quoted’ — ünïcødé",
]


def stored(text: str, name: str = "q"):
    return parse(text, Path(f"{name}.rq"))


STRING_QUERY = stored(
    '#+ param: v string default=x "a value"\n'
    "SELECT ?v WHERE { }\n"
)


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_string_value_stays_one_literal_on_rdflib(value):
    result = run(bind(STRING_QUERY, {"v": value}), Graph())
    assert result.variables == ["v"]
    assert result.rows == [(Literal(value),)]


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_string_value_stays_one_literal_on_pyoxigraph(value):
    pyoxigraph = pytest.importorskip("pyoxigraph")
    rows = list(pyoxigraph.Store().query(bind(STRING_QUERY, {"v": value})))
    assert len(rows) == 1 and rows[0]["v"].value == value


def test_a_unicode_escape_is_refused_rather_than_read_differently():
    # rdflib expands \u escapes before parsing, other engines do not
    with pytest.raises(ParameterError, match="--param v"):
        bind(STRING_QUERY, {"v": "a\\u0022b"})


IRI_QUERY = stored(
    '#+ param: thing iri default=id:FR "a node"\n'
    "SELECT ?thing WHERE { }\n"
)


@pytest.mark.parametrize("value", [
    "http://example.org/x> ?p ?o } #",
    "<http://example.org/a b>",
    'http://example.org/"x"',
    "http://example.org/{x}",
    "id:FR> . ?s ?p ?o",
    "nope:FR",
    "not an iri",
    "",
    "http://example.org/\\u003E",
    "id:F#R",  # a declared prefix with a bad local name, not an IRI with scheme "id" (issue 18.8)
])
def test_a_bad_iri_is_refused_with_the_parameter_named(value):
    with pytest.raises(ParameterError, match="--param thing"):
        bind(IRI_QUERY, {"thing": value})


@pytest.mark.parametrize("value, iri", [
    ("id:FR", "https://w3id.org/defcoop/id/FR"),
    ("agr:doi-nl-de-2019", "https://w3id.org/defcoop/id/agreement/doi-nl-de-2019"),
    ("<https://example.org/x#y>", "https://example.org/x#y"),
    ("https://example.org/x?y=1", "https://example.org/x?y=1"),
])
def test_an_iri_is_expanded_and_bound(value, iri):
    assert run(bind(IRI_QUERY, {"thing": value}), Graph()).rows == [(URIRef(iri),)]


@pytest.mark.parametrize("type_, good, value, bad", [
    ("int", "2019", Literal(2019), "2019 } #"),
    ("decimal", "1.5", Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")), "1,5"),
    ("date", "2019-06-19", Literal("2019-06-19", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")), "2019-13-01"),
    ("gYear", "2019", Literal("2019", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")), "19"),
    ("gYearMonth", "2019-06", Literal("2019-06", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth")), "2019-6"),
    ("bool", "true", Literal(True), "yes"),
    ("lang", "nl", Literal("nl"), 'nl" } #'),
    # issue 18.8: a final newline, and digits that are not ASCII, are not accepted as such
    ("lang", "nl", Literal("nl"), "en\n"),
    ("int", "2019", Literal(2019), "\u0662\u0660\u0661\u0669"),
    ("decimal", "1.5", Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")), "\u0661.5"),
    ("gYear", "2019", Literal("2019", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")), "\u0662\u0660\u0661\u0669"),
    ("date", "2019-06-19", Literal("2019-06-19", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")), "\u0662\u0660\u0661\u0669-06-19"),
])
def test_typed_values(type_, good, value, bad):
    q = stored(f"#+ param: v {type_} default={good}\nSELECT ?v WHERE {{ }}\n")
    assert run(bind(q, {}), Graph()).rows == [(value,)]
    with pytest.raises(ParameterError, match="--param v"):
        bind(q, {"v": bad})


def test_unknown_missing_and_malformed_parameters():
    q = stored('#+ param: v string "required, no default"\nSELECT ?v WHERE { }\n')
    assert q.params[0].required
    with pytest.raises(ParameterError, match="--param v: required"):
        bind(q, {})
    with pytest.raises(ParameterError, match="--param w: .* no such parameter"):
        bind(q, {"v": "x", "w": "y"})
    with pytest.raises(ParameterError, match="name=value"):
        parse_assignments(["v"])
    with pytest.raises(ParameterError, match="given twice"):
        parse_assignments(["v=1", "v=2"])


@pytest.mark.parametrize("header, message", [
    ("#+ param: v colour", "unknown parameter type"),
    ("#+ param: 1v string", "not a valid variable name"),
    ("#+ param: v int default=x", "bad default"),
    ("#+ frobnicate: x", "unknown header"),
    ("#+ param: unused string default=x", r"never uses \?unused"),
])
def test_header_errors_name_file_and_line(header, message):
    with pytest.raises(DefcoopError, match=message) as err:
        stored(f"# a comment\n{header}\nSELECT ?v WHERE {{ }}\n", "broken")
    assert "broken.rq" in str(err.value)
    if "never uses" not in message:
        assert "broken.rq:2" in str(err.value)


# -- where the VALUES block goes -------------------------------------------

@pytest.mark.parametrize("text, marker", [
    ("SELECT ?v WHERE { ?s ?p ?v }", "{ ?s ?p ?v }"),
    ("PREFIX ex: <http://ex.org/a#{b}>\n# a comment with { braces }\nSELECT ?v { ?s ex:p ?v }", "{ ?s ex:p ?v }"),
    ('SELECT ?v WHERE { ?s ?p "a { string" . ?s ?q ?v }', '{ ?s ?p "a { string"'),
    ("CONSTRUCT { ?s ?p ?v } WHERE { ?s ?p ?v }", "WHERE { ?s ?p ?v }"),
    ("CONSTRUCT WHERE { ?s ?p ?v }", "{ ?s ?p ?v }"),
    ("ASK { ?s ?p ?v }", "{ ?s ?p ?v }"),
    ("DESCRIBE ?v WHERE { ?v ?p ?o }", "{ ?v ?p ?o }"),
    ("SELECT ?v WHERE { { SELECT ?v WHERE { ?s ?p ?v } } }", "{ { SELECT"),
])
def test_values_open_the_outermost_where_group(text, marker):
    at = where_open(text)
    assert text[:at].endswith(marker[: marker.index("{") + 1])
    bound = insert_values(text, {"v": '"x"'})
    assert 'VALUES (?v) { ("x") }' in bound
    assert bound.index("VALUES") > text.index(marker)


def test_query_kind_ignores_comments_strings_and_prefixed_names():
    assert query_kind('# SELECT\nPREFIX ask: <http://x/>\nCONSTRUCT { ?s ask:p "SELECT" } WHERE { ?s ?p ?o }') == "CONSTRUCT"


# -- the bound term in the filters that see the VALUES block ---------------------

_TOP = "SELECT * WHERE { ?s ?p ?o . "


@pytest.mark.parametrize("body, inlined", [
    ('FILTER(lang(?o) = ?v) }', True),  # in the WHERE group itself
    ('FILTER regex(?o, ?v) }', True),  # a built-in call without its own parentheses
    ('OPTIONAL { ?s ?q ?x FILTER(?x = ?v) } }', True),  # the left join's condition
    ('FILTER(EXISTS { ?s ?q ?v }) }', True),  # EXISTS sees the outer solution
    ('{ ?s ?q ?x FILTER(?x = ?v) } }', False),  # a nested group: evaluated on its own
    ('{ ?s ?q ?x FILTER(?x = ?v) } UNION { ?s ?q ?x } }', False),
    ('OPTIONAL { ?s ?q ?x OPTIONAL { ?x ?r ?y FILTER(?y = ?v) } } }', False),
    ('GRAPH ?g { ?s ?q ?x FILTER(?x = ?v) } }', False),
    ('MINUS { ?s ?q ?x FILTER(?x = ?v) } }', False),
    ('{ SELECT ?s WHERE { ?s ?q ?x FILTER(?x = ?v) } } }', False),  # a subquery
    ('FILTER NOT EXISTS { ?s ?q ?x FILTER(?x = ?v) } }', False),
])
def test_the_bound_term_replaces_the_variable_only_where_the_filter_sees_the_values(body, inlined):
    bound = insert_values(_TOP + body, {"v": '"x"'})
    assert bound.startswith('SELECT * WHERE { VALUES (?v) { ("x") }')
    rest = bound[bound.index("}") + 1:]  # after the VALUES block
    assert ("?v" not in rest) is inlined, bound


def test_inlining_leaves_strings_comments_iris_and_other_variables_alone():
    text = ('SELECT * WHERE { ?s ?p ?o .\n# FILTER(?v)\n'
            'FILTER(?o != "?v" && ?o != <http://x/?v> && ?vv = ?v) }')
    bound = insert_values(text, {"v": '"x"'})
    assert '# FILTER(?v)' in bound and '"?v"' in bound and '<http://x/?v>' in bound
    assert '?vv = "x"' in bound


@pytest.mark.slow
def test_every_stored_query_gives_the_same_rows_with_and_without_the_inlined_terms():
    """The inlining is an optimisation: the VALUES block alone gives the same answer."""
    from defcoop.namespaces import PREFIXES
    from defcoop.query import engine, library
    from defcoop.query.params import to_term, values_block, where_open

    checked = inlined = 0
    for stored in library.load_library():
        if not stored.params:
            continue
        terms = {p.name: to_term(p.name, p.type, p.default, PREFIXES) for p in stored.params}
        at = where_open(stored.text)
        plain = stored.text[:at] + values_block(terms) + stored.text[at:]
        fast = library.bind(stored, {})
        inlined += fast != plain
        assert engine.execute(fast).rows == engine.execute(plain).rows, stored.name
        checked += 1
    assert checked >= 15 and inlined >= 15  # the lang filters of 17 queries
