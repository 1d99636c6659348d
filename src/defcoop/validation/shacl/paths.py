"""A SHACL property path as a SPARQL property path (how people read one is
`defcoop.validation.report.names.path_name`)."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from defcoop.validation.shacl.components import Unsupported
from defcoop.validation.vocabulary import SH


def path_query(g: Graph, path: Any) -> str:
    """The path in SPARQL syntax; `Unsupported` if it is no SHACL path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if path is None:
        raise Unsupported("no path")
    if (path, RDF.first, None) in g:  # a sequence (first: a node that is a list is one)
        return "(" + "/".join(path_query(g, p) for p in Collection(g, path)) + ")"
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({path_query(g, inverse)})"
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_query(g, p) for p in Collection(g, alternatives)) + ")"
    for prop, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(path, prop)
        if inner is not None:
            return f"({path_query(g, inner)}){mark}"
    raise Unsupported("path")


def inverses(g: Graph, path: Any):
    """(path node, predicate) of every sh:inversePath inside a path (the node is None
    for one nested inside another path)."""
    if isinstance(path, URIRef) or path is None:
        return
    inv = g.value(path, SH.inversePath)
    if isinstance(inv, URIRef):
        yield (path, inv)
    for o in g.objects(path, None):
        if isinstance(o, BNode):
            for _, inner in inverses(g, o):
                yield (None, inner)
    if (path, RDF.first, None) in g:
        for member in Collection(g, path):
            for _, inner in inverses(g, member):
                yield (None, inner)
