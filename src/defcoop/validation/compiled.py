"""SHACL on Oxigraph: the shapes compiled to SPARQL queries run on a pyoxigraph store.

`run(data, shapes)` gives the same `Finding` objects as pyshacl followed by
`defcoop.validation.sparql_constraints` on the same rdflib graph (``validate._shacl``), much faster:

* the graph work is SPARQL on an in-memory Oxigraph store of ``data``: the focus nodes
  of every target (``sh:targetClass`` through ``rdfs:subClassOf*``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``, ``sh:targetNode``), the value nodes of every property path
  (IRIs, ``sh:inversePath``, ``sh:alternativePath``, sequences), the SHACL instances of
  every class that ``sh:class`` names, and the ``sh:sparql`` constraints (each query run
  once, as `defcoop.validation.sparql_constraints` does, but on Oxigraph);
* the checks of single values are pyshacl's own rules, applied to the rdflib terms of
  the data (so that an ill-typed literal, a language tag or a number compares exactly
  as pyshacl compares it): sh:datatype, sh:nodeKind, sh:class, sh:in, sh:hasValue,
  sh:languageIn, sh:pattern (+ sh:flags), sh:minInclusive, sh:uniqueLang, sh:minCount,
  sh:maxCount, sh:qualifiedValueShape with sh:qualifiedMin/MaxCount, sh:node, sh:or;
* a shape that uses anything else (sh:lessThan, sh:and, sh:xone, sh:not, a shape
  without sh:message, whose messages pyshacl would write, ...) is validated by
  pyshacl, for that shape only (`compile_shapes` says which).

Oxigraph writes valid numbers and dates in canonical form (``"012"^^xsd:integer``
comes back as ``"12"``): every term the store returns is mapped back to the rdflib
term it was made from, so findings name values as the files wrote them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from defcoop.query import engine
from defcoop.validation import sparql_constraints
from defcoop.validation.terms import SH, Finding

# -- what the compiler understands ----------------------------------------------------

_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_VALUE_PARAMS = {
    SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.hasValue, SH.languageIn, SH.pattern,
    SH.flags, SH.minInclusive, SH.node, SH["or"],
}
_PROPERTY_PARAMS = {
    SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape, SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
}
#: what a shape may say that is no constraint
_NEUTRAL = {
    RDF.type, SH.path, SH.property, SH.message, SH.severity, SH.name, SH.description,
    SH.order, SH.group, RDFS.comment, RDFS.label, SH.deactivated, *_TARGETS,
}
_COMPONENT = {
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
}


class Unsupported(Exception):
    """A construct the compiler leaves to pyshacl."""


@dataclass
class Plan:
    """What `compile_shapes` made of a shapes graph."""

    #: (top-level shape, its focus-node targets, [constraint shapes evaluated on them])
    compiled: list = field(default_factory=list)
    #: (top-level shape, [property shapes], node-level constraints too?) left to pyshacl
    fallback: list = field(default_factory=list)
    sparql: list = field(default_factory=list)


def compile_shapes(shapes: Graph) -> Plan:
    """Split the shapes into what is compiled and what pyshacl validates."""
    core, sparql = sparql_constraints.split(shapes)
    plan = Plan(sparql=sparql)
    tops = {s for t in _TARGETS for s in core.subjects(t, None)}
    for shape in sorted(tops, key=str):
        if _deactivated(core, shape):
            continue
        parts = [(shape, "node")] + [(p, "property") for p in core.objects(shape, SH.property)]
        if core.value(shape, SH.path) is not None:  # a property shape with its own targets
            parts = [(shape, "property")]
        good, bad = [], []
        for part, kind in parts:
            try:
                if kind == "node":
                    _check_node_level(core, part)
                else:
                    _check_property(core, part)
                good.append((part, kind))
            except Unsupported:
                bad.append((part, kind))
        plan.compiled.append((shape, good))
        if bad:
            plan.fallback.append((shape, bad))
    return plan


def _deactivated(g: Graph, shape) -> bool:
    value = g.value(shape, SH.deactivated)
    return value is not None and bool(value.toPython())


def _has_constraints(g: Graph, shape, params) -> bool:
    return any(p in params for p in g.predicates(shape, None))


def _check_node_level(g: Graph, shape) -> None:
    """The node-level constraints of a shape (not its sh:property) are supported."""
    for p in set(g.predicates(shape, None)):
        if p not in _NEUTRAL and p not in _VALUE_PARAMS:
            raise Unsupported(p)
    if _has_constraints(g, shape, _VALUE_PARAMS):
        _needs_message(g, shape)
        _check_value_shape(g, shape, node_level_only=True)


def _check_property(g: Graph, shape) -> None:
    _needs_message(g, shape)
    if _deactivated(g, shape):
        raise Unsupported(SH.deactivated)
    _path_query(g, g.value(shape, SH.path))
    for p in set(g.predicates(shape, None)):
        if p not in _NEUTRAL and p not in _VALUE_PARAMS and p not in _PROPERTY_PARAMS:
            raise Unsupported(p)
    if g.value(shape, SH.property) is not None:
        raise Unsupported(SH.property)
    _check_value_shape(g, shape, node_level_only=True)
    q = g.value(shape, SH.qualifiedValueShape)
    if q is not None:
        _check_value_shape(g, q)


def _check_value_shape(g: Graph, shape, node_level_only=False, depth=0) -> None:
    """A shape used to test one value (sh:node, sh:or members, qualified value shapes)."""
    if depth > 8:
        raise Unsupported("recursion")
    for p in set(g.predicates(shape, None)):
        if p in _NEUTRAL or p in _VALUE_PARAMS:
            continue
        if node_level_only and p in _PROPERTY_PARAMS:
            continue
        if p in (SH.minCount, SH.maxCount) and g.value(shape, SH.path) is not None:
            continue  # an sh:or member that is a property shape
        raise Unsupported(p)
    for node in g.objects(shape, SH.node):
        _check_value_shape(g, node, depth=depth + 1)
    for lst in g.objects(shape, SH["or"]):
        for member in Collection(g, lst):
            _check_value_shape(g, member, depth=depth + 1)
    if not node_level_only:
        for prop in g.objects(shape, SH.property):
            _path_query(g, g.value(prop, SH.path))
            for p in set(g.predicates(prop, None)):
                if p not in _NEUTRAL and p not in _VALUE_PARAMS and p not in (SH.minCount, SH.maxCount):
                    raise Unsupported(p)
            _check_value_shape(g, prop, node_level_only=True, depth=depth + 1)
        if g.value(shape, SH.path) is not None:  # an sh:or member that is a property shape
            _path_query(g, g.value(shape, SH.path))


def _needs_message(g: Graph, shape) -> None:
    if g.value(shape, SH.message) is None:
        raise Unsupported("no sh:message: pyshacl writes its own")


def _path_query(g: Graph, path) -> str:
    """A SHACL path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if path is None:
        raise Unsupported("no path")
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({_path_query(g, inverse)})"
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_query(g, p) for p in Collection(g, alternatives)) + ")"
    for prop, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(path, prop)
        if inner is not None:
            return f"({_path_query(g, inner)}){mark}"
    if (path, RDF.first, None) in g:
        return "(" + "/".join(_path_query(g, p) for p in Collection(g, path)) + ")"
    raise Unsupported("path")


