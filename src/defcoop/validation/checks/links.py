"""Every value of an object property of ours is a node, never a literal.

Read from the ontology (``owl:ObjectProperty`` in the ``dco:`` namespace), so that the
rule is said once, there: a property declared an object property rejects a literal
wherever it is used, with a range or without one (``dco:concerns``), on any subject.
A property whose values a hand-written shape already holds to a node kind
(``sh:nodeKind`` on its path, as ``dco:party``) is left to that shape, so that one
defect gives one finding of this kind.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from defcoop.namespaces import PREFIX_IRIS
from defcoop.validation.checks import Triples
from defcoop.validation.report import names
from defcoop.validation.report.model import Finding
from defcoop.validation.vocabulary import DCSH, SH

_OURS = PREFIX_IRIS["dco"]


def object_properties(ontology: Graph, shapes: Graph) -> frozenset[URIRef]:
    """The object properties of ours whose values no shape already holds to a node kind."""
    declared = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty)
                if isinstance(p, URIRef) and str(p).startswith(_OURS)}
    kinded = {path for shape, path in shapes.subject_objects(SH.path) if (shape, SH.nodeKind, None) in shapes}
    return frozenset(declared - kinded)


def check(data: Triples, properties: frozenset[URIRef]) -> list[Finding]:
    """A finding for every literal that is the value of one of ``properties``."""
    found = [(s, p, o) for s, p, o in data if p in properties and isinstance(o, Literal)]
    return [
        Finding(
            s, p, f"{names.qname(p)} links to another node: give the IRI of the node it "
            f"points to, not the literal {o.n3()}.",
            o, DCSH.LinkCheck, DCSH.LiteralLinkConstraintComponent,
        )
        for s, p, o in sorted(found, key=lambda t: str(t[1]))
    ]
