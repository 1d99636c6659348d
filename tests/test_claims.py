"""Every factual claim of the letter is in triples: the claims inventory is complete and true.

The inventory, ``data/claims/kst-33279-29.tsv``, has one row per claim of a sentence of the
letter (the sentences of `SourceText.sentences`, numbered from 0):

- ``sentence``: the sentence's number; ``opens``: its first words (a check that the
  numbering still fits the text);
- ``held``: how the claim is held: ``fact`` (triples about the world), ``view`` (a
  dco:Assessment: the minister's evaluation, rationale or expected effect, attributed to
  her), ``metadata`` (about the letter itself), ``heading`` (a section), or ``none`` (not
  in triples; ``note`` says why);
- ``node``: the statement-bearing node whose quote is in that sentence;
- ``claim``: the claim in English; ``pattern``: SPARQL triple patterns (the project's
  prefixes) that the graph must match; ``note``: how a subtle reading was made.

The tests: every sentence has a row, every pattern matches on rdflib and on the embedded
engine (pyoxigraph), and every row's node is sourced by a quote in its sentence.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from defcoop.graph import provenance
from defcoop.graph.sources import SourceText
from rdflib.namespace import PROV

from defcoop.namespaces import DCO, PREFIXES
from defcoop.query.runner import execute

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "data" / "claims" / "kst-33279-29.tsv"
SOURCE = ROOT / "data" / "sources" / "kst-33279-29.txt"
LETTER_TEXT = URIRef("https://w3id.org/defcoop/id/document/kst-33279-29-text")
HELD = {"fact", "view", "metadata", "heading", "none"}
COLUMNS = ["sentence", "opens", "held", "node", "claim", "pattern", "note"]
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def read_inventory() -> list[dict[str, str]]:
    with INVENTORY.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        assert header == COLUMNS, f"{INVENTORY.name}: columns {header}, expected {COLUMNS}"
        return [dict(zip(COLUMNS, row, strict=True)) for row in reader]


ROWS = read_inventory()
CLAIMS = [r for r in ROWS if r["held"] != "none"]
SENTENCES = SourceText.from_path(SOURCE).sentences


def row_id(row: dict[str, str]) -> str:
    return f"s{row['sentence']}-{row['node']}"


def ask(row: dict[str, str]) -> str:
    return f"{PROLOGUE}ASK {{ {row['pattern']} }}"


def expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(PREFIXES[prefix] + local)


def test_the_sentences_are_the_letter_cut_at_full_stops():
    text = SourceText.from_path(SOURCE)
    assert len(SENTENCES) == 80
    for s in SENTENCES:
        assert text.quote_at(s.start, s.end) == s.text, f"sentence {s.index} is not its raw span"
    for p in text.paragraphs:
        assert " ".join(s.text for s in SENTENCES if s.paragraph == p.index) == p.text
    # abbreviations and initials do not end a sentence
    assert SENTENCES[24].text.startswith("Op 21 mei tekende ik met mijn Duitse collega, Minister dr. Ursula")
    assert SENTENCES[79].text == "De Minister van Defensie, A.Th.B. Bijleveld-Schouten"


def test_every_sentence_has_a_row():
    numbers = [int(r["sentence"]) for r in ROWS]
    assert numbers == sorted(numbers), "rows are in the letter's order"
    missing = sorted(set(range(len(SENTENCES))) - set(numbers))
    extra = sorted(set(numbers) - set(range(len(SENTENCES))))
    assert not missing, "sentences without a row:\n" + "\n".join(
        f"{i}: {SENTENCES[i].text}" for i in missing
    )
    assert not extra, f"rows for sentences the letter does not have: {extra}"


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_a_row_is_well_formed(row):
    sentence = SENTENCES[int(row["sentence"])]
    assert sentence.text.startswith(row["opens"]), (
        f"sentence {sentence.index} opens {sentence.text[:40]!r}, not {row['opens']!r}"
    )
    assert row["held"] in HELD
    assert row["claim"].strip()
    if row["held"] == "none":
        assert not row["pattern"] and row["note"].strip(), "a claim held in no triple says why"
    else:
        assert row["node"] in row["pattern"].split(), "the pattern states something of the node"


@pytest.mark.parametrize("row", CLAIMS, ids=row_id)
def test_a_claim_is_in_the_graph(row, project_graph):
    assert project_graph.query(ask(row)).askAnswer, f"no match in the graph for: {row['pattern']}"


def test_the_claims_hold_on_the_embedded_engine_too():
    failing = [row_id(r) for r in CLAIMS if not execute(ask(r), name=row_id(r)).boolean]
    assert not failing, f"patterns that pyoxigraph does not match: {failing}"


def test_a_claim_is_quoted_in_its_sentence(project_graph):
    """The node that holds a claim is the body of an annotation quoting its sentence."""
    spans: dict[URIRef, list[tuple[int, int]]] = {}
    for q in provenance.quotes(project_graph):
        if q.source == LETTER_TEXT:
            for body in q.bodies:
                spans.setdefault(body, []).append((q.start, q.end))
    unquoted = []
    for row in ROWS:
        sentence = SENTENCES[int(row["sentence"])]
        node = expand(row["node"])
        if not any(a < sentence.end and sentence.start < b for a, b in spans.get(node, [])):
            unquoted.append(f"{row_id(row)}: {row['node']} has no quote in sentence {sentence.index}")
    assert not unquoted, "\n".join(unquoted)


def test_views_are_attributed_assessments(project_graph):
    views = {expand(r["node"]) for r in ROWS if r["held"] == "view"}
    for node in views:
        assert (node, RDF.type, DCO.Assessment) in project_graph
        assert project_graph.value(node, PROV.wasAttributedTo) is not None
    # and every assessment of the graph is listed as a view of some sentence
    assert set(project_graph.subjects(RDF.type, DCO.Assessment)) == views
