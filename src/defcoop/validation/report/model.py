"""The report model: data only. A `Finding` is one problem; a `ValidationReport` is the
sorted findings of one run with what is needed to show them (the data graph for
labels and blank-node context, the shapes graph for paths and shape names).

How findings are named and shown is `defcoop.validation.report.names` and
`defcoop.validation.report.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef

from defcoop.validation.report import names
from defcoop.validation.vocabulary import SH

SEVERITIES = names.SEVERITIES


@dataclass(frozen=True)
class Finding:
    """One problem: the node it is about, the property, the message, the value, and
    which shape (or check) and constraint component found it; ``where`` is the
    file and line its focus node's triples were written at ("" if unknown)."""

    focus: Any
    path: Any  # a property IRI, a SHACL path node, or None
    message: str
    value: Any
    shape: Any
    component: URIRef
    severity: URIRef = SH.Violation
    where: str = ""

    def key(self) -> tuple:
        """What makes two findings the same finding."""
        return (self.focus, self.path, self.value, self.shape, self.component, self.message)


@dataclass
class ValidationReport:
    findings: list[Finding]
    files: list[str]
    strict: bool = False
    inference: str = "none"
    graph: Graph = field(default_factory=Graph, repr=False)  # the data graph (labels, bnode context)
    shapes: Graph = field(default_factory=Graph, repr=False)  # the shapes graph (paths, shape names)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == SH.Violation]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != SH.Violation]

    @property
    def conforms(self) -> bool:
        return not self.violations and not (self.strict and self.warnings)

    @property
    def exit_code(self) -> int:
        return 0 if self.conforms else 1

    # -- names: what `defcoop.validation.report.names` computes, for this report's graphs --
    def _names(self) -> names.Named:
        """The data graph with its prefix table, built once (again if the graph is replaced)."""
        named = self.__dict__.get("_named")
        if named is None or named.graph is not self.graph:
            named = self.__dict__["_named"] = names.Named(self.graph)
        return named

    def name(self, term: Any) -> str:
        return names.name(term, self._names())

    def focus_name(self, node: Any) -> str:
        return names.focus_name(node, self._names())

    def label(self, node: Any) -> str:
        return names.label(node, self._names())

    def path_name(self, path: Any) -> str:
        return names.path_name(path, self.shapes, self._names())

    def shape_name(self, shape: Any) -> str:
        return names.shape_name(shape, self.shapes, self._names())

    def rows(self) -> list[dict]:
        """The findings as plain dicts, in order: what `--format json` prints and what
        two implementations of `validate` must agree on."""
        named = self._names()
        return [names.row(f, named, self.shapes) for f in self.findings]

    def sort_key(self, f: Finding) -> tuple:
        return names.sort_key(f, self._names(), self.shapes)
