"""Showing a `ValidationReport`: text for people, JSON for machines, Turtle for SHACL tools.

* ``text``: findings grouped by focus node (its name and label), each with its
  severity, path, message, offending value and the shape that found it; a summary
  line last.
* ``json``: ``{"conforms", "violations", "warnings", "strict", "inference", "files",
  "results": [...]}`` with one object per finding (`ValidationReport.rows`).
* ``turtle``: the standard ``sh:ValidationReport`` with one ``sh:ValidationResult``
  per finding; the checks that are not SHACL (declared terms, quotes, ...) appear as
  results whose ``sh:sourceShape`` and ``sh:sourceConstraintComponent`` are
  ``dcsh:`` IRIs.
"""

from __future__ import annotations

import json
from itertools import groupby

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF

from defcoop.validation.report.model import ValidationReport
from defcoop.validation.vocabulary import DCSH, SH

FORMATS = ("text", "json", "turtle")


def summary(report: ValidationReport) -> str:
    v, w = len(report.violations), len(report.warnings)
    counts = f"{v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}"
    files = f"{len(report.files)} file{'s' * (len(report.files) != 1)}"
    if report.conforms:
        return f"conforms: {counts} ({files} checked)"
    why = " (--strict: warnings fail)" if not v and report.strict else ""
    return f"does not conform: {counts}{why} ({files} checked)"


def to_json(report: ValidationReport) -> str:
    return json.dumps(
        {
            "conforms": report.conforms,
            "violations": len(report.violations),
            "warnings": len(report.warnings),
            "strict": report.strict,
            "inference": report.inference,
            "files": report.files,
            "results": report.rows(),
        },
        indent=2,
        ensure_ascii=False,
    )


def to_turtle(report: ValidationReport) -> str:
    g = Graph()
    g.bind("sh", SH)
    g.bind("dcsh", DCSH)
    if report.graph is not None:
        for prefix, ns in report.graph.namespaces():
            g.bind(prefix, ns, override=False)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for f in report.findings:
        r = BNode()
        g.add((root, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, f.focus))
        g.add((r, SH.resultSeverity, f.severity))
        g.add((r, SH.resultMessage, Literal(f.message)))
        g.add((r, SH.sourceConstraintComponent, f.component))
        if f.shape is not None:
            g.add((r, SH.sourceShape, f.shape))
            _copy(report.shapes, f.shape, g)
        if f.path is not None:
            g.add((r, SH.resultPath, f.path))
            _copy(report.shapes, f.path, g)
        if f.value is not None:
            g.add((r, SH.value, f.value))
    return g.serialize(format="turtle")


def _copy(source: Graph | None, node, target: Graph) -> None:
    """Copy the blank-node structure under ``node`` (a path, a shape) into ``target``."""
    if source is None or not isinstance(node, BNode):
        return
    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for p, o in source.predicate_objects(n):
            target.add((n, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def to_text(report: ValidationReport, console) -> None:
    """Print the report with rich on ``console``."""
    from rich.markup import escape  # here: only the text format needs rich

    styles = {"Violation": "bold red", "Warning": "yellow", "Info": "cyan"}
    rows = report.rows()
    for _, grouped in groupby(zip(report.findings, rows), key=lambda fr: fr[1]["focus"]):
        group = list(grouped)
        finding, row = group[0]
        name = report.focus_name(finding.focus)
        label = f"  [dim]{escape(row['label'])}[/dim]" if row["label"] else ""
        place = f"  [dim]({escape(finding.where)})[/dim]" if finding.where else ""
        console.print(f"[bold]{escape(name)}[/bold]{label}{place}")
        for finding, row in group:
            sev = row["severity"]
            path = f" [cyan]{escape(row['path'])}[/cyan]" if row["path"] else ""
            console.print(f"  [{styles.get(sev, '')}]{sev}[/]{path}: {escape(row['message'])}")
            details = []
            if finding.value is not None:
                details.append(f"value {escape(report.name(finding.value))}")
            details.append(
                f"shape {escape(row['shape'])} ({escape(report.name(finding.component))})"
            )
            console.print(f"    [dim]{'; '.join(details)}[/dim]")
        console.print()
    style = "bold green" if report.conforms else "bold red"
    console.print(f"[{style}]{escape(summary(report))}[/]")
