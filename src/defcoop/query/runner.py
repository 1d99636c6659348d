"""Running SPARQL on the embedded graph."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from defcoop.errors import DefcoopError
from defcoop.query.params import tokens
from defcoop.query.results import QueryResult

if TYPE_CHECKING:
    from rdflib import Graph


def read_query(path: str | Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise DefcoopError(f"{path}: no such query file")
    return path.read_text(encoding="utf-8")


def check_syntax(text: str, name: str = "<query>", line_offset: int = 0) -> None:
    """Raise `DefcoopError` naming the query, line, column and token of a syntax error.

    ``line_offset``: lines put in front of the user's text (the project's prefixes,
    `defcoop.query.syntax.declare_prefixes`), taken off the line reported.
    """
    import pyoxigraph  # only here: the CLI's start-up does not pay for it

    from defcoop.query.syntax import describe

    try:
        # parsed, then evaluated on an empty store (ASK at once): SERVICE calls made
        # local graphs first, so that checking never reaches out to the network
        pyoxigraph.Store().query(_without_service(text))
    except SyntaxError as exc:
        message = describe(exc.msg or str(exc), text, line_offset)
        raise DefcoopError(f"{name}: SPARQL syntax error: {message}") from None
    except (OSError, RuntimeError, ValueError):
        pass  # it parsed; what evaluating it on nothing says does not matter here


def _without_service(text: str) -> str:
    """``SERVICE [SILENT] x {...}`` as ``GRAPH x {...}``, every other character in place."""
    out = list(text)
    after_service = False
    for kind, a, b in tokens(text):
        word = text[a:b].upper() if kind == "word" else ""
        if word == "SERVICE":
            out[a:b] = "GRAPH".ljust(b - a)
            after_service = True
            continue
        if word == "SILENT" and after_service:
            out[a:b] = " " * (b - a)
        after_service = False
    return "".join(out)


def execute(text: str, sources=None, name: str = "<query>") -> QueryResult:
    """Run a query on the embedded graph of ``sources`` (default: the project's own).

    This is the one entry point the CLI and other modules use to query the embedded
    graph, so that the engine behind it can change without touching them.
    """
    from defcoop.query.engine import execute as on_oxigraph  # the embedded engine (defcoop.query.engine)

    return on_oxigraph(text, sources, name=name)


def run(text: str, graph: Graph, name: str = "<query>") -> QueryResult:
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
