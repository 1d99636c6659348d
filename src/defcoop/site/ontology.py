"""The ontology reference: classes, properties and concept schemes, with the shapes
that apply to each class when the project has SHACL shapes (ontology/shapes*.ttl)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from defcoop import resources
from defcoop.graph.files import ordered, parse_into
from defcoop.site.labels import Label
from defcoop.site.model import SiteModel
from defcoop.site.paths import anchor, qname


@dataclass
class TermView:
    iri: str
    anchor: str
    label: Label
    definition: Label | None
    kind: str
    supers: list = field(default_factory=list)  # Values
    subs: list = field(default_factory=list)
    domain: list = field(default_factory=list)
    range: list = field(default_factory=list)
    properties: list = field(default_factory=list)  # properties whose domain is this class
    instances: int = 0
    members: list = field(default_factory=list)  # concepts of a scheme
    shapes: list = field(default_factory=list)  # (inherited from: Value or None, ShapeRule)

    @property
    def short(self) -> str:
        return qname(self.iri)


@dataclass
class ShapeRule:
    shape: str
    path: str
    constraint: str
    message: str


@dataclass
class OntologyView:
    headers: list  # (iri, title Label, description Label)
    classes: list
    properties: list
    schemes: list
    shapes_file: list  # names of the shapes files read


def ontology_view(model: SiteModel) -> OntologyView:
    g = model.graph
    shapes, shape_files = _shapes()

    def term(iri, kind):
        return TermView(str(iri), anchor(str(iri)), model.labels[iri], _definition(g, iri), kind)

    classes, properties, schemes, headers = [], [], [], []
    direct: defaultdict[str, int] = defaultdict(int)
    for s, o in g.subject_objects(RDF.type):
        direct[str(o)] += 1
    domain_of = defaultdict(list)
    for p, c in g.subject_objects(RDFS.domain):
        domain_of[str(c)].append(model.value(p))
    for iri in sorted(model.terms, key=qname):
        node = URIRef(iri)
        types = set(g.objects(node, RDF.type))
        if OWL.Ontology in types:
            headers.append((iri, _text(g, node, DCTERMS.title) or model.labels[iri],
                            _text(g, node, DCTERMS.description)))
        elif OWL.Class in types or RDFS.Class in types:
            t = term(node, "class")
            t.supers = [model.value(o) for o in ordered(g.objects(node, RDFS.subClassOf))]
            t.subs = [model.value(s) for s in ordered(g.subjects(RDFS.subClassOf, node))]
            t.properties = sorted(domain_of.get(iri, []), key=lambda v: v.short)
            t.instances = direct.get(iri, 0)
            t.shapes = [(None, r) for r in shapes.get(iri, [])] + [
                (model.value(a), r) for a in _ancestors(g, node) for r in shapes.get(str(a), [])
            ]
            classes.append(t)
        elif types & {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}:
            t = term(node, "object property" if OWL.ObjectProperty in types else
                     "datatype property" if OWL.DatatypeProperty in types else "property")
            t.supers = [model.value(o) for o in ordered(g.objects(node, RDFS.subPropertyOf))]
            t.domain = [model.value(o) for o in ordered(g.objects(node, RDFS.domain))]
            t.range = [model.value(o) for o in ordered(g.objects(node, RDFS.range))]
            properties.append(t)
        elif SKOS.ConceptScheme in types or SKOS.Collection in types:
            t = term(node, "scheme" if SKOS.ConceptScheme in types else "collection")
            members = set(g.subjects(SKOS.inScheme, node)) | set(g.objects(node, SKOS.member))
            t.members = [term(c, "concept") for c in sorted(members, key=lambda c: qname(str(c)))]
            schemes.append(t)
    seen = set()  # a concept in a scheme and a collection is anchored once
    for s in schemes:
        for c in s.members:
            if c.anchor in seen:
                c.anchor = None
            else:
                seen.add(c.anchor)
    return OntologyView(headers, classes, properties, schemes, shape_files)


def _ancestors(g: Graph, node) -> list:
    """Every superclass of ``node`` (transitively), nearest first; shapes on them apply too."""
    out, frontier = [], [node]
    while frontier:
        nxt = []
        for c in frontier:
            for sup in ordered(g.objects(c, RDFS.subClassOf)):
                if isinstance(sup, URIRef) and sup not in out and sup != node:
                    out.append(sup)
                    nxt.append(sup)
        frontier = nxt
    return out


def _definition(g: Graph, node) -> Label | None:
    return _text(g, node, SKOS.definition) or _text(g, node, RDFS.comment)


def _text(g: Graph, node, prop) -> Label | None:
    found = {}
    for o in g.objects(node, prop):
        if isinstance(o, Literal):
            found[(o.language or "").lower()] = str(o)
    if not found:
        return None
    any_ = next(iter(found.values()))
    return Label(found.get("en") or found.get("") or any_, found.get("nl") or found.get("") or any_)


def _shapes() -> tuple[dict, list]:
    """The SHACL rules per target class, from the project's shapes files (if any)."""
    files = sorted((resources.root() / "ontology").glob("shapes*.ttl"))
    rules: defaultdict[str, list] = defaultdict(list)
    if not files:
        return rules, []
    g = Graph()
    for f in files:
        parse_into(g, f)
    for shape, cls in g.subject_objects(SH.targetClass):
        for prop in g.objects(shape, SH.property):
            path = g.value(prop, SH.path)
            parts = []
            for key, name in ((SH.minCount, "min"), (SH.maxCount, "max"), (SH.datatype, "datatype"),
                              (SH["class"], "class"), (SH["in"], "in"), (SH.nodeKind, "node kind"),
                              (SH.pattern, "pattern")):
                v = g.value(prop, key)
                if v is not None:
                    parts.append(f"{name} {qname(str(v)) if isinstance(v, URIRef) else v}")
            message = g.value(prop, SH.message) or g.value(shape, SH.message) or ""
            rules[str(cls)].append(ShapeRule(qname(str(shape)),
                                             qname(str(path)) if isinstance(path, URIRef) else "(path)",
                                             ", ".join(parts), str(message)))
    return rules, [f.name for f in files]
