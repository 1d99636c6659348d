"""pySHACL: the reference engine (``engine="pyshacl"``: SHACL Core by pySHACL, SHACL-SPARQL
by `defcoop.validation.shacl.sparql`) and the per-shape fallback of the compiled engine
(the parts of shapes `defcoop.validation.shacl.compiled` does not claim)."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF

from defcoop.errors import DefcoopError
from defcoop.validation.report import names
from defcoop.validation.report.model import Finding
from defcoop.validation.shacl import sparql
from defcoop.validation.vocabulary import SH

_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def shacl(data: Graph, shapes: Graph) -> list[Finding]:
    """SHACL Core by pySHACL; the SHACL-SPARQL constraints by `sparql.evaluate`."""
    core, constraints = sparql.split(shapes)
    return findings(data, core, shapes) + sparql.evaluate(constraints, shapes, data)


def findings(data: Graph, core: Graph, shapes: Graph) -> list[Finding]:
    """pySHACL's top-level results of the shapes graph ``core`` on ``data``."""
    import pyshacl  # here, not at the top: keeps CLI start-up fast: pyshacl takes ~1 s to import

    if not data.store.context_aware:  # pySHACL wraps the data in a Dataset: a store with contexts
        copy = Graph()
        for prefix, ns in data.namespaces():
            copy.bind(prefix, ns, override=False)
        for t in data:
            copy.add(t)
        data = copy
    _, results, _ = pyshacl.validate(
        data, shacl_graph=core, inference="none", advanced=False,
        allow_warnings=True, abort_on_first=False, meta_shacl=False, inplace=True,
    )
    if not isinstance(results, Graph):  # pyshacl's ValidationFailure: the shapes are broken
        raise DefcoopError(f"the shapes graph: {results}")
    out = []
    # only the top-level results: those of nested shapes (sh:node, sh:or) are their sh:detail
    top = set(results.objects(None, SH.result))
    for r in sorted(top, key=str):
        messages = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        out.append(
            Finding(
                focus=results.value(r, SH.focusNode),
                path=_shapes_path(results.value(r, SH.resultPath), results, shapes),
                message=messages[0] if messages else "",
                value=results.value(r, SH.value),
                shape=results.value(r, SH.sourceShape),
                component=results.value(r, SH.sourceConstraintComponent),  # type: ignore[arg-type]
                severity=results.value(r, SH.resultSeverity),  # type: ignore[arg-type]
            )
        )
    return out


def _shapes_path(path: Any, results: Graph, shapes: Graph) -> Any:
    """The result's path, as the node of the shapes graph it was copied from."""
    if not isinstance(path, BNode):
        return path
    wanted = names.path_name(path, results)
    for candidate in shapes.objects(None, SH.path):
        if isinstance(candidate, BNode) and names.path_name(candidate, shapes) == wanted:
            return candidate
    return path


def fallback(data: Graph, shapes: Graph, parts: list[tuple[Any, list[tuple[Any, str]]]]) -> list[Finding]:
    """pySHACL on a shapes graph holding only the parts the compiler left to it."""
    sub = Graph()
    for prefix, ns in shapes.namespaces():
        sub.bind(prefix, ns)
    for shape, left in parts:
        for p, o in shapes.predicate_objects(shape):
            if p in (RDF.type, *_TARGETS, SH.severity, SH.deactivated):
                sub.add((shape, p, o))
        for part, kind in left:
            if kind == "property" and part != shape:
                sub.add((shape, SH.property, part))
                _closure(shapes, part, sub)
            else:  # the node-level constraints (or a property shape with its own targets)
                for p, o in shapes.predicate_objects(shape):
                    if p not in (SH.property, SH.sparql):
                        sub.add((shape, p, o))
                        _closure(shapes, o, sub)
    return findings(data, sub, shapes)


def _closure(g: Graph, node: Any, into: Graph, seen: set | None = None) -> None:
    seen = set() if seen is None else seen
    if isinstance(node, Literal) or node in seen:
        return
    seen.add(node)
    for p, o in g.predicate_objects(node):
        if p == SH.sparql:
            continue
        into.add((node, p, o))
        _closure(g, o, into, seen)
