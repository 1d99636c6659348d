"""Running SPARQL on the embedded graph: the one entry point for every caller.

`execute` runs a query on the project's graph, on other sources, or on a store a
long-lived process holds (`defcoop.query.engine.in_memory`), always on the embedded
Oxigraph engine (`defcoop.query.engine`), so that the engine behind it can change
without touching the CLI, the site or `info`. `check_syntax` checks a query without
running it (before sending it to an endpoint).
"""

from __future__ import annotations

from defcoop.errors import DefcoopError
from defcoop.query.params import tokens
from defcoop.query.results import QueryResult


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


def execute(text: str, data=None, name: str = "<query>") -> QueryResult:
    """Run a query on ``data`` (default: the project's graph); a `QueryResult`.

    ``data``: sources (`defcoop.graph.files.Source`), read through the engine's
    on-disk cache (a one-shot command), or a pyoxigraph store the caller holds
    (`defcoop.query.engine.in_memory`, for many queries in one process). Rows print
    without rdflib (`defcoop.query.formats`); ``result.rows`` gives rdflib terms.
    """
    from defcoop.query import engine  # the embedded engine; pyoxigraph loads here

    return engine.execute(text, data, name=name)
