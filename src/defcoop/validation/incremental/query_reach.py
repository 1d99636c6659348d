"""What a SHACL-SPARQL query can read of a document, starting from one node.

`defcoop.validation.incremental` validates the base (ontology and reference data) with, from
each document, what a shape on a base node reads there. A SHACL-SPARQL query that
starts ``?annotation oa:hasBody $this`` reads, from each annotation of a base node,
only along its own triple patterns (``oa:hasTarget/oa:hasSource``, then
``^dco:sourceText|dcterms:source``, then ``dcterms:date``): `Reader.reach` walks those
patterns through a document's triples and returns the triples it passed, a small
superset of what the query can see there, instead of everything reachable.

A query is analysed from rdflib's SPARQL algebra: its triple patterns (in EXISTS and
NOT EXISTS too) and their property paths (``/``, ``|``, ``^``, ``*``, ``+``, ``?``). A query
this cannot follow (a variable or a negated property set in predicate position, a
GRAPH or SERVICE pattern, a subquery) gives no `Reader`: the caller walks everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

THIS = Variable("this")


class Unsupported(Exception):
    pass


@dataclass
class Reader:
    """One query's triple patterns: (subject, path, object), variables or terms."""

    patterns: list

    def links(self) -> set[tuple[str, Variable]]:
        """(predicate IRI, variable) of every ``?x <p> $this`` pattern."""
        return {(str(p), s) for s, p, o in self.patterns
                if o == THIS and isinstance(p, URIRef) and isinstance(s, Variable) and s != THIS}

    def reach(self, start, var: Variable, by_subject: dict, by_object: dict) -> list:
        """The triples (pyoxigraph) the patterns pass from ``start`` bound to ``var``,
        through a document's triples indexed by subject and by object (pyoxigraph terms).
        Patterns with ``$this`` in them are not followed (``$this`` is in the base)."""
        bound: dict = {var: {start}}
        fixed = {var, THIS}  # in every solution that matters, ``var`` is ``start``
        passed: list = []
        seen_triples: set = set()
        changed = True
        while changed:
            changed = False
            for s, p, o in self.patterns:
                if THIS in (s, o):
                    continue
                if isinstance(s, Variable) and s in bound and o not in fixed:
                    ends = _follow(bound[s], p, by_subject, by_object, False, passed, seen_triples)
                    changed |= _bind(bound, o, ends)
                if isinstance(o, Variable) and o in bound and s not in fixed:
                    ends = _follow(bound[o], p, by_subject, by_object, True, passed, seen_triples)
                    changed |= _bind(bound, s, ends)
        return passed


def reader(query_text: str, prefixes: dict) -> Reader | None:
    """The `Reader` of a SHACL-SPARQL SELECT, or None if it cannot be followed."""
    # a Reader unpickled from the cache needs none of rdflib's SPARQL:
    from rdflib.plugins.sparql import prepareQuery  # here: rdflib's SPARQL takes ~0.5 s to import
    from rdflib.plugins.sparql.parserutils import CompValue  # here: as prepareQuery

    try:
        algebra = prepareQuery(query_text, initNs=prefixes).algebra
        patterns: list = []
        _collect(algebra, patterns, CompValue)
    except Unsupported:
        return None
    except Exception:  # a query rdflib cannot parse: the caller walks everything
        return None
    return Reader(patterns)


def _collect(node: Any, out: list, comp: Any) -> None:
    """The triple patterns of an algebra tree (``comp``: rdflib's CompValue class)."""
    if isinstance(node, comp):
        if node.name in ("Graph", "GraphGraphPattern", "ServiceGraphPattern", "SubSelect",
                         "ToMultiSet"):
            raise Unsupported(node.name)
        if node.name == "BGP":
            for s, p, o in node["triples"]:
                _check_path(p)
                out.append((s, p, o))
        elif node.name == "TriplesBlock":  # inside EXISTS: not translated, flat lists
            for flat in node["triples"]:
                flat = list(flat)
                if len(flat) % 3:
                    raise Unsupported("triples")
                for i in range(0, len(flat), 3):
                    s, p, o = flat[i : i + 3]
                    _check_path(p)
                    out.append((s, p, o))
            return
        for value in node.values():
            _collect(value, out, comp)
    elif isinstance(node, dict):
        for value in node.values():
            _collect(value, out, comp)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _collect(value, out, comp)


def _check_path(p) -> None:
    if isinstance(p, URIRef):
        return
    if isinstance(p, (SequencePath, AlternativePath)):
        for x in p.args:
            _check_path(x)
        return
    if isinstance(p, InvPath):
        return _check_path(p.arg)
    if isinstance(p, MulPath):
        return _check_path(p.path)
    raise Unsupported(f"predicate {p!r}")  # a variable, a negated property set


def _bind(bound: dict, term, ends: set) -> bool:
    if not isinstance(term, Variable) or term == THIS or not ends:
        return False
    have = bound.setdefault(term, set())
    new = ends - have
    have |= new
    return bool(new)


def _follow(starts: set, p, by_subject, by_object, backwards: bool, passed: list, seen: set) -> set:
    """The nodes ``p`` leads to from ``starts`` (against it if ``backwards``), adding the
    triples it passes to ``passed``."""
    if isinstance(p, URIRef):
        iri = str(p)
        out = set()
        for n in starts:
            for t in (by_object if backwards else by_subject).get(n, ()):
                if t.predicate.value == iri:
                    if t not in seen:
                        seen.add(t)
                        passed.append(t)
                    out.add(t.subject if backwards else t.object)
        return out
    if isinstance(p, InvPath):
        return _follow(starts, p.arg, by_subject, by_object, not backwards, passed, seen)
    if isinstance(p, SequencePath):
        steps = list(reversed(p.args)) if backwards else list(p.args)
        current = starts
        for step in steps:
            current = _follow(current, step, by_subject, by_object, backwards, passed, seen)
        return current
    if isinstance(p, AlternativePath):
        out = set()
        for step in p.args:
            out |= _follow(starts, step, by_subject, by_object, backwards, passed, seen)
        return out
    if isinstance(p, MulPath):
        out = set(starts) if p.zero else set()
        frontier = set(starts)
        reached: set = set()
        while frontier:
            found = _follow(frontier, p.path, by_subject, by_object, backwards, passed, seen)
            frontier = found - reached
            reached |= found
            if not p.more:
                break
        return out | reached
    raise Unsupported(f"path {p!r}")

