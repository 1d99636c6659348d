"""How a finding's terms are named for people: prefixed names, labels, the way from an
IRI to a blank node, SHACL paths in SPARQL syntax, shape names; `row` (one finding as a
plain dict: what ``--format json`` prints and what two engines must agree on) and
`sort_key` (the order of findings, never dependent on the engine)."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SKOS

from defcoop.namespaces import PREFIXES
from defcoop.query.formats import shorten
from defcoop.validation.vocabulary import DCSH, SH


SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_OURS = {**PREFIXES, "sh": SH, "dcsh": DCSH}


def _prefixes(graph: Graph | None) -> dict[str, str]:
    """The project's prefixes, then those the files declared for other namespaces."""
    out = {p: str(ns) for p, ns in _OURS.items()}
    if graph is not None:
        taken = set(out.values())
        for p, ns in graph.namespaces():
            if p and p not in out and str(ns) not in taken:
                out[p] = str(ns)
                taken.add(str(ns))
    return out


class Named:
    """A data graph with the prefix table its terms are shown with (`_prefixes`), built
    once: a report hands this to the functions here instead of its graph, so that naming
    ten thousand findings does not read the graph's bindings ten thousand times."""

    __slots__ = ("graph", "prefixes")

    def __init__(self, graph: Graph | None):
        self.graph = graph
        self.prefixes = _prefixes(graph)


#: what the functions here name terms with: a graph (its prefixes read on each call), a `Named`, or none
Names = Graph | Named | None


def _graph(names: Names) -> Graph | None:
    return names.graph if isinstance(names, Named) else names


def qname(term: URIRef, graph: Names = None) -> str:
    text = str(term)
    short = shorten(text, graph.prefixes if isinstance(graph, Named) else _prefixes(graph))
    return f"<{text}>" if short.endswith(":") else short


def name(term: Any, graph: Names = None) -> str:
    """A term as a person reads it: a prefixed name, a literal's n3, ``[]`` for a blank node."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "[]"
    if isinstance(term, URIRef):
        return qname(term, graph)
    if isinstance(term, Literal):
        if term.datatype is not None:
            return f'"{term}"^^{qname(term.datatype, graph)}'
        if term.language:
            return f'"{term}"@{term.language}'
        return f'"{term}"'
    return str(term)


def focus_name(node: Any, graph: Names) -> str:
    """A focus node's name; a blank node is named by the way to it from an IRI."""
    data = _graph(graph)
    if not isinstance(node, BNode) or data is None:
        return name(node, graph)
    steps = []
    current: Any = node
    for _ in range(6):
        parent = next(iter(data.subject_predicates(current)), None)
        if parent is None:
            break
        current, predicate = parent
        steps.append(name(predicate, graph))
        if not isinstance(current, BNode):
            return " / ".join([name(current, graph)] + steps[::-1])
    types = sorted(name(t, graph) for t in data.objects(node, RDF.type))
    return f"[] ({', '.join(types) or 'untyped blank node'})"


def label(node: Any, names: Names) -> str:
    """The first English label, else the first label (in sorted order: the same whatever
    order the graph gives them in)."""
    graph = _graph(names)
    if graph is None:
        return ""
    best = ""
    for p in (RDFS.label, SKOS.prefLabel):
        found = sorted(o for o in graph.objects(node, p) if isinstance(o, Literal))
        for o in found:
            if o.language == "en":
                return str(o)
        if found and not best:
            best = str(found[0])
    return best


def path_name(path: Any, shapes: Graph | None, names: Names = None) -> str:
    """A SHACL property path in SPARQL's syntax (``^p``, ``p|q``, ``p/q``, ``p*``)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return qname(path, names)
    if shapes is None:
        return "[]"
    if (path, RDF.first, None) in shapes:  # a sequence (first, as `shacl.paths.path_query`)
        return "/".join(path_name(p, shapes, names) for p in Collection(shapes, path))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_name(inverse, shapes, names)
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(path_name(p, shapes, names) for p in Collection(shapes, alternatives))
    for prop, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, prop)
        if inner is not None:
            return path_name(inner, shapes, names) + mark
    return "[]"


def shape_name(shape: Any, shapes: Graph | None, graph: Names = None) -> str:
    if isinstance(shape, BNode) and shapes is not None:
        parent = next(iter(shapes.subjects(SH.property, shape)), None)
        path = shapes.value(shape, SH.path)
        inner = f"property {path_name(path, shapes, graph)}" if path is not None else "[]"
        return f"{name(parent, graph)} › {inner}" if parent is not None else inner
    return name(shape, graph)


def row(f: Any, graph: Names, shapes: Graph | None) -> dict:
    """A `Finding` (of `defcoop.validation.report.model`, which names it here) as a plain dict."""
    return {
        "focus": focus_name(f.focus, graph) if isinstance(f.focus, BNode) else str(f.focus),
        "label": label(f.focus, graph),
        "path": path_name(f.path, shapes, graph),
        "message": f.message,
        "value": None if f.value is None else (
            name(f.value, graph) if not isinstance(f.value, URIRef) else str(f.value)
        ),
        "shape": shape_name(f.shape, shapes, graph),
        "component": str(f.component),
        "severity": SEVERITIES.get(f.severity, str(f.severity)),
        "where": f.where,
    }


def sort_key(f: Any, graph: Names, shapes: Graph | None) -> tuple:
    """The order of findings: by node, path, component, value, message (then shape and
    severity, so that the order never depends on the engine)."""
    return (
        focus_name(f.focus, graph), path_name(f.path, shapes, graph), str(f.component),
        name(f.value, graph), f.message, shape_name(f.shape, shapes, graph), str(f.severity),
    )
