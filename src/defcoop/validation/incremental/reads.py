"""What the shapes read of the data backwards (from object to subject) and at all:
what the incremental planner must know of the shapes to split the data into units.

Every function takes the `ShapesIndex` and is computed once per index.
"""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from defcoop.validation.incremental import results
from defcoop.validation.shacl import components
from defcoop.validation.shacl.compiled import METADATA, TARGETS, implicit_class_targets
from defcoop.validation.shacl.paths import inverses
from defcoop.validation.shacl.sparql import select_text, split
from defcoop.validation.shapes.index import ShapesIndex
from defcoop.validation.vocabulary import SH


def backward_predicates(shapes: ShapesIndex) -> tuple[set[str], set[str]]:
    """Predicates shapes read from object to subject: (from the focus node: inverse
    paths of top-level property shapes, ``?x p $this`` in SHACL-SPARQL; further on:
    inverse paths of nested shapes, ``^p`` in SHACL-SPARQL). A query that binds a
    subject through a FILTER would need adding here."""
    return backward(shapes)[:2]


def declared_prefixes(g: Graph) -> dict[str, str]:
    """The prefixes the shapes graph declares for its SHACL-SPARQL queries (sh:declare)."""
    return {str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace)) for d in g.objects(None, SH.declare)}


def _iris(text: str, prefixes: dict[str, str], after: str = "", before: str = "") -> set[str]:
    """The IRIs a query text writes (``<...>`` or ``prefix:local``) between the regular
    expressions ``after`` and ``before``."""
    found = set(re.findall(after + r"<([^<>\s]+)>" + before, text))
    found |= {prefixes.get(p, p + ":") + local
              for p, local in re.findall(after + r"\b([A-Za-z][\w-]*):([\w-]+)" + before, text)}
    return found


#: a predicate written just before the focus node of a SHACL-SPARQL query
_BEFORE_THIS = r"\s*[$?]this\b"


def backward(shapes: ShapesIndex) -> tuple[set[str], set[str], set[str], set[str]]:
    """`backward_predicates`; the *typed* ones among those read from the focus (every
    shape that reads them checks of each value node no more than its types (sh:class)
    and the term itself (sh:datatype, sh:nodeKind, ...), and counts them); and the
    *single-link* ones (``?x p $this`` is all a SHACL-SPARQL query reads of ``p``, and
    the core shapes that read it are typed: from a node that links to a hub, ``p``
    leads nowhere a shape on the hub looks)."""
    return shapes.derived("incremental.backward", lambda: _backward(shapes))


def _backward(shapes: ShapesIndex) -> tuple[set[str], set[str], set[str], set[str]]:
    g = shapes.graph
    at_focus, midway, deep = (set(x) for x in core_backward(shapes))
    prefixes = declared_prefixes(g)
    sparql_read, texts = set(), []
    for q in g.objects(None, SH.select):
        text = str(q)
        midway |= _iris(text, prefixes, after=r"\^\s*")
        found = _iris(text, prefixes, before=_BEFORE_THIS)
        at_focus |= found
        sparql_read |= found
        texts.append(text)
    single = set()
    for pred in sparql_read - deep:
        names = [re.escape(pred)] + [
            re.escape(f"{prefix}:{pred[len(ns):]}") for prefix, ns in prefixes.items()
            if pred.startswith(ns) and re.fullmatch(r"[\w-]+", pred[len(ns):])
        ]
        pattern = "|".join(f"<{n}>" if i == 0 else n for i, n in enumerate(names))
        anywhere = sum(len(re.findall(rf"(?:{pattern})(?![\w-])", t)) for t in texts)
        as_link = sum(len(re.findall(rf"(?:{pattern}){_BEFORE_THIS}", t)) for t in texts)
        if anywhere == as_link:
            single.add(pred)
    # a query may read anything of the linking node: never typed only
    return at_focus, midway, at_focus - deep - sparql_read, single


