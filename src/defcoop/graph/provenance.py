"""Provenance: every quote of the graph checked against its source text.

A quote is an ``oa:TextQuoteSelector`` and an ``oa:TextPositionSelector`` on one
``oa:SpecificResource`` whose ``oa:hasSource`` is a ``dco:SourceText`` with a
``dco:filePath``. The quote must be the normalised text at that position.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node
from rdflib.namespace import RDF

from defcoop import resources
from defcoop.graph.files import ordered
from defcoop.namespaces import DCO, OA
from defcoop.graph.sources import QuoteError, SourceText  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class Quote:
    """One quote as written: anything missing is None (`check_quotes` says what)."""

    annotation: Node
    target: Node
    source: Node | None
    exact: str | None
    start: int | None
    end: int | None
    bodies: tuple[Node, ...]


@dataclass(frozen=True)
class QuoteProblem:
    annotation: Node
    message: str


@lru_cache(maxsize=32)
def _source_text(path: str) -> SourceText:
    return SourceText.from_path(path)


def source_text(graph: Graph, source: Node) -> SourceText:
    """The `SourceText` behind a ``dco:SourceText`` node of the graph."""
    rel = graph.value(source, DCO.filePath)
    if rel is None:
        raise QuoteError(f"{source} has no dco:filePath")
    path = Path(str(rel))
    if not path.is_absolute():
        path = resources.resolve(str(rel))
    if not path.is_file():
        raise QuoteError(f"{source}: source file {rel} does not exist")
    return _source_text(str(path))


def quotes(graph: Graph) -> list[Quote]:
    """Every quote (annotation, target, text, position) in the graph."""
    out = []
    for ann in graph.subjects(RDF.type, OA.Annotation):
        bodies = tuple(ordered(graph.objects(ann, OA.hasBody)))
        for target in graph.objects(ann, OA.hasTarget):
            exact = start = end = None
            for sel in graph.objects(target, OA.hasSelector):
                if (sel, RDF.type, OA.TextQuoteSelector) in graph:
                    exact = graph.value(sel, OA.exact)
                if (sel, RDF.type, OA.TextPositionSelector) in graph:
                    start = graph.value(sel, OA.start)
                    end = graph.value(sel, OA.end)
            out.append(
                Quote(
                    annotation=ann,
                    target=target,
                    source=graph.value(target, OA.hasSource),
                    exact=str(exact) if exact is not None else None,
                    start=_int(start),
                    end=_int(end),
                    bodies=bodies,
                )
            )
    return sorted(out, key=lambda q: (str(q.source), q.start or 0, str(q.annotation)))


def check_quotes(graph: Graph) -> list[QuoteProblem]:
    """Every quote whose text is not at its position in its source, with the reason."""
    problems = []
    for q in quotes(graph):
        if q.source is None:
            problems.append(QuoteProblem(q.annotation, "target has no oa:hasSource"))
            continue
        if q.exact is None:
            problems.append(QuoteProblem(q.annotation, "no oa:TextQuoteSelector with oa:exact"))
            continue
        if q.start is None or q.end is None:
            problems.append(
                QuoteProblem(q.annotation, "no oa:TextPositionSelector with integer oa:start and oa:end")
            )
            continue
        try:
            source_text(graph, q.source).check_quote(q.exact, q.start, q.end)
        except QuoteError as exc:
            problems.append(QuoteProblem(q.annotation, str(exc)))
    return problems


def uncovered_paragraphs(graph: Graph, source: URIRef) -> list:
    """The paragraphs of a source that no quote of the graph falls in."""
    text = source_text(graph, source)
    covered = set()
    for q in quotes(graph):
        if q.source == source and q.start is not None:
            covered.add(text.paragraph_of(q.start).index)
    return [p for p in text.paragraphs if p.index not in covered]


def _int(value: Node | None) -> int | None:
    if isinstance(value, Literal):
        try:
            return int(value.toPython())
        except (TypeError, ValueError):
            return None
    return None