# -- the data: an Oxigraph store of an rdflib graph ---------------------------------------


class Data:
    """An rdflib graph copied into an in-memory Oxigraph store, queried with SPARQL."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.store = ox.Store()
        back: dict = {}
        quads = []
        default = ox.DefaultGraph()
        convert = engine.from_rdflib
        memo: dict = {}
        for t in graph:
            if isinstance(t[0], Literal) or not isinstance(t[1], URIRef):
                raise Unsupported("a generalised triple (a literal subject, from inference)")
            parts = []
            for x in t:
                y = memo.get(x)
                if y is None:
                    y = memo[x] = convert(x)
                    back.setdefault(y, x)
                parts.append(y)
            quads.append(ox.Quad(parts[0], parts[1], parts[2], default))
        self.store.extend(quads)
        # Oxigraph stores valid numbers and dates in canonical form: map those back too
        literals = [(y, x) for x, y in memo.items() if isinstance(y, ox.Literal) and y.datatype.value != _STR]
        if literals:
            scratch = ox.Store()
            scratch.extend(
                ox.Quad(ox.NamedNode(f"urn:i:{i}"), _P, y, default) for i, (y, _) in enumerate(literals)
            )
            for q in scratch.quads_for_pattern(None, None, None):
                x = literals[int(q.subject.value[6:])][1]
                back.setdefault(q.object, x)
        self._back = back
        self._converted: dict = {}  # pyoxigraph term -> rdflib term, each converted once
        self._instances: dict = {}
        self.conforms: dict = {}
        self._values: dict = {}

    def term(self, y):
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
        names = [v.value for v in result.variables]
        term = self.term
        # a solution iterated once (indexing it makes a new Python term every time)
        return [{n: term(v) for n, v in zip(names, row) if v is not None} for row in result]

    def instances(self, cls) -> set:
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

    def focus_nodes(self, shapes: Graph, shape) -> set:
        out = set(shapes.objects(shape, SH.targetNode))
        for cls in shapes.objects(shape, SH.targetClass):
            out |= self.instances(cls)
        for p in shapes.objects(shape, SH.targetSubjectsOf):
            out |= {r["s"] for r in self.select(f"SELECT DISTINCT ?s WHERE {{ ?s <{p}> ?o }}")}
        for p in shapes.objects(shape, SH.targetObjectsOf):
            out |= {r["o"] for r in self.select(f"SELECT DISTINCT ?o WHERE {{ ?s <{p}> ?o }}")}
        return out


_STR = "http://www.w3.org/2001/XMLSchema#string"
_P = ox.NamedNode("urn:p")


# -- evaluation ---------------------------------------------------------------------------


def run(data: Graph, shapes: Graph, plan: Plan | None = None) -> list[Finding]:
    """SHACL Core and SHACL-SPARQL findings of ``shapes`` on ``data``, as `validate._shacl` gives."""
    if plan is None:
        plan = _planned(shapes)
    try:
        d = Data(data)
    except Unsupported:  # RDF that Oxigraph cannot hold: all of it to pyshacl
        from defcoop.validation.validate import _shacl

        return _shacl(data, shapes)
    core = _core(shapes)
    out = []
    for shape, parts in plan.compiled:
        focus = d.focus_nodes(core, shape)
        if not focus:
            continue
        for part, kind in parts:
            if kind == "node":
                out += _node_level(core, d, part, focus)
            else:
                out += _property(core, d, part, focus)
    if plan.fallback:
        out += _pyshacl(data, core, shapes, plan.fallback)
    out += _sparql(plan.sparql, core, d)
    return out


_PLANS: list = []  # (shapes graph, its plan): the graph is held, so its id is never reused


def _planned(shapes: Graph) -> Plan:
    """`compile_shapes`, once per shapes graph object (validation per document reuses
    one shapes graph for every unit; the graph must not change meanwhile)."""
    for graph, plan in _PLANS:
        if graph is shapes:
            return plan
    plan = compile_shapes(shapes)
    _PLANS[:] = _PLANS[-3:] + [(shapes, plan)]
    return plan


def _core(shapes: Graph) -> Graph:
    return shapes  # the sh:sparql triples are never read by the core evaluation


def _messages(g: Graph, shape) -> str:
    messages = sorted(str(m) for m in g.objects(shape, SH.message))
    return messages[0] if messages else ""


def _severity(g: Graph, shape):
    return g.value(shape, SH.severity) or SH.Violation


def _node_level(g: Graph, d: Data, shape, focus) -> list[Finding]:
    if not _has_constraints(g, shape, _VALUE_PARAMS):
        return []
    message, severity = _messages(g, shape), _severity(g, shape)
    out = []
    for f in focus:
        for component in _value_failures(g, d, shape, f):
            out.append(Finding(f, None, message, f, shape, component, severity))
    return out


def _property(g: Graph, d: Data, shape, focus) -> list[Finding]:
    path = g.value(shape, SH.path)
    values = d.values(_path_query(g, path))
    message, severity = _messages(g, shape), _severity(g, shape)
    out = []
    for f in focus:
        vs = values.get(f, [])
        for component, value in _property_failures(g, d, shape, f, vs):
            out.append(Finding(f, path, message, value, shape, component, severity))
    return out


def _property_failures(g: Graph, d: Data, shape, focus, values: list):
    """(component, value) for every failure of a property shape's constraints on one focus node."""
    n = len(values)
    counts = _counts(g, shape)
    if counts is None:
        for v in values:
            for component in _value_failures(g, d, shape, v, skip_has_value=True):
                yield component, v
        return
    min_counts, max_counts, unique_lang, has_values, q, q_min, q_max = counts
    for m in min_counts:
        if n < m:
            yield SH.MinCountConstraintComponent, None
    for m in max_counts:
        if n > m:
            yield SH.MaxCountConstraintComponent, None
    if unique_lang:
        langs, dups = set(), set()
        for v in values:
            if isinstance(v, Literal) and v.language:
                low = str(v.language).lower()
                (dups if low in langs else langs).add(low)
        for _ in dups:
            yield SH.UniqueLangConstraintComponent, None
    for hv in has_values:
        if hv not in values:
            yield SH.HasValueConstraintComponent, None
    if q is not None:
        conforming = sum(1 for v in values if _conforms(g, d, q, v))
        for m in q_min:
            if conforming < m:
                yield SH.QualifiedMinCountConstraintComponent, None
        for m in q_max:
            if conforming > m:
                yield SH.QualifiedMaxCountConstraintComponent, None
    for v in values:
        for component in _value_failures(g, d, shape, v, skip_has_value=True):
            yield component, v


