"""Every quote against its source text (`defcoop.graph.provenance.check_quotes`), as findings."""

from __future__ import annotations

from rdflib import Graph

from defcoop.graph.provenance import check_quotes
from defcoop.validation.report.model import Finding
from defcoop.validation.vocabulary import DCSH


def check(graph: Graph) -> list[Finding]:
    return [
        Finding(
            p.annotation, None,
            f"The quote does not match its source: {p.message}. Correct oa:exact, or run "
            "`defcoop anchor` to write the quote's real position.",
            None, DCSH.QuoteCheck, DCSH.QuoteConstraintComponent,
        )
        for p in check_quotes(graph)
    ]