def walks(shapes: ShapesIndex) -> dict:
    """For each predicate that SHACL-SPARQL queries read as ``?x p $this`` (and no core
    shape reads but as a typed value): the queries' readers and the variable ``?x``
    (`defcoop.validation.incremental.query_reach`). A predicate whose queries cannot all be followed is left
    out (its linking nodes get the walk through everything)."""
    # on disk too, by the shapes' content: reading the queries takes rdflib's SPARQL
    # parser (~1.5 s with its import), on every run that recomputes a hub's context
    return shapes.derived(
        "incremental.walks", lambda: results.memo("walks", [shapes.digest], lambda: _walks(shapes)),
    )


def _walks(shapes: ShapesIndex) -> dict:
    # here: query_reach reads rdflib's SPARQL algebra (~0.5 s to import); only hubs need it
    from defcoop.validation.incremental import query_reach  # lazy: CLI start-up

    g = shapes.graph
    _, constraints = split(g)
    prefixes = declared_prefixes(g)
    readers, unfollowable = [], set(core_backward(shapes)[2])
    for c in constraints:
        text = select_text(c)
        r = query_reach.reader(text, dict(c.prefixes))
        # what the text says it links to $this (as `_backward` reads it): the reader
        # must have found every one, or those predicates are walked the long way
        said = _iris(text, prefixes, before=_BEFORE_THIS)
        found = {pred for pred, _ in r.links()} if r is not None else set()
        unfollowable |= said - found
        if r is not None:
            readers.append(r)
        else:
            unfollowable |= said
    out: dict = {}
    for r in readers:
        for pred, var in r.links():
            if pred not in unfollowable:
                out.setdefault(pred, []).append((r, var))
    return out


def core_backward(shapes: ShapesIndex) -> tuple[set[str], set[str], set[str]]:
    """What the core shapes read backwards: (predicates of inverse paths at the focus
    of top-level property shapes; of other inverse paths; those of either kind read
    other than as a typed value)."""
    return shapes.derived("incremental.core_backward", lambda: _core_backward(shapes))


def _core_backward(shapes: ShapesIndex) -> tuple[set[str], set[str], set[str]]:
    g = shapes.graph
    at_focus: set[str] = set()
    midway: set[str] = set()
    deep: set[str] = set()
    tops = {s for t in TARGETS for s in g.subjects(t, None)} | implicit_class_targets(g)
    top_props = {p for s in tops for p in g.objects(s, SH.property)}
    for prop, path in g.subject_objects(SH.path):
        for inv in inverses(g, path):
            at_top = prop in top_props and path == inv[0]
            (at_focus if at_top else midway).add(str(inv[1]))
            if not at_top or set(g.predicates(prop, None)) - _TYPED_ONLY:
                deep.add(str(inv[1]))
    return at_focus, midway, deep


def readable(shapes: ShapesIndex) -> set[str] | None:
    """Every predicate a shape can read (in a path, in a SHACL-SPARQL query; rdf:type
    and rdfs:subClassOf for sh:class): a triple with any other predicate changes no
    finding. None if a shape may read every predicate of a node (sh:closed, a
    variable predicate or a negated property set in a query)."""
    return shapes.derived("incremental.readable", lambda: _readable(shapes))


def _readable(shapes: ShapesIndex) -> set[str] | None:
    g = shapes.graph
    if (None, SH.closed, None) in g:
        return None
    out = {str(o) for o in g.objects() if isinstance(o, URIRef)}
    out |= {str(RDF.type), str(RDFS.subClassOf), str(RDF.first), str(RDF.rest)}
    prefixes = declared_prefixes(g)
    for q in g.objects(None, SH.select):
        text = str(q)
        body = text[text.upper().find("WHERE"):] if "WHERE" in text.upper() else text
        body = re.sub(r"(?i)\bSELECT\b[^{]*", "", body)  # projections of subqueries
        if re.search(r"[?$]\w+\s+[?$]\w+\s+[^\s.;,}]", body) or re.search(r"[\s/|(^]!\s*[<(A-Za-z]", body):
            return None
        out |= _iris(text, prefixes)
    return out


#: what a property shape may say for its value nodes to need no more than their types
#: (the components' own word: `components.Component.types_only`)
_TYPED_ONLY = METADATA | {SH.path} | components.TYPES_ONLY
