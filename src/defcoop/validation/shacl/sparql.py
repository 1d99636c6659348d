"""SHACL-SPARQL constraints, evaluated once per constraint instead of once per focus node.

pyshacl evaluates an ``sh:sparql`` constraint by parsing and running its query once
for every focus node (with ``$this`` pre-bound); rdflib parses a query in ~0.1 s, so
on the project's data that is seconds per constraint. Here each query is parsed and
run once with ``$this`` as an ordinary variable, and the rows whose ``?this`` is a
focus node of the shape are the results. For the queries SHACL allows (no VALUES,
MINUS or sub-queries rebinding ``$this``: pyshacl refuses the others) the two are
the same, which ``tests/test_validate.py`` checks against pyshacl on every case.

`split` takes the ``sh:sparql`` constraints out of a shapes graph (the rest goes to
pyshacl) and `evaluate` runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from defcoop.validation.report.model import Finding
from defcoop.validation.vocabulary import SH


@dataclass(frozen=True)
class SparqlConstraint:
    shape: object
    constraint: object
    select: str
    prefixes: tuple[tuple[str, str], ...]
    messages: tuple[str, ...]
    severity: URIRef


def split(shapes: Graph) -> tuple[Graph, list[SparqlConstraint]]:
    """The shapes without their SPARQL constraints, and those constraints."""
    core = Graph()
    for t in shapes:
        core.add(t)
    constraints = []
    for shape, c in sorted(shapes.subject_objects(SH.sparql), key=lambda x: (str(x[0]), str(x[1]))):
        core.remove((shape, SH.sparql, c))
        deactivated = shapes.value(shape, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.toPython():
            continue
        prefixes = []
        for ontology in shapes.objects(c, SH.prefixes):
            for decl in shapes.objects(ontology, SH.declare):
                prefixes.append((str(shapes.value(decl, SH.prefix)), str(shapes.value(decl, SH.namespace))))
        messages = tuple(sorted(str(m) for m in shapes.objects(c, SH.message))) or tuple(
            sorted(str(m) for m in shapes.objects(shape, SH.message))
        )
        constraints.append(
            SparqlConstraint(
                shape=shape,
                constraint=c,
                select=str(shapes.value(c, SH.select)),
                prefixes=tuple(sorted(prefixes)),
                messages=messages,
                severity=URIRef(str(shapes.value(shape, SH.severity) or SH.Violation)),
            )
        )
    return core, constraints


def focus_nodes(shape, shapes: Graph, data: Graph) -> set:
    """The focus nodes of a shape's targets in ``data``."""
    out = set(shapes.objects(shape, SH.targetNode))
    classes = set(shapes.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
        classes.add(shape)
    for cls in classes:
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):
            out.update(data.subjects(RDF.type, sub))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        out.update(data.subjects(p, None))
    for p in shapes.objects(shape, SH.targetObjectsOf):
        out.update(data.objects(None, p))
    return out


_THIS = re.compile(r"\$this\b")
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def findings(c: SparqlConstraint, focus, solutions) -> list[Finding]:
    """The findings of one constraint from its solutions (dicts of variable -> term).

    Shared by every engine that runs the SELECT (rdflib here, Oxigraph in
    `defcoop.validation.shacl.compiled`), so that they report exactly alike: only solutions for the
    shape's focus nodes, each distinct solution once, the message with {?var} filled in.
    """
    out = []
    seen = set()
    for bound in solutions:
        this = bound.get("this")
        if this not in focus:
            continue
        value = bound.get("value", this)
        path = bound.get("path")
        key = (this, path, value, tuple(sorted(bound.items())))
        if key in seen:
            continue
        seen.add(key)
        message = c.messages[0] if c.messages else "SPARQL constraint violated"
        message = _PLACEHOLDER.sub(
            lambda m: str(bound[m.group(1)]) if m.group(1) in bound else m.group(0), message
        )
        out.append(Finding(this, path, message, value, c.shape, SH.SPARQLConstraintComponent, c.severity))
    return out


def select_text(c: SparqlConstraint) -> str:
    """The constraint's SELECT with $this as an ordinary variable."""
    return _THIS.sub("?this", c.select)


def evaluate(constraints: list[SparqlConstraint], shapes: Graph, data: Graph) -> list[Finding]:
    from rdflib.plugins.sparql import prepareQuery  # here: rdflib's SPARQL takes ~0.5 s to import

    out = []
    for c in constraints:
        focus = focus_nodes(c.shape, shapes, data)
        if not focus:
            continue
        query = prepareQuery(select_text(c), initNs=dict(c.prefixes))
        out += findings(c, focus, (row.asdict() for row in data.query(query)))  # type: ignore[union-attr]
    return out
