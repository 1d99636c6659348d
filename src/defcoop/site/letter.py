"""The source text paragraph by paragraph, each quoted span marked and numbered.

Quotes may overlap, so a paragraph is cut at every quote boundary into segments;
a segment is marked when any quote covers it. The anchor of a quote sits where it
starts, its number (linking to the statements it sources) where it ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from rdflib import URIRef

from defcoop.graph import provenance
from defcoop.site.model import QuoteView, SiteModel


@dataclass
class Segment:
    text: str
    quotes: list  # QuoteView covering this segment
    starts: list = field(default_factory=list)  # QuoteView starting here
    ends: list = field(default_factory=list)  # QuoteView ending here


@dataclass
class ParagraphView:
    index: int
    anchor: str
    segments: list
    quotes: list  # QuoteView in this paragraph, in order


@dataclass
class SourceView:
    iri: str
    label: object
    path: str
    paragraphs: list


def source_views(model: SiteModel) -> list[SourceView]:
    views = []
    for source in sorted({q.source for q in model.quotes}):
        quotes = [q for q in model.quotes if q.source == source]
        text = provenance.source_text(model.graph, URIRef(source))
        paragraphs = []
        for p in text.paragraphs:
            pa, pb = text.from_raw(p.start, p.end)
            inside = []
            for q in quotes:
                if p.start <= q.start < p.end:
                    a, b = text.from_raw(q.start, q.end)
                    inside.append((max(a, pa) - pa, min(b, pb) - pa, q))
            paragraphs.append(
                ParagraphView(p.index, f"p{p.index + 1}", _segments(p.text, inside),
                              [q for _, _, q in inside])
            )
        views.append(
            SourceView(source, model.labels[source],
                       str(model.graph.value(URIRef(source), URIRef(
                           "https://w3id.org/defcoop/ontology#filePath")) or ""),
                       paragraphs)
        )
    return views


def _segments(text: str, spans: list[tuple[int, int, QuoteView]]) -> list[Segment]:
    cuts = sorted({0, len(text)} | {a for a, _, _ in spans} | {b for _, b, _ in spans})
    out = []
    for a, b in pairwise(cuts):
        if a == b:
            continue
        seg = Segment(
            text[a:b],
            [q for qa, qb, q in spans if qa <= a and b <= qb],
            starts=[q for qa, _, q in spans if qa == a],
            ends=[q for _, qb, q in spans if qb == b],
        )
        out.append(seg)
    return out
