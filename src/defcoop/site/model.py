"""What the pages show, collected from the graph: entities, their statements and quotes.

The selections (which nodes get a page, which are events, agreements...) are SPARQL
queries, kept here as constants so that the tests can count with the same words.
Every node is turned into a `Value` once, which knows how to be shown and where it
links: an entity page, a term of the ontology reference, a quote of the letter or
an external page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from defcoop.graph import provenance
from defcoop.graph.files import ordered
from defcoop.namespaces import DCO, OA
from defcoop.query import engine
from defcoop.query.runner import execute
from defcoop.site.labels import Label, Labels
from defcoop.site.paths import (
    ANNOTATION_BASE,
    anchor,
    entity_path,
    is_ours,
    qname,
    quote_anchor,
)

PREFIXES = """\
PREFIX dco: <https://w3id.org/defcoop/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

#: Every node that gets a page: a typed IRI under id/, annotations excepted.
ENTITIES_QUERY = PREFIXES + """
SELECT DISTINCT ?entity ?type WHERE {
  ?entity rdf:type ?type .
  FILTER (isIRI(?entity) && STRSTARTS(STR(?entity), "https://w3id.org/defcoop/id/"))
  FILTER NOT EXISTS { ?entity rdf:type oa:Annotation }
}"""

#: The terms of the ontology reference (they get an anchor on ontology.html).
TERMS_QUERY = PREFIXES + """
SELECT DISTINCT ?term WHERE {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
                 rdf:Property skos:ConceptScheme skos:Concept skos:Collection owl:Ontology }
  ?term rdf:type ?kind .
  FILTER isIRI(?term)
}"""

#: Instances of a class and its subclasses (``%s`` is the class, e.g. dco:Agreement).
INSTANCES_QUERY = PREFIXES + """
SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x rdf:type/rdfs:subClassOf* %s }"""

WIKIDATA = "http://www.wikidata.org/entity/"


@dataclass
class Value:
    """One node as a page shows it."""

    kind: str  # "page", "term", "quote", "external", "literal", "blank"
    text: str  # IRI, lexical form, or blank node id
    href: str | None = None  # relative to the site root, or absolute for "external"
    label: Label | None = None
    lang: str | None = None
    datatype: str | None = None
    parts: list = field(default_factory=list)  # (property, value) of a blank node

    @property
    def wikidata(self) -> bool:
        return self.kind == "external" and self.text.startswith(WIKIDATA)

    @property
    def short(self) -> str:
        return qname(self.text)


@dataclass
class QuoteView:
    """A quote of the letter, in its paragraph, with the statements it sources."""

    annotation: str
    anchor: str
    number: int
    exact: str
    before: str  # the paragraph before the quote
    quoted: str  # the quote as it stands in the paragraph
    after: str
    start: int  # raw offsets in the source file
    end: int
    source: str
    bodies: list  # of Value
    paragraph: int = 0  # the paragraph of the letter it stands in, from 1
    paragraph_anchor: str = ""
    english: str | None = None  # an English rendering of the quote, where the data holds one

    @property
    def href(self) -> str:
        return f"letter.html#{self.anchor}"


@dataclass
class Entity:
    iri: str
    path: str
    label: Label
    types: list  # of Value
    about: list  # of (property Value, object Value)
    pointing: list  # of (subject Value, property Value)
    quotes: list  # of QuoteView
    external: list  # of Value: owl:sameAs / rdfs:seeAlso links

    @property
    def short(self) -> str:
        return qname(self.iri)