_COUNTS: dict = {}


def _counts(g: Graph, shape):
    """A property shape's count-like parameters, read from the shapes graph once: None
    if it has none, else (minCounts, maxCounts, uniqueLang?, hasValues, qualified value
    shape, qualifiedMinCounts, qualifiedMaxCounts)."""
    key = (id(g), shape)
    if key not in _COUNTS:
        if not _has_property_params(g, shape):
            _COUNTS[key] = None
        else:
            _COUNTS[key] = (
                [int(m) for m in g.objects(shape, SH.minCount)],
                [int(m) for m in g.objects(shape, SH.maxCount)],
                any(u.toPython() is True for u in g.objects(shape, SH.uniqueLang)),
                list(g.objects(shape, SH.hasValue)),
                g.value(shape, SH.qualifiedValueShape),
                [int(m) for m in g.objects(shape, SH.qualifiedMinCount)],
                [int(m) for m in g.objects(shape, SH.qualifiedMaxCount)],
            )
    return _COUNTS[key]


def _params(g: Graph, shape) -> list:
    """A shape's value-level parameters, read from the shapes graph once."""
    key = (id(g), shape)
    found = _PARAMS.get(key)
    if found is None:
        found = []
        for p, o in g.predicate_objects(shape):
            if p in (SH["in"], SH.languageIn, SH["or"]):
                items = list(Collection(g, o))
                o = {str(x).lower() for x in items} if p == SH.languageIn else (
                    set(items) if p == SH["in"] else items)
            found.append((_KIND.get(p), p, o))
        _PARAMS[key] = found
    return found


