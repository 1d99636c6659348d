"""The stored queries, each with its description, its SPARQL and its current result.

The library (`defcoop.query.library`) and the query entry point (`defcoop.query.runner.execute`)
belong to other modules; a parameterised query runs with its defaults. A query that
fails shows its error on the page instead of failing the whole build.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef

from defcoop.errors import DefcoopError

MAX_ROWS = 200


@dataclass
class QueryView:
    name: str
    anchor: str
    summary: str
    description: str
    params: list
    text: str
    example: str | None
    kind: str
    variables: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # list of list of Value
    total: int = 0
    boolean: bool | None = None
    triples: int | None = None
    error: str | None = None


def query_views(model=None, sources=None, *, only: str | None = None,
                values: dict | None = None) -> list[QueryView] | None:
    """Every stored query (or the one named ``only``) with its result, bound to ``values``
    and the defaults; None where the project has no library."""
    try:
        from defcoop.query import library
        from defcoop.query.runner import execute
    except ImportError:
        return None
    views = []
    for q in library.load_library():
        if only is not None and q.name != only:
            continue
        view = QueryView(q.name, f"query-{q.name}", q.summary, q.description, q.params, q.text,
                         q.example, q.kind)
        try:
            text = library.bind(q, values or {}) if q.params else q.text
            result = execute(text, sources if model is None else model.store, name=q.name)
        except DefcoopError as exc:
            view.error = str(exc)
            views.append(view)
            continue
        except Exception as exc:  # noqa: BLE001 (an engine's own failure: shown on the page, not fatal)
            view.error = f"{q.name}: the query failed on the embedded engine: {type(exc).__name__}: {exc}"
            views.append(view)
            continue
        if result.kind == "SELECT":
            view.variables = list(result.variables)
            view.total = len(result.rows)
            view.rows = [[_cell(model, t) for t in row] for row in result.rows[:MAX_ROWS]]
        elif result.kind == "ASK":
            view.boolean = result.boolean
        else:
            view.triples = len(result.graph) if result.graph is not None else 0
        views.append(view)
    return views


def _cell(model, term):
    """A result cell as a `Value` (a page link where the graph has a page for it)."""
    if term is None:
        return None
    if not isinstance(term, (URIRef, Literal, BNode)):
        term = URIRef(str(term)) if str(term).startswith(("http://", "https://")) else Literal(str(term))
    return model.value(term)
