"""The entailed graph: what follows from the asserted graph, shipped so any engine sees it.

`entail` computes, from the asserted triples and the ontology's hierarchy, the
triples a plain SPARQL engine would otherwise not find:

- ``rdf:type`` of every superclass (``rdfs:subClassOf``, transitively): an
  ``ev:x a dco:Training`` is also ``a dco:Event`` and ``a prov:Activity``;
- every super-property triple (``rdfs:subPropertyOf``, transitively): a
  ``dco:partner`` triple is also a ``dco:involves`` triple;
- the property chains of the ontology (``owl:propertyChainAxiom``), to a fixpoint:
  an event that ``dco:concerns`` a project ``dco:involves`` every actor the project
  involves;
- the day interval of every dated node (``dco:earliestDate``, ``dco:latestDate``:
  `defcoop.graph.dates`).

The hierarchy is the one the project's ontology files state, plus the hand-written
axioms of the external vocabularies (``ontology/imports/axioms.ttl``); no domain or
range entailment (it would type things the letter does not), no schema closure (the
stored queries read the direct ``rdfs:subClassOf`` of the ontology as written).

The result is written by ``defcoop entail`` to ``data/derived/entailed.ttl``, which
`defcoop.graph.files.default_sources` lists as the named graph
``https://w3id.org/defcoop/graph/entailed``; a test derives it afresh and compares,
so the file cannot drift from the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from defcoop import resources
from defcoop.errors import DataError
from defcoop.graph import dates
from defcoop.graph.files import Source, load_graph, ordered, parse_into
from defcoop.namespaces import DCO, PREFIXES
from defcoop.query.formats import shorten

Triple = tuple  # (subject, predicate, object)


def entail(asserted: Graph, schema: Graph | None = None, strict: bool = True) -> Graph:
    """The triples that follow from ``asserted`` and are not in it.

    ``strict``: a date no rule reads raises `DataError` (the project's own files); else
    that node gets no interval, and `defcoop validate` reports the date (a user's files).

    ``schema``: the hierarchy to use (default: ``asserted`` itself, which holds the
    ontology, plus the external vocabularies' axioms).
    """
    hierarchy = Graph()
    for t in (schema if schema is not None else asserted):
        hierarchy.add(t)
    parse_into(hierarchy, resources.root() / "ontology" / "imports" / "axioms.ttl")
    supers_of_class = _closure(hierarchy, RDFS.subClassOf)
    supers_of_property = _closure(hierarchy, RDFS.subPropertyOf)
    chains = _chains(hierarchy)

    known: set[Triple] = set(asserted)
    by_predicate: dict = defaultdict(lambda: defaultdict(set))
    for s, p, o in known:
        by_predicate[p][s].add(o)
    todo = list(known)
    while todo:
        found: set[Triple] = set()
        for s, p, o in todo:
            if p == RDF.type:
                found.update((s, RDF.type, c) for c in supers_of_class.get(o, ()))
            found.update((s, q, o) for q in supers_of_property.get(p, ()))
        for path, result in chains:
            found.update((x, result, z) for x, z in _follow(by_predicate, path))
        todo = [t for t in found if t not in known]
        for s, p, o in todo:
            known.add((s, p, o))
            by_predicate[p][s].add(o)

    out = Graph()
    for t in known:
        if t not in asserted and not any(isinstance(x, BNode) for x in t):
            out.add(t)
    for t in date_intervals(asserted, strict):
        if t not in asserted:
            out.add(t)
    return out


def date_intervals(graph: Graph, strict: bool = True) -> Iterable[Triple]:
    """``dco:earliestDate`` / ``dco:latestDate`` of every node with a date or a start
    (``strict``: as `entail`)."""
    nodes = set(graph.subjects(DCO.date, None)) | set(graph.subjects(DCO.startDate, None))
    for node in ordered(nodes):
        name = shorten(str(node))
        try:
            span = dates.interval(
                name,
                date=_one(graph, node, DCO.date, name),
                start=_one(graph, node, DCO.startDate, name),
                end=_one(graph, node, DCO.endDate, name),
                precision=_one(graph, node, DCO.datePrecision, name),
                season=_one(graph, node, DCO.season, name),
                qualifier=_one(graph, node, DCO.dateQualifier, name),
            )
        except DataError:
            if strict:
                raise
            continue
        if span is None:
            continue
        yield node, DCO.earliestDate, Literal(span.earliest.isoformat(), datatype=XSD.date)
        if span.latest is not None:
            yield node, DCO.latestDate, Literal(span.latest.isoformat(), datatype=XSD.date)


def derive(sources: Iterable[Source], strict: bool = True) -> Graph:
    """The entailed graph of ``sources`` (the asserted files, ontology included; ``strict``: as `entail`)."""
    return entail(load_graph([s for s in sources if s.kind != "entailed"]), strict=strict)


HEADER = """\
# GENERATED by `defcoop entail`: do not edit. What follows from the asserted graph
# (ontology/, data/reference/, data/documents/): the types of every superclass, every
# super-property triple (dco:involves among them), the property chains of
# dco:involves, and the day interval of every dated node (dco:earliestDate,
# dco:latestDate; the rules in docs/dates.md). Loaded as the named graph
# <https://w3id.org/defcoop/graph/entailed>; tests/test_entailment.py checks that
# it equals a fresh derivation.
"""


def to_turtle(graph: Graph, stated: Graph | None = None) -> bytes:
    """Turtle for people: prefixes once, subjects grouped and sorted, one statement a
    line; before each date interval, a comment with the date as stated (from ``stated``)."""
    def term(t) -> str:
        if isinstance(t, URIRef):
            return "a" if t == RDF.type else shorten(str(t))
        if isinstance(t, Literal) and t.datatype is not None and t.language is None:
            return f"{Literal(str(t)).n3()}^^{shorten(str(t.datatype))}"
        return t.n3()

    subjects: dict = defaultdict(list)
    for s, p, o in graph:
        subjects[s].append((p, o))
    blocks: list[str] = []
    used: set[str] = set()
    for s in sorted(subjects, key=lambda x: term(x)):
        rows = sorted(subjects[s], key=lambda po: (po[0] != RDF.type, term(po[0]), term(po[1])))
        lines = [term(s)]
        if stated is not None and any(p in (DCO.earliestDate, DCO.latestDate) for p, _ in rows):
            as_stated = [(p, o) for p in _DATE_PROPERTIES
                         for o in ordered(stated.objects(s, p))]
            lines.insert(0, "# dates as stated: " + ", ".join(f"{term(p)} {term(o)}" for p, o in as_stated))
        lines += [f"    {term(p)} {term(o)} ;" for p, o in rows]
        lines[-1] = lines[-1][:-2] + " ."
        blocks.append("\n".join(lines))
        for p, o in rows:
            used.update(x for x in (s, p, o, getattr(o, "datatype", None)) if isinstance(x, URIRef))
    prefixes = sorted(
        (prefix, str(ns)) for prefix, ns in PREFIXES.items()
        if any(shorten(str(iri)).startswith(prefix + ":") for iri in used if iri != RDF.type)
    )
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes)
    return (HEADER + "\n" + head + "\n" + "\n\n".join(blocks) + "\n").encode("utf-8")


_DATE_PROPERTIES = (DCO.date, DCO.startDate, DCO.endDate, DCO.datePrecision, DCO.season, DCO.dateQualifier)


def _closure(graph: Graph, relation: URIRef) -> dict:
    """node -> every node above it by ``relation`` (transitively, itself excluded)."""
    up: dict = defaultdict(set)
    for a, b in graph.subject_objects(relation):
        up[a].add(b)
    out = {}
    for start, above in up.items():
        seen, stack = set(), list(above)
        while stack:
            n = stack.pop()
            if n not in seen and n != start:
                seen.add(n)
                stack.extend(up.get(n, ()))
        out[start] = seen
    return out


def _chains(graph: Graph) -> list[tuple[list, Node]]:
    """(path of properties, the property it implies) for every owl:propertyChainAxiom."""
    return [
        (list(Collection(graph, chain)), prop)
        for prop, chain in graph.subject_objects(OWL.propertyChainAxiom)
    ]


def _follow(by_predicate, path) -> set:
    """Every (x, z) that ``path`` (a list of properties) links."""
    pairs = {(s, o) for s, objects in by_predicate.get(path[0], {}).items() for o in objects}
    for p in path[1:]:
        step = by_predicate.get(p, {})
        pairs = {(x, z) for x, y in pairs for z in step.get(y, ())}
    return pairs


def _one(graph: Graph, node, prop: URIRef, name: str):
    values = list(graph.objects(node, prop))
    if len(values) > 1:
        raise DataError(f"{name}: {len(values)} values of {shorten(str(prop))}; one at most")
    return values[0] if values else None