_PARAMS: dict = {}
# rdflib's Namespace makes a new URIRef at every attribute access: these are read in hot loops
_DATATYPE = SH.datatype
_CLASS = SH["class"]
_NODE_KIND = SH.nodeKind
_IN = SH["in"]
_HAS_VALUE = SH.hasValue
_LANGUAGE_IN = SH.languageIn
_PATTERN = SH.pattern
_MIN_INCLUSIVE = SH.minInclusive
_NODE = SH.node
_OR = SH["or"]
_FLAGS = SH.flags
_KIND = {
    SH.datatype: "datatype", SH["class"]: "class", SH.nodeKind: "nodeKind", SH["in"]: "in",
    SH.hasValue: "hasValue", SH.languageIn: "languageIn", SH.pattern: "pattern",
    SH.minInclusive: "minInclusive", SH.node: "node", SH["or"]: "or",
}
_FLAGS_OF: dict = {}


def _flags(g: Graph, shape):
    key = (id(g), shape)
    if key not in _FLAGS_OF:
        _FLAGS_OF[key] = g.value(shape, SH.flags)
    return _FLAGS_OF[key]


_PROPERTY_KEYS = (SH.minCount, SH.maxCount, SH.uniqueLang, SH.hasValue, SH.qualifiedValueShape)


def _has_property_params(g: Graph, shape) -> bool:
    return any(p in _PROPERTY_KEYS for _, p, _ in _params(g, shape))


def _value_failures(g: Graph, d: Data, shape, v, skip_has_value=False):
    """The components of ``shape``'s value-level constraints that value node ``v`` fails."""
    for kind, p, o in _params(g, shape):
        if kind == "datatype":
            ok = _datatype_ok(v, o)
        elif kind == "class":
            ok = not isinstance(v, Literal) and v in d.instances(o)
        elif kind == "nodeKind":
            ok = _node_kind_ok(v, o)
        elif kind == "in":
            ok = v in o
        elif kind == "hasValue":
            if skip_has_value:
                continue
            ok = v == o
        elif kind == "languageIn":
            ok = _language_ok(v, o)
        elif kind == "pattern":
            ok = _pattern_ok(v, str(o), _flags(g, shape))
        elif kind == "minInclusive":
            ok = _min_inclusive_ok(v, o)
        elif kind == "node":
            ok = _conforms(g, d, o, v)
        elif kind == "or":
            ok = any(_conforms(g, d, member, v) for member in o)
        else:
            continue
        if not ok:
            yield _COMPONENT[p]


def _conforms(g: Graph, d: Data, shape, v) -> bool:
    """Does value node ``v`` conform to ``shape`` (a node shape, or a property shape with v as focus)?"""
    key = (shape, v)
    found = d.conforms.get(key)
    if found is None:
        found = d.conforms[key] = _conforms_now(g, d, shape, v)
    return found


