"""Running SPARQL on the embedded graph: the one entry point for every caller.

`execute` runs a query on the project's graph, on other sources, or on a store a
long-lived process holds (`defcoop.query.engine.in_memory`), always on the embedded
Oxigraph engine (`defcoop.query.engine`), so that the engine behind it can change
without touching the CLI, the site or `info`. `check_syntax` checks a query without
running it (before sending it to an endpoint).
"""

from __future__ import annotations

from defcoop.errors import DefcoopError
from defcoop.query.results import QueryResult


def check_syntax(text: str, name: str = "<query>") -> None:
    """Raise `DefcoopError` naming the query and the line of a syntax error."""
    try:
        from rdflib.plugins.sparql import prepareQuery  # only here: it costs ~0.15 s to import

        prepareQuery(text)
    except Exception as exc:
        raise DefcoopError(f"{name}: SPARQL syntax error: {exc}") from exc


def execute(text: str, data=None, name: str = "<query>") -> QueryResult:
    """Run a query on ``data`` (default: the project's graph); a `QueryResult`.

    ``data``: sources (`defcoop.graph.files.Source`), read through the engine's
    on-disk cache (a one-shot command), or a pyoxigraph store the caller holds
    (`defcoop.query.engine.in_memory`, for many queries in one process). Rows print
    without rdflib (`defcoop.query.formats`); ``result.rows`` gives rdflib terms.
    """
    from defcoop.query import engine  # the embedded engine; pyoxigraph loads here

    return engine.execute(text, data, name=name)
