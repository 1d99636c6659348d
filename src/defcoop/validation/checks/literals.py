"""Every literal with a datatype is well-formed, wherever it is (inside an ``sh:or`` that
accepts several datatypes too): rdflib's own verdict (``ill_typed``) and, for the
datatypes rdflib does not check (``xsd:gYear``, ``xsd:gYearMonth``, ...), the lexical
space of XML Schema 1.1 Part 2 (https://www.w3.org/TR/xmlschema11-2/)."""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import XSD

from defcoop.validation.checks import Triples
from defcoop.validation.report import names
from defcoop.validation.report.model import Finding
from defcoop.validation.vocabulary import DCSH

_TZ = r"(Z|[+-]\d\d:\d\d)?"
_YEAR = r"-?([1-9]\d{4,}|\d{4})"
#: lexical spaces of the datatypes rdflib parses leniently or not at all
LEXICAL = {
    XSD.gYear: re.compile(_YEAR + _TZ),
    XSD.gYearMonth: re.compile(_YEAR + r"-(0[1-9]|1[0-2])" + _TZ),
    XSD.gMonth: re.compile(r"--(0[1-9]|1[0-2])" + _TZ),
    XSD.gMonthDay: re.compile(r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])" + _TZ),
    XSD.gDay: re.compile(r"---(0[1-9]|[12]\d|3[01])" + _TZ),
    XSD.date: re.compile(_YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])" + _TZ),
    XSD.integer: re.compile(r"[+-]?\d+"),
    XSD.nonNegativeInteger: re.compile(r"\+?\d+|-0+"),
    XSD.positiveInteger: re.compile(r"\+?0*[1-9]\d*"),
    XSD.boolean: re.compile(r"true|false|1|0"),
    XSD.decimal: re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
}


def well_formed(o: Literal) -> bool:
    if getattr(o, "ill_typed", None) is True:
        return False
    pattern = LEXICAL.get(o.datatype) if o.datatype is not None else None
    return pattern is None or pattern.fullmatch(str(o)) is not None


def check(data: Triples) -> list[Finding]:
    out = []
    for s, p, o in data:
        if isinstance(o, Literal) and o.datatype is not None and not well_formed(o):
            out.append(Finding(
                s, p, f'"{o}" is not a valid {names.qname(o.datatype)}: write the value in that '
                "datatype's form (xsd:date 2019-05-21, xsd:gYearMonth 2019-05, xsd:gYear 2019), "
                "or quote the letter's words in a property of its own (dco:dateAsStated).",
                o, DCSH.LiteralCheck, DCSH.IllFormedLiteralConstraintComponent,
            ))
    return out
