"""The SHACL Core constraint components the compiled engine claims: one class each.

Each class is named after the spec's term, links the spec in its docstring, and says

* ``iri``: its constraint component IRI (the ``sh:sourceConstraintComponent`` of its results);
* ``parameters``: the parameters that make one constraint of it (the first is the one
  whose values each make a constraint of their own; the rest are read once);
  ``optional``: parameters it reads if present (``sh:flags``);
* ``property_only``: it is about the set of value nodes of a property shape
  (``sh:minCount``) and means nothing on a node shape;
* ``types_only``: of a value node it reads no more than the term itself and its
  types (`defcoop.validation.incremental` needs to know: a shape reading a predicate
  backwards with only such components needs no more of the linking node);
* ``nested``: the shapes it names (``sh:node``, ``sh:or`` members, ...), which the
  compiler must be able to check one value against;
* how it checks: `Component.check_value` (one value node; a node shape's focus is its
  own value node) or, for a set of values, `Component.check_values`, which gives the
  ``sh:value`` of every result (None for a result without one).

`REGISTRY` maps every parameter to its component; the compiler
(`defcoop.validation.shacl.compiled`), its evaluator and the incremental planner read
only this. Adding a component is one class here, added to `COMPONENTS`, with its tests
(`tests/test_validate_w3c.py` runs the W3C suite on every component claimed here).

The checks follow pySHACL's rules for single values (``pyshacl/constraints/core``), so
that an ill-typed literal, a language tag or a number compares exactly as pySHACL
compares it: the pySHACL engine is the reference the compiled engine is tested against.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any, ClassVar, Iterable, Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from defcoop.validation.vocabulary import SH


class Unsupported(Exception):
    """A construct the compiler leaves to pySHACL."""


class Evaluator(Protocol):
    """What a component may ask of the data while it checks (`compiled.Data`)."""

    def instances(self, cls: Any) -> set: ...

    def conforms(self, shape: Any, value: Any) -> bool: ...

    def values_of(self, focus: Any, path: Any) -> list: ...


class Component:
    """One constraint of a shape: one value of its main parameter (and the others)."""

    iri: ClassVar[URIRef]
    parameters: ClassVar[tuple[URIRef, ...]]
    optional: ClassVar[tuple[URIRef, ...]] = ()
    property_only: ClassVar[bool] = False
    types_only: ClassVar[bool] = True

    def __init__(self, shapes: Graph, shape: Any, value: Any):
        self.shape = shape
        self.value = value

    def nested(self) -> list:
        """The shapes this constraint checks value nodes against."""
        return []

    def check_value(self, v: Any, data: Evaluator) -> bool:
        raise NotImplementedError

    def check_values(self, focus: Any, values: list, data: Evaluator) -> Iterable[Any]:
        """The ``sh:value`` of each result for a property shape's value nodes."""
        for v in values:
            if not self.check_value(v, data):
                yield v


def _single(shapes: Graph, shape: Any, p: URIRef) -> Any:
    found = list(shapes.objects(shape, p))
    if len(found) > 1:
        raise Unsupported(f"more than one {p}")
    return found[0] if found else None


# -- value type -----------------------------------------------------------------------

#: the Python type rdflib gives a well-typed literal of each datatype pySHACL checks
# terms the checks compare with, once (an attribute of an rdflib namespace makes a new
# URIRef on every access: ~1 us, in loops over every value node)
_RDFS_LITERAL, _RDFS_DATATYPE, _XSD_STRING, _LANG_STRING = RDFS.Literal, RDFS.Datatype, XSD.string, RDF.langString
_PLAIN = (None, RDF.langString, XSD.string)
_LITERAL_KINDS = frozenset((SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral))
_BLANK_KINDS = frozenset((SH.BlankNode, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral))
_IRI_KINDS = frozenset((SH.IRI, SH.BlankNodeOrIRI, SH.IRIOrLiteral))

_PY_TYPES: dict[URIRef, Any] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
    XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date,
    XSD.time: datetime.time, XSD.dateTime: datetime.datetime,
}


def well_typed(v: Literal, datatype: Any) -> bool:
    """pySHACL's check that a literal's value is of its datatype (rdflib's ``ill_typed``
    and the Python type of its value)."""
    if getattr(v, "ill_typed", None) is True:
        return False
    expected = _PY_TYPES.get(datatype)
    return True if expected is None else isinstance(v.value, expected)


class ClassConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#ClassConstraintComponent"""

    iri = SH.ClassConstraintComponent
    parameters = (SH["class"],)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        return not isinstance(v, Literal) and v in data.instances(self.value)


class DatatypeConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#DatatypeConstraintComponent"""

    iri = SH.DatatypeConstraintComponent
    parameters = (SH.datatype,)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        rule = self.value
        if not isinstance(v, Literal):
            return False
        if v.datatype == rule:
            return well_typed(v, rule)
        if rule == _RDFS_LITERAL:
            return True
        if rule == _RDFS_DATATYPE and v.datatype:
            return True
        if v.datatype is None and v.language is None and rule == _XSD_STRING:
            return well_typed(v, rule)
        if rule == _LANG_STRING and v.language:
            return well_typed(v, rule)
        return False


class NodeKindConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#NodeKindConstraintComponent"""

    iri = SH.NodeKindConstraintComponent
    parameters = (SH.nodeKind,)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        kind = self.value
        if isinstance(v, Literal):
            return kind in _LITERAL_KINDS
        if isinstance(v, BNode):
            return kind in _BLANK_KINDS
        return kind in _IRI_KINDS


# -- cardinality ------------------------------------------------------------------------


class MinCountConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#MinCountConstraintComponent"""

    iri = SH.MinCountConstraintComponent
    parameters = (SH.minCount,)
    property_only = True

    def check_values(self, focus: Any, values: list, data: Evaluator) -> Iterable[Any]:
        if len(values) < int(self.value):
            yield None


class MaxCountConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#MaxCountConstraintComponent"""

    iri = SH.MaxCountConstraintComponent
    parameters = (SH.maxCount,)
    property_only = True

    def check_values(self, focus: Any, values: list, data: Evaluator) -> Iterable[Any]:
        if len(values) > int(self.value):
            yield None


# -- value range ------------------------------------------------------------------------


def compare_literal(l1: Literal, l2: Literal) -> int:
    """pySHACL's order of two literals (``pyshacl.rdfutil.compare.compare_literal``):
    raises TypeError where rdflib cannot compare them."""
    if l1.eq(l2):
        return 0
    if isinstance(l1.value, (datetime.datetime, datetime.time)):
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