def _conforms_now(g: Graph, d: Data, shape, v) -> bool:
    path = g.value(shape, SH.path)
    if path is not None:
        values = d.values(_path_query(g, path)).get(v, [])
        if any(True for _ in _property_failures(g, d, shape, v, values)):
            return False
        return True
    if any(True for _ in _value_failures(g, d, shape, v)):
        return False
    for prop in g.objects(shape, SH.property):
        values = d.values(_path_query(g, g.value(prop, SH.path))).get(v, [])
        if any(True for _ in _property_failures(g, d, prop, v, values)):
            return False
    return True


# pyshacl's own rules for single values (pyshacl/constraints/core/*.py)


def _datatype_ok(v, rule) -> bool:
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual_datatype(v, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return _actual_datatype(v, rule)
    if rule == RDF.langString and v.language:
        return _actual_datatype(v, rule)
    return False


#: the Python type rdflib gives a well-typed literal of each datatype pyshacl checks
_PY_TYPES = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
    XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date,
    XSD.time: datetime.time, XSD.dateTime: datetime.datetime,
}


def _actual_datatype(v: Literal, rule) -> bool:
    """pyshacl's check that a literal's Python value is of its datatype's type."""
    expected = _PY_TYPES.get(rule)
    return True if expected is None else isinstance(v.value, expected)


def _node_kind_ok(v, kind) -> bool:
    if isinstance(v, Literal):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    if isinstance(v, BNode):
        return kind in (SH.BlankNode, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral)
    return kind in (SH.IRI, SH.BlankNodeOrIRI, SH.IRIOrLiteral)


def _language_ok(v, wanted: set[str]) -> bool:
    if not isinstance(v, Literal) or not v.language:
        return False
    lang = str(v.language).lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


_REGEX: dict = {}


def _pattern_ok(v, pattern: str, flags) -> bool:
    if isinstance(v, BNode):
        return False
    key = (pattern, str(flags) if flags is not None else "")
    matcher = _REGEX.get(key)
    if matcher is None:
        re_flags = 0
        if flags is not None:
            text = str(flags).lower()
            re_flags |= re.I if "i" in text else 0
            re_flags |= re.M if "m" in text else 0
        matcher = _REGEX[key] = re.compile(pattern, re_flags)
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        text = str(v.value)
    else:
        text = str(v)
    return bool(matcher.match(text) or matcher.search(text))


def _min_inclusive_ok(v, m) -> bool:
    from pyshacl.rdfutil.compare import compare_literal

    if not isinstance(v, Literal):
        return False
    min_is_string = isinstance(m.value, str)
    v_is_string = isinstance(v.value, str)
    if min_is_string != v_is_string:
        return False
    try:
        return compare_literal(v, m) >= 0
    except (TypeError, NotImplementedError):
        return False


# -- what pyshacl still does ----------------------------------------------------------------


def _pyshacl(data: Graph, core: Graph, shapes: Graph, fallback) -> list[Finding]:
    """pyshacl on a shapes graph holding only the parts the compiler left to it."""
    from defcoop.validation.validate import _pyshacl_findings

    sub = Graph()
    for prefix, ns in shapes.namespaces():
        sub.bind(prefix, ns)
    for shape, parts in fallback:
        for p, o in core.predicate_objects(shape):
            if p in (RDF.type, *_TARGETS, SH.severity, SH.deactivated):
                sub.add((shape, p, o))
        for part, kind in parts:
            if kind == "property" and part != shape:
                sub.add((shape, SH.property, part))
                _closure(core, part, sub)
            else:  # the node-level constraints (or a property shape with its own targets)
                for p, o in core.predicate_objects(shape):
                    if p not in (SH.property, SH.sparql):
                        sub.add((shape, p, o))
                        _closure(core, o, sub)
    return _pyshacl_findings(data, sub, shapes)


def _closure(g: Graph, node, into: Graph, seen=None) -> None:
    seen = set() if seen is None else seen
    if isinstance(node, Literal) or node in seen:
        return
    seen.add(node)
    for p, o in g.predicate_objects(node):
        if p == SH.sparql:
            continue
        into.add((node, p, o))
        _closure(g, o, into, seen)


# -- SHACL-SPARQL on Oxigraph -------------------------------------------------------------

def _sparql(constraints, shapes: Graph, d: Data) -> list[Finding]:
    """As `sparql_constraints.evaluate`, with each query run once on the Oxigraph store."""
    out = []
    for c in constraints:
        focus = d.focus_nodes(shapes, c.shape)
        if not focus:
            continue
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in c.prefixes)
        out += sparql_constraints.findings(c, focus, d.select(prologue + sparql_constraints.select_text(c)))
    return out
