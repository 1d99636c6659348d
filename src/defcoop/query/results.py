"""What a query returned, on any engine: rows, a graph or a boolean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass
class QueryResult:
    """What a query returned: rows for SELECT, a graph for CONSTRUCT/DESCRIBE, a bool for ASK."""

    kind: str  # "SELECT", "CONSTRUCT", "DESCRIBE" or "ASK"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    graph: Graph | None = None
    boolean: bool | None = None