class SiteModel:
    """Everything the pages show, computed once from a graph."""

    def __init__(self, graph: Graph, store=None):
        """``store``: the same graph in the engine (`defcoop.query.engine.in_memory`, or
        a pyoxigraph store), which runs the model's queries; made from ``graph`` if not
        given."""
        self.graph = graph
        self.store = engine.from_rdflib_graph(graph) if store is None else store
        self.labels = Labels(graph)
        self.triples = len(graph)
        types: dict[str, set[str]] = defaultdict(set)
        for row in execute(ENTITIES_QUERY, self.store, name="entities").rows:
            types[str(row[0])].add(str(row[1]))
        self.entity_types = types
        self.terms = {str(r[0]) for r in execute(TERMS_QUERY, self.store, name="terms").rows}
        self.quotes = self._quotes()
        by_body = defaultdict(list)
        for q in self.quotes:
            for b in q.bodies:
                by_body[b.text].append(q)
        self._quotes_by_body = by_body
        self.entities = sorted(
            (self._entity(iri) for iri in types), key=lambda e: (e.label.en.lower(), e.iri)
        )
        self.by_iri = {e.iri: e for e in self.entities}

    # -- values ---------------------------------------------------------------
    def value(self, term, depth: int = 0) -> Value:
        if isinstance(term, Literal):
            dt = qname(str(term.datatype)) if term.datatype else None
            return Value("literal", str(term), lang=term.language, datatype=dt)
        if isinstance(term, BNode):
            parts = []
            if depth < 2:
                for p, o in sorted(self.graph.predicate_objects(term)):
                    parts.append((self.value(p, depth + 1), self.value(o, depth + 1)))
            return Value("blank", str(term), parts=parts)
        iri = str(term)
        label = self.labels[iri]
        if iri in self.entity_types:
            return Value("page", iri, entity_path(iri), label)
        if iri.startswith(ANNOTATION_BASE):
            return Value("quote", iri, f"letter.html#{quote_anchor(iri)}", label)
        if iri in self.terms:
            return Value("term", iri, f"ontology.html#{anchor(iri)}", label)
        return Value("external", iri, iri if iri.startswith(("http://", "https://")) else None, label)

    def term_href(self, iri: str) -> str | None:
        return f"ontology.html#{anchor(iri)}" if iri in self.terms else None

    # -- entities -------------------------------------------------------------
    def _entity(self, iri: str) -> Entity:
        node = URIRef(iri)
        g = self.graph
        about = [
            (self.value(p), self.value(o))
            for p, o in g.predicate_objects(node)
        ]
        about.sort(key=lambda po: (_property_rank(po[0].text), po[0].short, po[1].lang or "",
                                   po[1].text))
        pointing = [(self.value(s), self.value(p)) for s, p in g.subject_predicates(node)]
        pointing.sort(key=lambda sp: (sp[1].short, sp[0].kind, sp[0].text))
        external = [
            self.value(o)
            for p in (OWL.sameAs, RDFS.seeAlso, SKOS.exactMatch)
            for o in ordered(g.objects(node, p))
            if isinstance(o, URIRef) and not is_ours(str(o))
        ]
        types = sorted((self.value(URIRef(t)) for t in self.entity_types[iri]), key=lambda v: v.short)
        return Entity(
            iri=iri,
            path=entity_path(iri),
            label=self.labels[iri],
            types=types,
            about=about,
            pointing=pointing,
            quotes=list(self._quotes_by_body.get(iri, [])),
            external=external,
        )

    # -- quotes ---------------------------------------------------------------
    def _quotes(self) -> list[QuoteView]:
        out: list[QuoteView] = []
        seen: Counter = Counter()
        for q in provenance.quotes(self.graph):
            if q.source is None or q.start is None or q.end is None:
                continue
            text = provenance.source_text(self.graph, q.source)
            para = text.paragraph_of(q.start)
            pa, pb = text.from_raw(para.start, para.end)
            a, b = text.from_raw(q.start, q.end)
            a, b = max(a, pa), min(b, pb)
            index = seen[str(q.annotation)]
            seen[str(q.annotation)] += 1
            out.append(
                QuoteView(
                    annotation=str(q.annotation),
                    anchor=quote_anchor(str(q.annotation), index),
                    number=len(out) + 1,
                    exact=q.exact or "",
                    before=text.text[pa:a],
                    quoted=text.text[a:b],
                    after=text.text[b:pb],
                    start=q.start,
                    end=q.end,
                    source=str(q.source),
                    bodies=sorted((self.value(b) for b in q.bodies if not self._translation_node(b)),
                                  key=lambda v: v.label.en if v.label else v.text),
                    paragraph=para.index + 1,
                    paragraph_anchor=f"p{para.index + 1}",
                    english=self._english(q.annotation),
                )
            )
        return out

    def quoted_at(self) -> dict[str, tuple[str, int]]:
        """Where the letter first states each node: (source, raw offset of its first quote)."""
        first: dict[str, tuple[str, int]] = {}
        for q in self.quotes:
            for b in q.bodies:
                if b.text not in first or q.start < first[b.text][1]:
                    first[b.text] = (q.source, q.start)
        return first

    def _translation_node(self, body) -> bool:
        return (body, RDF.type, OA.TextualBody) in self.graph

    def _english(self, annotation) -> str | None:
        """The English rendering of a quote: a body of its annotation that is an
        ``oa:TextualBody`` with an English ``rdf:value`` (none in the data as yet)."""
        for body in self.graph.objects(annotation, OA.hasBody):
            if self._translation_node(body):
                for v in self.graph.objects(body, RDF.value):
                    if isinstance(v, Literal) and (v.language or "").lower().startswith("en"):
                        return str(v)
        return None

    # -- figures --------------------------------------------------------------
    def count_instances(self, cls: str) -> int:
        rows = execute(INSTANCES_QUERY % f"<{cls}>", self.store, name="instances").rows
        return int(rows[0][0])

    def figures(self) -> dict:
        per_class: Counter[str] = Counter()
        for types in self.entity_types.values():
            for t in types:
                per_class[t] += 1
        classes = sorted(
            ((self.value(URIRef(t)), n) for t, n in per_class.items()),
            key=lambda vn: (-vn[1], vn[0].short),
        )
        return {
            "triples": self.triples,
            "entities": len(self.entities),
            "quotes": len(self.quotes),
            "agreements": self.count_instances(str(DCO.Agreement)),
            "events": self.count_instances(str(DCO.Event)),
            "classes": classes,
        }

    def groups(self) -> list:
        """Entities grouped by their (first) type, for the index page."""
        groups = defaultdict(list)
        for e in self.entities:
            groups[e.types[0].text if e.types else ""].append(e)
        return sorted(
            ((self.value(URIRef(t)), members) for t, members in groups.items()),
            key=lambda g: g[0].label.en.lower() if g[0].label else g[0].text,
        )


def _property_rank(iri: str) -> int:
    order = [str(RDF.type), str(RDFS.label), str(SKOS.altLabel), str(SKOS.prefLabel)]
    return order.index(iri) if iri in order else len(order)


__all__ = ["OA", "Entity", "QuoteView", "SiteModel", "Value"]
