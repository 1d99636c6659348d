"""Validation catches real mistakes, and only those.

One data-driven test runs every case of tests/cases/manifest.csv: each case file is
validated with tests/cases/context.ttl and the ontology, exactly as
``defcoop validate tests/cases/context.ttl CASE`` does. The manifest lists every
finding a case gives (one row each: severity, focus node, path, constraint component,
value), or one row "conforms": the test fails on a finding missing and on one more. A
case whose findings are warnings only conforms, but fails with --strict. Further tests
run the command line as a user does.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from defcoop.graph.files import default_sources, parse_into, user_sources
from defcoop.validation import schema
from defcoop.validation.schema import read_into
from defcoop.validation.shacl import sparql as sparql_constraints
from defcoop.validation.validate import validate
from defcoop.validation.vocabulary import SH

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "cases"
CONTEXT = CASES / "context.ttl"
MANIFEST = list(csv.DictReader((CASES / "manifest.csv").open(encoding="utf-8")))
BY_CASE: dict[str, list[dict]] = {}
for _row in MANIFEST:
    BY_CASE.setdefault(_row["case"], []).append(_row)
#: one row per invalid case (its first listed violation)
INVALID = [rows[0] for rows in BY_CASE.values() if any(r["expect"] == "violation" for r in rows)]


def case_sources(case: str):
    files = [CONTEXT] + ([CASES / case] if case != "context.ttl" else [])
    return [s for s in default_sources() if s.kind == "ontology"] + user_sources(files)


def defcoop(*args):
    return subprocess.run(
        [sys.executable, "-m", "defcoop", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


def listed(report) -> list[tuple]:
    """The report's findings as the manifest writes them."""
    return sorted(
        (r["severity"].lower(), report.focus_name(f.focus), r["path"], report.name(f.component),
         "" if f.value is None else report.name(f.value))
        for f, r in zip(report.findings, report.rows())
    )


def test_the_manifest_covers_every_case_file():
    on_disk = {str(p.relative_to(CASES)) for p in CASES.glob("*/*.ttl")}
    assert on_disk <= set(BY_CASE), f"case files missing from the manifest: {sorted(on_disk - set(BY_CASE))}"
    assert len(INVALID) >= 14
    for case, rows in BY_CASE.items():
        assert all(r["expect"] in ("violation", "warning") for r in rows) or (
            [r["expect"] for r in rows] == ["conforms"]), case


@pytest.mark.parametrize("case", sorted(BY_CASE))
@pytest.mark.slow
def test_case(case):
    rows = BY_CASE[case]
    report = validate(case_sources(case))
    shown = "\n".join(
        f"  {r['focus']} {r['path']} {r['component']} {r['value']}: {r['message']}" for r in report.rows()
    )
    if rows[0]["expect"] == "conforms":
        assert report.findings == [], f"a valid case has findings:\n{shown}"
        assert report.exit_code == 0
        return
    expected = sorted((r["expect"], r["focus"], r["path"], r["component"], r["value"]) for r in rows)
    assert listed(report) == expected, shown
    assert all(f.message for f in report.findings)
    if any(r["expect"] == "violation" for r in rows):
        assert report.exit_code == 1
    else:
        assert report.exit_code == 0
        assert validate(case_sources(case), strict=True).exit_code == 1


