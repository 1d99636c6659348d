"""Every fact is sourced: quotes are in the letter at their positions, every paragraph
of the letter is cited, and every statement-bearing node of a document has a quote."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from defcoop.graph import provenance
from defcoop.graph.files import default_sources, load_graph

LETTER_TEXT = URIRef("https://w3id.org/defcoop/id/document/kst-33279-29-text")
ID = "https://w3id.org/defcoop/id/"


def test_there_are_quotes(project_graph):
    assert len(provenance.quotes(project_graph)) >= 60


def test_every_quote_is_in_the_source_at_its_position(project_graph):
    problems = provenance.check_quotes(project_graph)
    assert not problems, "\n".join(f"{p.annotation}: {p.message}" for p in problems)


def test_every_paragraph_of_the_letter_is_cited(project_graph):
    missing = provenance.uncovered_paragraphs(project_graph, LETTER_TEXT)
    assert not missing, "\n".join(f"paragraph {p.index}: {p.text[:80]}" for p in missing)


def test_every_node_of_a_document_is_sourced():
    """A node typed in a document's file is stated by that document: it needs a quote."""
    for source in default_sources():
        if source.kind != "document":
            continue
        doc = load_graph([source])
        bodies = set(doc.objects(None, provenance.OA.hasBody))
        unsourced = [
            s for s in set(doc.subjects(RDF.type, None))
            if isinstance(s, URIRef) and str(s).startswith(ID)
            and (s, RDF.type, provenance.OA.Annotation) not in doc
            and (s, RDF.type, provenance.DCO.SourceText) not in doc
            and s not in bodies
        ]
        assert not unsourced, f"{source.path}: nodes without a quote: {sorted(unsourced)}"


def test_an_altered_quote_is_caught(project_graph):
    g = project_graph.__class__()
    for t in project_graph:
        g.add(t)
    q = provenance.quotes(project_graph)[5]
    selector = next(
        s for s in g.objects(q.target, provenance.OA.hasSelector)
        if (s, provenance.OA.exact, None) in g
    )
    from rdflib import Literal

    g.set((selector, provenance.OA.exact, Literal(q.exact.replace("e", "a", 1))))
    problems = provenance.check_quotes(g)
    assert [p.annotation for p in problems] == [q.annotation]
    assert "the quote occurs nowhere" in problems[0].message


@pytest.mark.parametrize("shift", [1, -1])
def test_a_moved_position_is_caught(project_graph, shift):
    q = provenance.quotes(project_graph)[7]
    text = provenance.source_text(project_graph, q.source)
    with pytest.raises(provenance.QuoteError) as err:
        text.check_quote(q.exact, q.start + shift, q.end + shift)
    assert f"{q.start}-{q.end}" in str(err.value)  # it says where the quote really is
