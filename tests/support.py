"""Comparing query results with expected CSV files, the same way for every test."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Literal


def cell(term) -> str:
    """A result term as the text an expected CSV holds: lexical form, '' for unbound."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def normalise(value: str) -> str:
    """Numbers compare by value ("3" == "3.0"); everything else as text."""
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    if number.is_nan() or not number.is_finite():
        return value
    return str(number.normalize()) if "." in value or "e" in value.lower() else value


def read_expected(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [tuple(r) for r in reader]
    return header, rows


def rows_as_text(variables, rows) -> list[tuple[str, ...]]:
    return [tuple(normalise(cell(t)) for t in row) for row in rows]


def to_csv(variables, rows) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(variables)
    w.writerows(rows_as_text(variables, rows))
    return out.getvalue()


def rdflib_query(text: str, graph, name: str = "<query>"):
    """The reference the engine is compared with: ``text`` run by rdflib on ``graph``.

    (The project runs every query on the embedded engine, `defcoop.query.runner.execute`;
    rdflib is the independent second opinion the tests check it against.)
    """
    from defcoop.query.results import QueryResult
    from defcoop.query.runner import check_syntax

    check_syntax(text, name)
    result = graph.query(text)
    if result.type == "SELECT":
        variables = [str(v) for v in result.vars]
        return QueryResult("SELECT", variables=variables, rows=[tuple(r) for r in result])
    if result.type == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer))
    g = graph.__class__()
    for prefix, ns in graph.namespaces():
        g.bind(prefix, ns)
    for triple in result:
        g.add(triple)
    return QueryResult(result.type, graph=g)
