"""What a query returned, on any engine: rows, a graph or a boolean.

Rows hold the engine's own terms (`terms`: pyoxigraph's from the embedded engine,
rdflib's from an endpoint), which the output formats (`defcoop.query.formats`) read
directly, so printing a result makes no rdflib term per cell. `rows` gives them as
rdflib terms, converted once, on first use, for the callers that want rdflib.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph


class QueryResult:
    """What a query returned: rows for SELECT, a graph for CONSTRUCT/DESCRIBE, a bool for ASK.

    ``to_rdflib``: how one of the engine's terms becomes rdflib's (None when the terms
    already are rdflib's); ``make_graph``: instead of ``graph``, a function that makes
    the rdflib graph when it is first asked for, and ``triples`` its size.
    """

    def __init__(
        self,
        kind: str,
        variables: list[str] | None = None,
        rows: list[tuple] | None = None,
        graph: Graph | None = None,
        boolean: bool | None = None,
        *,
        to_rdflib: Callable | None = None,
        make_graph: Callable[[], Graph] | None = None,
        triples: int | None = None,
    ):
        self.kind = kind  # "SELECT", "CONSTRUCT", "DESCRIBE" or "ASK"
        self.variables = list(variables or [])
        self.terms: list[tuple] = list(rows or [])
        self.boolean = boolean
        self._to_rdflib = to_rdflib
        self._rows: list[tuple] | None = None if to_rdflib else self.terms
        self._graph = graph
        self._make_graph = make_graph
        self._triples = triples

    def __len__(self) -> int:
        """Rows of a SELECT (without converting them), triples of a graph, 1 for ASK."""
        if self.kind == "SELECT":
            return len(self.terms)
        if self.kind == "ASK":
            return 1
        return self._triples if self._triples is not None else len(self.graph or ())

    def __repr__(self) -> str:
        return f"QueryResult({self.kind}, {len(self)} {'rows' if self.kind == 'SELECT' else 'items'})"

    @property
    def rows(self) -> list[tuple]:
        """The rows with rdflib terms (unbound: None), converted on first use."""
        if self._rows is None:
            seen: dict = {}  # terms repeat across rows: convert each once
            convert = self._to_rdflib

            def term(t):
                if t is None:
                    return None
                done = seen.get(t)
                if done is None:
                    done = seen[t] = convert(t)
                return done

            self._rows = [tuple(term(t) for t in row) for row in self.terms]
        return self._rows

    @property
    def graph(self) -> Graph | None:
        """The rdflib graph of a CONSTRUCT or DESCRIBE (None for SELECT and ASK)."""
        if self._graph is None and self._make_graph is not None:
            self._graph = self._make_graph()
            self._make_graph = None
        return self._graph
