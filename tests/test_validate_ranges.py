"""The ontology said once: the shapes' link and datatype checks agree with the ranges.

The shapes (``ontology/shapes.ttl``) are hand-written, for their messages; the ranges
(``rdfs:range`` in ``ontology/defcoop.ttl``) say the same thing for reasoners. This test
ties them, both ways:

* every ``sh:class`` / ``sh:datatype`` a shape puts on a property of ours (directly, in
  an ``sh:or``, or through ``sh:node``) allows only what the property's range allows
  (a subclass of the range class; the range datatype or one derived from it);
* every property of ours with a range is checked by some shape with a class or a
  datatype, so a range is never said only to reasoners (which would infer the value
  into the range instead of finding it wrong).
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, XSD

from defcoop.namespaces import DCO
from defcoop.validation.schema import import_files, shapes_files
from defcoop.validation.shacl.paths import path_query
from defcoop.validation.vocabulary import SH

#: XSD's derivation (https://www.w3.org/TR/xmlschema11-2/#built-in-datatypes), as far as we use it
DERIVED = {
    XSD.integer: XSD.decimal, XSD.nonNegativeInteger: XSD.integer, XSD.positiveInteger: XSD.nonNegativeInteger,
    XSD.nonPositiveInteger: XSD.integer, XSD.negativeInteger: XSD.nonPositiveInteger,
    XSD.long: XSD.integer, XSD.int: XSD.long, XSD.normalizedString: XSD.string, XSD.token: XSD.normalizedString,
}


def _graphs() -> tuple[Graph, Graph]:
    schema = Graph()
    for p in [*sorted((shapes_files()[0].parent).glob("defcoop*.ttl")), *import_files()]:
        schema.parse(p)
    shapes = Graph()
    for p in shapes_files():
        shapes.parse(p)
    return schema, shapes


def _allowed(shapes: Graph, shape, depth: int = 0) -> set | None:
    """The classes and datatypes a shape lets a value be (None: it says nothing of them)."""
    found: set = set()
    said = False
    for p in (SH["class"], SH.datatype):
        for o in shapes.objects(shape, p):
            found.add(o)
            said = True
    for lst in shapes.objects(shape, SH["or"]):
        members = [_allowed(shapes, m, depth + 1) for m in Collection(shapes, lst)]
        if all(m is not None for m in members):
            found |= set().union(*members)  # type: ignore[arg-type]
            said = True
    for node in shapes.objects(shape, SH.node):
        inner = _allowed(shapes, node, depth + 1) if depth < 4 else None
        if inner is not None:
            found |= inner
            said = True
    return found if said else None


def _paths(shapes: Graph, path) -> list[URIRef]:
    """The properties a path reads forwards as its last step (p, p|q)."""
    if isinstance(path, URIRef):
        return [path]
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return [p for member in Collection(shapes, alternatives) for p in _paths(shapes, member)]
    return []


def _within(schema: Graph, term, bound) -> bool:
    if term == bound:
        return True
    if term in DERIVED:
        return _within(schema, DERIVED[term], bound)
    return bound in set(schema.transitive_objects(term, RDFS.subClassOf))


def checks() -> dict[URIRef, list[set]]:
    schema, shapes = _graphs()
    out: dict[URIRef, list[set]] = {}
    for shape, path in shapes.subject_objects(SH.path):
        path_query(shapes, path)  # a path the engine reads
        allowed = _allowed(shapes, shape)
        if allowed is None:
            continue
        for p in _paths(shapes, path):
            out.setdefault(p, []).append(allowed)
    return out


def test_every_class_and_datatype_on_a_path_is_within_the_range():
    schema, _ = _graphs()
    wrong = []
    for p, allowed_sets in checks().items():
        for r in schema.objects(p, RDFS.range):
            for allowed in allowed_sets:
                wrong += [f"{p} allows {a}, outside its range {r}" for a in allowed if not _within(schema, a, r)]
    assert sorted(wrong) == []


def test_every_range_of_ours_is_checked_by_a_shape():
    schema, _ = _graphs()
    checked = checks()
    unchecked = sorted(
        str(p) for p, r in schema.subject_objects(RDFS.range)
        if str(p).startswith(str(DCO)) and p not in checked
    )
    assert unchecked == []