@pytest.mark.slow
def test_the_project_conforms_without_a_single_finding():
    report = validate()
    assert [r for r in report.rows()] == []
    assert report.exit_code == 0


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
@pytest.mark.slow
def test_the_project_still_conforms_after_inference(inference):
    report = validate(inference=inference)
    assert report.rows() == []


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
@pytest.mark.slow
def test_inference_catches_a_property_used_outside_its_domain(tmp_path, inference):
    """dco:signatory has domain dco:Agreement: put on a signing, the signing is inferred
    to be an agreement, and an agreement needs two parties. As written, nothing is wrong."""
    text = (CASES / "valid/signing.ttl").read_text(encoding="utf-8")
    text = text.replace(
        "dco:signedAgreement agr:doi-nl-de-2019 ;",
        "dco:signedAgreement agr:doi-nl-de-2019 ;\n    dco:signatory id:AnkBijleveld ;",
    )
    case = tmp_path / "signatory-on-signing.ttl"
    case.write_text(text, encoding="utf-8")
    sources = [s for s in default_sources() if s.kind == "ontology"] + user_sources([CONTEXT, case])
    assert validate(sources).rows() == []
    report = validate(sources, inference=inference)
    assert [(r["focus"], r["path"], r["component"]) for r in report.rows()] == [
        ("https://w3id.org/defcoop/id/event/doi-nl-de-2019-signing", "dco:party", str(SH.MinCountConstraintComponent)),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_inference_never_takes_a_violation_away(inference):
    """On every invalid case, what the case violates as written it still violates with
    inference (a range would otherwise make the wrong kind of node the right kind)."""
    lost = {}
    for row in INVALID:
        plain = {(r["focus"], r["path"], r["component"], r["value"]) for r in validate(case_sources(row["case"])).rows()
                 if r["severity"] == "Violation"}
        inferred = {(r["focus"], r["path"], r["component"], r["value"])
                    for r in validate(case_sources(row["case"]), inference=inference).rows()}
        if plain - inferred:
            lost[row["case"]] = sorted(plain - inferred)
    assert lost == {}


@pytest.mark.slow
def test_owl_rl_reports_an_inconsistency():
    report = validate(case_sources("invalid/date-ill-typed.ttl"), inference="owlrl")
    found = [r for r in report.rows() if r["component"].endswith("#ConsistencyConstraintComponent")]
    assert found and "inconsistent under OWL 2 RL" in found[0]["message"]
    assert "2019-05-32" in found[0]["message"]


@pytest.mark.slow
def test_every_class_of_the_ontology_needs_labels_on_its_instances():
    """A class added to the ontology is covered by the label shape (through a superclass)."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDFS

    report = validate()
    targets = set(report.shapes.objects(URIRef("https://w3id.org/defcoop/shapes#LabelledShape"), SH.targetClass))
    g = report.graph
    uncovered = [
        c for c in g.subjects(RDF.type, OWL.Class)
        if str(c).startswith("https://w3id.org/defcoop/ontology#")
        and not set(g.transitive_objects(c, RDFS.subClassOf)) & targets
    ]
    assert uncovered == []


SPARQL_CASES = sorted({row["case"] for row in MANIFEST if row["component"] in ("", "sh:SPARQLConstraintComponent")})


@pytest.mark.parametrize("case", SPARQL_CASES)
@pytest.mark.slow
def test_sparql_constraints_agree_with_pyshacl(case):
    """The once-per-constraint evaluation gives what pyshacl's per-node evaluation gives."""
    import pyshacl

    report = validate(case_sources(case))
    _, only_sparql = sparql_constraints.split(report.shapes)
    ours = {
        (f.focus, f.value, f.shape, f.message)
        for f in sparql_constraints.evaluate(only_sparql, report.shapes, report.graph)
    }
    _, results, _ = pyshacl.validate(report.graph, shacl_graph=report.shapes, allow_warnings=True)
    theirs = {
        (results.value(r, SH.focusNode), results.value(r, SH.value), results.value(r, SH.sourceShape),
         str(results.value(r, SH.resultMessage)))
        for r in results.objects(None, SH.result)
        if results.value(r, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
    }
    assert ours == theirs


# -- the command line ---------------------------------------------------------------

@pytest.mark.slow
def test_cli_project_conforms():
    out = defcoop("validate")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "conforms: 0 violations, 0 warnings" in out.stdout


@pytest.mark.slow
def test_cli_invalid_file_exits_1_with_a_readable_report():
    out = defcoop("validate", str(CONTEXT), str(CASES / "invalid/link-to-wrong-kind.ttl"))
    assert out.returncode == 1
    assert "agr:doi-nl-de-2019" in out.stdout  # the focus node
    assert "Declaration of Intent of Germany" in out.stdout  # its label
    assert "dco:signatory" in out.stdout and "id:DE" in out.stdout  # path and value
    assert "A signatory (dco:signatory) is a person" in out.stdout  # the message
    assert "sh:ClassConstraintComponent" in out.stdout  # the shape / component
    assert "does not conform: 1 violation" in out.stdout


@pytest.mark.slow
def test_cli_json():
    out = defcoop("validate", "--format", "json", str(CONTEXT), str(CASES / "invalid/two-dates.ttl"))
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["conforms"] is False and report["violations"] == 1
    (result,) = report["results"]
    assert result["focus"] == "https://w3id.org/defcoop/id/event/doi-nl-de-2019-signing"
    assert result["path"] == "dco:date"
    assert result["component"] == str(SH.MaxCountConstraintComponent)


@pytest.mark.slow
def test_cli_turtle_is_a_shacl_validation_report():
    out = defcoop("validate", "--format", "turtle", str(CONTEXT), str(CASES / "invalid/altered-quote.ttl"))
    assert out.returncode == 1
    g = Graph().parse(data=out.stdout, format="turtle")
    (report,) = g.subjects(RDF.type, SH.ValidationReport)
    assert not g.value(report, SH.conforms).toPython()
    (result,) = g.objects(report, SH.result)
    assert str(g.value(result, SH.focusNode)).endswith("/annotation/kst-33279-29/doi-2019")
    assert "the quote occurs nowhere" in str(g.value(result, SH.resultMessage))


@pytest.mark.slow
def test_cli_warnings_fail_only_with_strict():
    files = [str(CONTEXT), str(CASES / "valid/state-without-wikidata.ttl")]
    relaxed = defcoop("validate", *files)
    assert relaxed.returncode == 0 and "Warning" in relaxed.stdout
    strict = defcoop("validate", "--strict", *files)
    assert strict.returncode == 1


@pytest.mark.slow
def test_cli_parse_error_names_file_and_line_and_nothing_else_runs(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    out = defcoop("validate", str(CONTEXT), str(bad))
    assert out.returncode == 2
    assert f"{bad}:3:" in out.stderr
    assert out.stdout == ""


@pytest.mark.slow
def test_cli_missing_file_exits_2(tmp_path):
    out = defcoop("validate", str(tmp_path / "nope.ttl"))
    assert out.returncode == 2
    assert "nope.ttl" in out.stderr and out.stdout == ""


@pytest.mark.slow
def test_cli_with_reference_lets_user_data_link_to_project_nodes(tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(
        "@prefix dco: <https://w3id.org/defcoop/ontology#> .\n"
        "@prefix id: <https://w3id.org/defcoop/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://example.org/my-place> a dco:Place ;\n"
        '    rdfs:label "my place"@en , "mijn plaats"@nl ;\n'
        "    <https://schema.org/containedInPlace> id:NL .\n"
    )
    alone = defcoop("validate", str(mine))
    assert alone.returncode == 1 and "described nowhere" in alone.stdout
    with_reference = defcoop("validate", "--with-reference", str(mine))
    assert with_reference.returncode == 0, with_reference.stdout


@pytest.mark.parametrize("wrong, right", [("dco:signatry", "dco:signatory"), ("sh:clas ", "sh:class ")])
def test_a_misspelt_term_in_the_shapes_is_an_error(tmp_path, wrong, right):
    """A shape that names an undeclared property or SHACL term checks nothing, silently:
    the shapes are term-checked like the data, and a misspelling stops validation
    (exit 2), naming the file and line."""
    from defcoop.errors import DataError
    from defcoop.validation.schema import shapes_files
    from defcoop.validation.shapes.index import ShapesIndex

    text = shapes_files()[0].read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if right in t)
    broken = tmp_path / "shapes.ttl"
    broken.write_text(text.replace(right, wrong, 1), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        validate(case_sources("valid/signing.ttl"), shapes=ShapesIndex.load([broken]))
    assert f"{broken}:{line}: " in str(caught.value)
    assert wrong.strip() in str(caught.value) and "declared nowhere" in str(caught.value)


@pytest.mark.slow
def test_every_finding_names_the_file_and_line_of_its_node():
    """On every invalid case, each finding says where its focus node (or, for a blank
    node, the IRI it hangs from) is written: the line of the case file (or of the
    context) that starts its description."""
    for case in sorted({row["case"] for row in INVALID}):
        for f in validate(case_sources(case)).findings:
            path, _, line = f.where.rpartition(":")
            assert path in (str(CASES / case), str(CONTEXT)), (case, f)
            text = Path(path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
            assert text and not text[0].isspace(), (case, f.where, text)


#: every file validation reads: the cases, the project's sources, the shapes and imports
READ = sorted({*CASES.rglob("*.ttl"), *(s.path for s in default_sources()), *(ROOT / "ontology").rglob("*.ttl")})
CAPITALS = '<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "x"@EN-GB , "012"^^<http://www.w3.org/2001/XMLSchema#integer> , 1.0E3 , [ a <https://example.org/B> ] .\n'


@pytest.mark.parametrize("path", READ, ids=lambda p: str(p.relative_to(ROOT)))
def test_read_into_gives_what_rdflib_parses(path):
    """Validation parses with pyoxigraph (`schema.read_into`): the same triples (literals
    normalised as rdflib's parser does them) and the same prefixes, in the same order."""
    expected, got = Graph(), Graph()
    parse_into(expected, path)
    read_into(got, path)
    assert isomorphic(expected, got)
    assert list(got.namespaces()) == list(expected.namespaces())


def test_parse_converts_a_term_once_and_a_blank_node_per_file(tmp_path):
    """Files share IRIs and literals: `schema.parse` converts each once per `TermCache`
    (the same rdflib term), a blank node once per file (two files' ``_:b`` are two
    nodes, as rdflib's parser makes them); a literal rdflib normalises goes to Oxigraph
    as rdflib has it; a full cache is emptied and gives the same terms."""
    text = ('<https://example.org/a> <https://example.org/p> '
            '"012"^^<http://www.w3.org/2001/XMLSchema#integer> , "x"@en , _:b .\n')
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    one.write_text(text, encoding="utf-8")
    two.write_text(text, encoding="utf-8")

    def objects(parsed):  # the blank node, "12", "x"
        return sorted((t[2] for t in parsed.triples), key=lambda o: (type(o).__name__, str(o)))

    cache = schema.TermCache()
    a, b = schema.parse(one, cache), schema.parse(two, cache)
    assert objects(a)[0] != objects(b)[0]
    assert objects(a)[1] is objects(b)[1] and objects(a)[2] is objects(b)[2]
    assert a.triples[0][1] is b.triples[0][1]
    assert {q.object.value for q in a.copy.quads if isinstance(q.object, ox.Literal)} == {"12", "x"}
    assert [a.copy.back[q.object] for q in a.copy.quads] == [t[2] for t in a.triples]
    small = schema.TermCache(size=2)
    c = schema.parse(one, small)
    assert len(small._pairs) <= 2 and objects(c)[1:] == objects(a)[1:]


def test_read_into_on_what_oxigraph_reads_otherwise(tmp_path):
    """A capital in a language tag (Oxigraph writes tags in lower case) and a file
    Oxigraph refuses go to rdflib: the same graph, and the same error line."""
    f = tmp_path / "capitals.ttl"
    f.write_text(CAPITALS, encoding="utf-8")
    expected, got = Graph(), Graph()
    parse_into(expected, f)
    read_into(got, f)
    assert isomorphic(expected, got) and any(getattr(o, "language", None) == "EN-GB" for o in got.objects())
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://example.org/a> <https://example.org/b> .\n", encoding="utf-8")
    with pytest.raises(Exception) as rdflib_error:
        parse_into(Graph(), bad)
    with pytest.raises(type(rdflib_error.value)) as ours:
        read_into(Graph(), bad)
    assert str(ours.value) == str(rdflib_error.value)
