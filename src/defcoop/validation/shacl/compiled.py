"""SHACL on Oxigraph: the shapes compiled to SPARQL queries run on a pyoxigraph store.

`run(data, shapes)` gives the same `Finding` objects as pySHACL followed by
`defcoop.validation.shacl.sparql` on the same rdflib graph
(`defcoop.validation.shacl.pyshacl_engine.shacl`), much faster:

* `compile_shapes` reads the shapes graph once: every constraint is an object of
  the component registry (`defcoop.validation.shacl.components`), every path a SPARQL
  property path, every shape a value may be checked against (``sh:node``, ``sh:or``
  members, qualified value shapes, ...) compiled too;
* the graph work is SPARQL on an in-memory Oxigraph store of ``data``: the focus nodes
  of every target (``sh:targetClass`` through ``rdfs:subClassOf*``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``, ``sh:targetNode``), the value nodes of every path, the SHACL
  instances of every class that ``sh:class`` names, and the ``sh:sparql`` constraints
  (each query run once, as `defcoop.validation.shacl.sparql` does, but on Oxigraph);
* the checks of values are the components' own (pySHACL's rules, on the rdflib terms);
* a shape that uses anything the registry does not claim (or, with
  ``require_messages``, a constraint shape without ``sh:message``, whose messages
  pySHACL would write) is validated by pySHACL, for that shape only.

Oxigraph writes valid numbers and dates in canonical form (``"012"^^xsd:integer``
comes back as ``"12"``): every term the store returns is mapped back to the rdflib
term it was made from, so findings name values as the files wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from defcoop.query import engine
from defcoop.validation.report.model import Finding
from defcoop.validation.schema import OxCopy
from defcoop.validation.shacl import components, pyshacl_engine, sparql
from defcoop.validation.shacl.components import Component, Unsupported
from defcoop.validation.shacl.paths import path_query
from defcoop.validation.vocabulary import SH

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
#: what a shape may say that is no constraint
METADATA = frozenset({
    RDF.type, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
    SH.defaultValue, RDFS.comment, RDFS.label, RDFS.seeAlso, RDFS.isDefinedBy,
    RDFS.subClassOf,  # a shape that is a class too
})
_STRUCTURE = frozenset({SH.path, SH.property, SH.deactivated, *TARGETS})
_MAX_DEPTH = 8


@dataclass
class CompiledShape:
    """A shape as the evaluator reads it."""

    node: Any
    path: Any = None  # the shapes graph's path node; None for a node shape
    path_sparql: str = ""
    constraints: list[Component] = field(default_factory=list)
    properties: list[CompiledShape] = field(default_factory=list)  # a nested node shape's sh:property
    message: str = ""
    severity: URIRef = SH.Violation


@dataclass
class Plan:
    """What `compile_shapes` made of a shapes graph."""

    #: (top-level shape, [its compiled parts: the node-level constraints and property shapes])
    compiled: list[tuple[Any, list[CompiledShape]]] = field(default_factory=list)
    #: (top-level shape, [(part, "node"|"property")]) left to pySHACL
    fallback: list[tuple[Any, list[tuple[Any, str]]]] = field(default_factory=list)
    sparql: list[sparql.SparqlConstraint] = field(default_factory=list)
    #: every shape a value may be checked against, compiled
    nested: dict[Any, CompiledShape] = field(default_factory=dict)

    def claimed(self) -> set[URIRef]:
        """The constraint components the plan evaluates itself."""
        shapes = [p for _, parts in self.compiled for p in parts] + list(self.nested.values())
        return {c.iri for s in shapes for c in s.constraints}


def compile_shapes(shapes: Graph, *, require_messages: bool = True) -> Plan:
    """Split the shapes into what is compiled and what pySHACL validates."""
    core, constraints = sparql.split(shapes)
    plan = Plan(sparql=constraints)
    tops = {s for t in TARGETS for s in core.subjects(t, None)} | implicit_class_targets(core)
    for shape in sorted(tops, key=str):
        if _deactivated(core, shape):
            continue
        if core.value(shape, SH.path) is not None:  # a property shape with its own targets
            parts = [(shape, "property")]
        else:
            parts = [(shape, "node")] + [(p, "property") for p in core.objects(shape, SH.property)]
        good, bad = [], []
        for part, kind in parts:
            try:
                nested: dict[Any, CompiledShape] = {}
                compiled = _compile(core, part, kind, nested, top=True, require_messages=require_messages)
                if compiled.constraints or kind == "property":
                    good.append(compiled)
                plan.nested.update(nested)
            except Unsupported:
                bad.append((part, kind))
        plan.compiled.append((shape, good))
        if bad:
            plan.fallback.append((shape, bad))
    return plan


def implicit_class_targets(g: Graph) -> set:
    """Shapes that are classes too: their instances are their focus nodes
    (https://www.w3.org/TR/shacl/#implicit-targetClass)."""
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    return {s for s in shapes if (s, RDF.type, RDFS.Class) in g or (s, RDF.type, OWL.Class) in g}


def _deactivated(g: Graph, shape: Any) -> bool:
    value = g.value(shape, SH.deactivated)
    return value is not None and bool(value.toPython())


def _compile(g: Graph, node: Any, kind: str, nested: dict, *, top: bool = False,
             require_messages: bool = True, depth: int = 0) -> CompiledShape:
    """One shape: its node-level constraints (``kind="node"``; a top-level shape's
    sh:property are parts of their own) or a property shape."""
    if depth > _MAX_DEPTH:
        raise Unsupported("recursion")
    if _deactivated(g, node):
        raise Unsupported(SH.deactivated)
    for p in set(g.predicates(node, None)):
        if p not in METADATA and p not in _STRUCTURE and p not in components.PARAMETERS:
            raise Unsupported(p)
    out = CompiledShape(node=node, severity=g.value(node, SH.severity) or SH.Violation)
    messages = sorted(str(m) for m in g.objects(node, SH.message))
    out.message = messages[0] if messages else ""
    if kind == "property":
        out.path = g.value(node, SH.path)
        out.path_sparql = path_query(g, out.path)
        if (node, SH.property, None) in g:
            raise Unsupported("sh:property on a property shape")
    out.constraints = components.constraints(g, node)
    if kind == "node" and any(c.property_only for c in out.constraints):
        raise Unsupported("a property-only component on a node shape")
    if top and require_messages and not messages and (out.constraints or kind == "property"):
        raise Unsupported("no sh:message: pySHACL writes its own")
    for c in out.constraints:
        for shape in c.nested():
            _compile_nested(g, shape, nested, depth + 1)
    if kind == "node" and not top:
        out.properties = [
            _compile(g, p, "property", nested, depth=depth + 1) for p in g.objects(node, SH.property)
        ]
    return out


def _compile_nested(g: Graph, shape: Any, nested: dict, depth: int) -> None:
    if shape in nested:
        return
    if depth > _MAX_DEPTH:
        raise Unsupported("recursion")
    kind = "property" if g.value(shape, SH.path) is not None else "node"
    nested[shape] = _compile(g, shape, kind, nested, depth=depth)


# -- the data: an Oxigraph store of an rdflib graph ---------------------------------------

_STR = "http://www.w3.org/2001/XMLSchema#string"
_P = ox.NamedNode("urn:p")


class Data:
    """An rdflib graph copied into an in-memory Oxigraph store, queried with SPARQL; the
    `components.Evaluator` the components check values with."""

    def __init__(self, graph: Graph, plan: Plan, copy: OxCopy | None = None):
        """``copy``: ``graph``'s triples for Oxigraph, if the caller has them (else converted here)."""
        self.graph = graph
        self.plan = plan
        self.store = ox.Store()
        if copy is None:
            for t in graph:
                if isinstance(t[0], Literal) or not isinstance(t[1], URIRef):
                    raise Unsupported("a generalised triple (a literal subject, from inference)")
            copy = OxCopy.of(graph)
        self.store.extend(copy.quads)
        back = dict(copy.back)
        # Oxigraph stores valid numbers and dates in canonical form: map those back too
        literals = [(y, x) for y, x in copy.back.items() if isinstance(y, ox.Literal) and y.datatype.value != _STR]
        if literals:
            scratch = ox.Store()
            scratch.extend(
                ox.Quad(ox.NamedNode(f"urn:i:{i}"), _P, y, ox.DefaultGraph()) for i, (y, _) in enumerate(literals)
            )
            for q in scratch.quads_for_pattern(None, None, None):
                x = literals[int(q.subject.value[6:])][1]  # type: ignore[union-attr]
                back.setdefault(q.object, x)
        self._back = back
        self._converted: dict = {}  # pyoxigraph term -> rdflib term, each converted once
        self._instances: dict = {}
        self._conforms: dict = {}
        self._values: dict = {}

    def term(self, y: Any) -> Any:
        if y is None:
            return None
        x = self._converted.get(y)
        if x is None:
            x = self._back.get(y)
            if x is None:
                x = engine.to_rdflib(y)
            self._converted[y] = x
        return x

    def select(self, text: str) -> list[dict]:
        result = self.store.query(text)
        assert isinstance(result, ox.QuerySolutions), text
        names = [v.value for v in result.variables]
        term = self.term
        # a solution iterated once (indexing it makes a new Python term every time)
        return [{n: term(v) for n, v in zip(names, row) if v is not None} for row in result]

    def instances(self, cls: Any) -> set:
        """The SHACL instances of ``cls`` (rdf:type/rdfs:subClassOf*)."""
        found = self._instances.get(cls)
        if found is None:
            found = self._instances[cls] = {
                r["s"] for r in self.select(
                    f"SELECT DISTINCT ?s WHERE {{ ?s <{RDF.type}>/<{RDFS.subClassOf}>* <{cls}> }}"
                )
            }
        return found

    def values(self, path_sparql: str) -> dict:
        """Every node's value nodes along a path: {focus: [values]}."""
        found = self._values.get(path_sparql)
        if found is None:
            found = {}
            for r in self.select(f"SELECT DISTINCT ?s ?v WHERE {{ ?s {path_sparql} ?v }}"):
                found.setdefault(r["s"], []).append(r["v"])
            self._values[path_sparql] = found
        return found

    def values_of(self, focus: Any, path: Any) -> list:
        return self.values(f"<{path}>").get(focus, [])

    def focus_nodes(self, shapes: Graph, shape: Any) -> set:
        out = set(shapes.objects(shape, SH.targetNode))
        for cls in shapes.objects(shape, SH.targetClass):
            out |= self.instances(cls)
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            out |= self.instances(shape)
        for p in shapes.objects(shape, SH.targetSubjectsOf):
            out |= {r["s"] for r in self.select(f"SELECT DISTINCT ?s WHERE {{ ?s <{p}> ?o }}")}
        for p in shapes.objects(shape, SH.targetObjectsOf):
            out |= {r["o"] for r in self.select(f"SELECT DISTINCT ?o WHERE {{ ?s <{p}> ?o }}")}
        return out

    def conforms(self, shape: Any, v: Any) -> bool:
        """Does value node ``v`` conform to ``shape`` (a node shape, or a property shape with v as focus)?"""
        key = (shape, v)
        found = self._conforms.get(key)
        if found is None:
            found = self._conforms[key] = _conforms(self, self.plan.nested[shape], v)
        return found


def _conforms(d: Data, s: CompiledShape, v: Any) -> bool:
    if s.path is not None:
        values = d.values(s.path_sparql).get(v, [])
        return not any(True for _ in _property_failures(d, s, v, values))
    if any(not c.check_value(v, d) for c in s.constraints):
        return False
    for prop in s.properties:
        values = d.values(prop.path_sparql).get(v, [])
        if any(True for _ in _property_failures(d, prop, v, values)):
            return False
    return True


def _property_failures(d: Data, s: CompiledShape, focus: Any, values: list):
    """(component, value) for every result of a property shape on one focus node."""
    for c in s.constraints:
        for value in c.check_values(focus, values, d):
            yield c.iri, value


# -- evaluation ---------------------------------------------------------------------------


def run(data: Graph, shapes: Graph, plan: Plan, copy: OxCopy | None = None) -> list[Finding]:
    """SHACL Core and SHACL-SPARQL findings of ``shapes`` on ``data``, as
    `pyshacl_engine.shacl` gives; ``plan`` is `compile_shapes` of ``shapes``; ``copy``:
    ``data``'s triples for Oxigraph, if the caller has them (`schema.OxCopy`)."""
    try:
        d = Data(data, plan, copy)
    except Unsupported:  # RDF that Oxigraph cannot hold: all of it to pySHACL
        return pyshacl_engine.shacl(data, shapes)
    out: list[Finding] = []
    for shape, parts in plan.compiled:
        focus = d.focus_nodes(shapes, shape)
        if not focus:
            continue
        for part in parts:
            if part.path is None:
                out += _node_level(d, shape, part, focus)
            else:
                out += _property(d, part, focus)
    if plan.fallback:
        out += pyshacl_engine.fallback(data, shapes, plan.fallback)
    out += _sparql(plan.sparql, shapes, d)
    return out


def _node_level(d: Data, shape: Any, s: CompiledShape, focus: set) -> list[Finding]:
    out = []
    for f in focus:
        for c in s.constraints:  # a node shape's focus node is its one value node
            for value in c.check_values(f, [f], d):
                out.append(Finding(f, None, s.message, value, shape, c.iri, s.severity))
    return out


def _property(d: Data, s: CompiledShape, focus: set) -> list[Finding]:
    values = d.values(s.path_sparql)
    out = []
    for f in focus:
        for component, value in _property_failures(d, s, f, values.get(f, [])):
            out.append(Finding(f, s.path, s.message, value, s.node, component, s.severity))
    return out


def _sparql(constraints: list[sparql.SparqlConstraint], shapes: Graph, d: Data) -> list[Finding]:
    """As `sparql.evaluate`, with each query run once on the Oxigraph store."""
    out = []
    for c in constraints:
        focus = d.focus_nodes(shapes, c.shape)
        if not focus:
            continue
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in c.prefixes)
        out += sparql.findings(c, focus, d.select(prologue + sparql.select_text(c)))
    return out