class _Range(Component):
    """``$bound op v`` on literals of comparable types (pySHACL's rule)."""

    def _holds(self, order: int) -> bool:
        raise NotImplementedError

    def check_value(self, v: Any, data: Evaluator) -> bool:
        bound = self.value
        if not isinstance(v, Literal) or not isinstance(bound, Literal):
            return False
        if isinstance(bound.value, str) != isinstance(v.value, str):
            return False
        try:
            return self._holds(compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False


class MinInclusiveConstraintComponent(_Range):
    """https://www.w3.org/TR/shacl/#MinInclusiveConstraintComponent"""

    iri = SH.MinInclusiveConstraintComponent
    parameters = (SH.minInclusive,)

    def _holds(self, order: int) -> bool:
        return order >= 0


class MinExclusiveConstraintComponent(_Range):
    """https://www.w3.org/TR/shacl/#MinExclusiveConstraintComponent"""

    iri = SH.MinExclusiveConstraintComponent
    parameters = (SH.minExclusive,)

    def _holds(self, order: int) -> bool:
        return order > 0


class MaxInclusiveConstraintComponent(_Range):
    """https://www.w3.org/TR/shacl/#MaxInclusiveConstraintComponent"""

    iri = SH.MaxInclusiveConstraintComponent
    parameters = (SH.maxInclusive,)

    def _holds(self, order: int) -> bool:
        return order <= 0


class MaxExclusiveConstraintComponent(_Range):
    """https://www.w3.org/TR/shacl/#MaxExclusiveConstraintComponent"""

    iri = SH.MaxExclusiveConstraintComponent
    parameters = (SH.maxExclusive,)

    def _holds(self, order: int) -> bool:
        return order < 0


# -- string based -----------------------------------------------------------------------


class MinLengthConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#MinLengthConstraintComponent"""

    iri = SH.MinLengthConstraintComponent
    parameters = (SH.minLength,)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        if isinstance(v, BNode):
            return False
        return len(str(v)) >= int(self.value)


class MaxLengthConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#MaxLengthConstraintComponent"""

    iri = SH.MaxLengthConstraintComponent
    parameters = (SH.maxLength,)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        if isinstance(v, BNode):
            return False
        return len(str(v)) <= int(self.value)


class PatternConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#PatternConstraintComponent"""

    iri = SH.PatternConstraintComponent
    parameters = (SH.pattern,)
    optional = (SH.flags,)

    def __init__(self, shapes: Graph, shape: Any, value: Any):
        super().__init__(shapes, shape, value)
        flags = _single(shapes, shape, SH.flags)
        re_flags = 0  # "i" and "m", as pySHACL reads them
        if flags is not None:
            text = str(flags).lower()
            re_flags |= re.I if "i" in text else 0
            re_flags |= re.M if "m" in text else 0
        try:
            self.regex = re.compile(str(value), re_flags)
        except re.error as exc:
            raise Unsupported(f"a pattern Python cannot read: {exc}") from None

    def check_value(self, v: Any, data: Evaluator) -> bool:
        if isinstance(v, BNode):
            return False
        if isinstance(v, Literal) and v.value is not None and v.datatype in _PLAIN:
            text = str(v.value)
        else:
            text = str(v)
        return bool(self.regex.search(text))


class LanguageInConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#LanguageInConstraintComponent"""

    iri = SH.LanguageInConstraintComponent
    parameters = (SH.languageIn,)

    def __init__(self, shapes: Graph, shape: Any, value: Any):
        super().__init__(shapes, shape, value)
        self.wanted = {str(x).lower() for x in Collection(shapes, value)}

    def check_value(self, v: Any, data: Evaluator) -> bool:
        if not isinstance(v, Literal) or not v.language:
            return False
        lang = str(v.language).lower()
        return "*" in self.wanted or lang in self.wanted or lang.split("-")[0] in self.wanted


class UniqueLangConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#UniqueLangConstraintComponent"""

    iri = SH.UniqueLangConstraintComponent
    parameters = (SH.uniqueLang,)
    property_only = True

    def check_values(self, focus: Any, values: list, data: Evaluator) -> Iterable[Any]:
        if self.value.toPython() is not True:
            return
        langs: set[str] = set()
        dups: set[str] = set()
        for v in values:
            if isinstance(v, Literal) and v.language:
                low = str(v.language).lower()
                (dups if low in langs else langs).add(low)
        for _ in dups:
            yield None


# -- property pair ----------------------------------------------------------------------


class _Pair(Component):
    """Compares the value nodes with the values of another property at the focus node."""

    property_only = True

    def check_values(self, focus: Any, values: list, data: Evaluator) -> Iterable[Any]:
        others = data.values_of(focus, self.value)
        for v in values:
            for o in others:
                if not self._holds(v, o):
                    yield v

    def _holds(self, v: Any, o: Any) -> bool:
        raise NotImplementedError


class LessThanConstraintComponent(_Pair):
    """https://www.w3.org/TR/shacl/#LessThanConstraintComponent"""

    iri = SH.LessThanConstraintComponent
    parameters = (SH.lessThan,)

    def _holds(self, v: Any, o: Any) -> bool:
        return _ordered(v, o, strict=True)


class LessThanOrEqualsConstraintComponent(_Pair):
    """https://www.w3.org/TR/shacl/#LessThanOrEqualsConstraintComponent"""

    iri = SH.LessThanOrEqualsConstraintComponent
    parameters = (SH.lessThanOrEquals,)

    def _holds(self, v: Any, o: Any) -> bool:
        return _ordered(v, o, strict=False)


def _ordered(v: Any, o: Any, strict: bool) -> bool:
    """``v < o`` (``<=``) as pySHACL decides it: literals of comparable types only."""
    if not isinstance(v, Literal) or not isinstance(o, Literal):
        return False
    if isinstance(v.value, str) != isinstance(o.value, str):
        return False
    try:
        order = compare_literal(v, o)
    except (TypeError, NotImplementedError):
        return False
    return order < 0 if strict else order <= 0


# -- logical and shape-based ------------------------------------------------------------


class NodeConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#NodeConstraintComponent"""

    iri = SH.NodeConstraintComponent
    parameters = (SH.node,)
    types_only = False

    def nested(self) -> list:
        return [self.value]

    def check_value(self, v: Any, data: Evaluator) -> bool:
        return data.conforms(self.value, v)


class _ShapeList(Component):
    types_only = False

    def __init__(self, shapes: Graph, shape: Any, value: Any):
        super().__init__(shapes, shape, value)
        self.members = list(Collection(shapes, value))

    def nested(self) -> list:
        return self.members


class OrConstraintComponent(_ShapeList):
    """https://www.w3.org/TR/shacl/#OrConstraintComponent"""

    iri = SH.OrConstraintComponent
    parameters = (SH["or"],)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        return any(data.conforms(m, v) for m in self.members)


class AndConstraintComponent(_ShapeList):
    """https://www.w3.org/TR/shacl/#AndConstraintComponent"""

    iri = SH.AndConstraintComponent
    parameters = (SH["and"],)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        return all(data.conforms(m, v) for m in self.members)


class XoneConstraintComponent(_ShapeList):
    """https://www.w3.org/TR/shacl/#XoneConstraintComponent"""

    iri = SH.XoneConstraintComponent
    parameters = (SH.xone,)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        return sum(1 for m in self.members if data.conforms(m, v)) == 1


class NotConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#NotConstraintComponent"""

    iri = SH.NotConstraintComponent
    parameters = (SH["not"],)
    types_only = False

    def nested(self) -> list:
        return [self.value]

    def check_value(self, v: Any, data: Evaluator) -> bool:
        return not data.conforms(self.value, v)


class _Qualified(Component):
    property_only = True
    types_only = False

    def __init__(self, shapes: Graph, shape: Any, value: Any):
        super().__init__(shapes, shape, value)
        if (shape, SH.qualifiedValueShapesDisjoint, None) in shapes:
            raise Unsupported(SH.qualifiedValueShapesDisjoint)
        self.qualified = _single(shapes, shape, SH.qualifiedValueShape)
        if self.qualified is None:
            raise Unsupported("a qualified count without sh:qualifiedValueShape")

    def nested(self) -> list:
        return [self.qualified]

    def count(self, values: list, data: Evaluator) -> int:
        return sum(1 for v in values if data.conforms(self.qualified, v))


class QualifiedMinCountConstraintComponent(_Qualified):
    """https://www.w3.org/TR/shacl/#QualifiedValueShapeConstraintComponent (sh:qualifiedMinCount)"""

    iri = SH.QualifiedMinCountConstraintComponent
    parameters = (SH.qualifiedMinCount, SH.qualifiedValueShape)

    def check_values(self, focus: Any, values: list, data: Evaluator) -> Iterable[Any]:
        if self.count(values, data) < int(self.value):
            yield None


class QualifiedMaxCountConstraintComponent(_Qualified):
    """https://www.w3.org/TR/shacl/#QualifiedValueShapeConstraintComponent (sh:qualifiedMaxCount)"""

    iri = SH.QualifiedMaxCountConstraintComponent
    parameters = (SH.qualifiedMaxCount, SH.qualifiedValueShape)

    def check_values(self, focus: Any, values: list, data: Evaluator) -> Iterable[Any]:
        if self.count(values, data) > int(self.value):
            yield None


# -- other ------------------------------------------------------------------------------


class InConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#InConstraintComponent"""

    iri = SH.InConstraintComponent
    parameters = (SH["in"],)

    def __init__(self, shapes: Graph, shape: Any, value: Any):
        super().__init__(shapes, shape, value)
        self.members = set(Collection(shapes, value))

    def check_value(self, v: Any, data: Evaluator) -> bool:
        return v in self.members


class HasValueConstraintComponent(Component):
    """https://www.w3.org/TR/shacl/#HasValueConstraintComponent: on a node shape the
    focus node is the value; on a property shape one of the values is."""

    iri = SH.HasValueConstraintComponent
    parameters = (SH.hasValue,)

    def check_value(self, v: Any, data: Evaluator) -> bool:
        return bool(v == self.value)

    def check_values(self, focus: Any, values: list, data: Evaluator) -> Iterable[Any]:
        if self.value not in values:
            yield None


COMPONENTS: tuple[type[Component], ...] = (
    ClassConstraintComponent, DatatypeConstraintComponent, NodeKindConstraintComponent,
    MinCountConstraintComponent, MaxCountConstraintComponent,
    MinInclusiveConstraintComponent, MinExclusiveConstraintComponent,
    MaxInclusiveConstraintComponent, MaxExclusiveConstraintComponent,
    MinLengthConstraintComponent, MaxLengthConstraintComponent, PatternConstraintComponent,
    LanguageInConstraintComponent, UniqueLangConstraintComponent,
    LessThanConstraintComponent, LessThanOrEqualsConstraintComponent,
    NodeConstraintComponent, OrConstraintComponent, AndConstraintComponent,
    XoneConstraintComponent, NotConstraintComponent,
    QualifiedMinCountConstraintComponent, QualifiedMaxCountConstraintComponent,
    InConstraintComponent, HasValueConstraintComponent,
)

#: the main parameter of every component -> the component
REGISTRY: dict[URIRef, type[Component]] = {c.parameters[0]: c for c in COMPONENTS}
#: every parameter any component reads
PARAMETERS: frozenset[URIRef] = frozenset(
    p for c in COMPONENTS for p in (*c.parameters, *c.optional)
)
#: the parameters of components that read of a value node only the term and its types
TYPES_ONLY: frozenset[URIRef] = frozenset(
    p for c in COMPONENTS if c.types_only for p in (*c.parameters, *c.optional)
)


def constraints(shapes: Graph, shape: Any) -> list[Component]:
    """One component object per value of each main parameter the shape states."""
    out: list[Component] = []
    for p, o in shapes.predicate_objects(shape):
        cls = REGISTRY.get(p) if isinstance(p, URIRef) else None
        if cls is not None:
            out.append(cls(shapes, shape, o))
    return out
