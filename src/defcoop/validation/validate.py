"""Validation: the SHACL shapes, the term checks, the quotes and (optionally) inference.

``validate(sources)`` is the one entry point: it parses every file first (a file that
does not parse raises `DataError` naming the file and line, and nothing else runs),
then runs, on the ontology + vocabularies + the data (+ the class hierarchy of the
local imports in ``ontology/imports/``, so that a dco:State is an org:Organization):

1. the SHACL shapes of ``ontology/shapes*.ttl``, on the graph as written or, with
   ``inference="rdfs"|"owlrl"``, on its closure (and OWL 2 RL inconsistencies are
   reported too): SHACL Core by pyshacl, SHACL-SPARQL by `defcoop.validation.sparql_constraints`;
2. the term checks of `defcoop.validation.terms` (declared terms, documented minted terms,
   classes not used as instances, typed nodes, links that lead somewhere);
3. every quote against its source text (`defcoop.graph.provenance.check_quotes`).

The result is a `ValidationReport`: a sorted list of `Finding` objects plus what is
needed to show them (labels, prefixes, the shapes graph for complex paths). Two
implementations agree if their reports' `rows()` are equal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SKOS

from defcoop.validation import inference as _inference
from defcoop.validation import sparql_constraints, terms
from defcoop.errors import DefcoopError
from defcoop.graph.files import Source, default_sources, parse_into
from defcoop.namespaces import PREFIXES
from defcoop.graph.provenance import check_quotes
from defcoop.validation.terms import DCSH, SH, Finding

#: the SHACL engines `validate` can use (see its docstring)
ENGINES = ("oxigraph", "oxigraph-whole", "pyshacl")
DEFAULT_ENGINE = "oxigraph"

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class ValidationReport:
    findings: list[Finding]
    files: list[str]
    strict: bool = False
    inference: str = "none"
    graph: Graph = field(default=None, repr=False)  # the data graph (labels, bnode context)
    shapes: Graph = field(default=None, repr=False)  # the shapes graph (paths, shape names)

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

    # -- showing terms -------------------------------------------------------
    def _qname(self, term: URIRef) -> str:
        return _qname(term, self.graph)

    def name(self, term) -> str:
        """A term as a person reads it: a prefixed name, a literal's n3, ``[]`` for a blank node."""
        if term is None:
            return ""
        if isinstance(term, BNode):
            return "[]"
        if isinstance(term, URIRef):
            return self._qname(term)
        if isinstance(term, Literal):
            if term.datatype is not None:
                return f'"{term}"^^{self._qname(term.datatype)}'
            if term.language:
                return f'"{term}"@{term.language}'
            return f'"{term}"'
        return str(term)

    def focus_name(self, node) -> str:
        """A focus node's name; a blank node is named by the way to it from an IRI."""
        if not isinstance(node, BNode) or self.graph is None:
            return self.name(node)
        steps = []
        current = node
        for _ in range(6):
            parent = next(iter(self.graph.subject_predicates(current)), None)
            if parent is None:
                break
            current, predicate = parent
            steps.append(self.name(predicate))
            if not isinstance(current, BNode):
                return " / ".join([self.name(current)] + steps[::-1])
        types = sorted(self.name(t) for t in self.graph.objects(node, RDF.type))
        return f"[] ({', '.join(types) or 'untyped blank node'})"

    def label(self, node) -> str:
        if self.graph is None:
            return ""
        # the first English label, else the first label (in sorted order: the same
        # whatever order the graph gives them in)
        best = ""
        for p in (RDFS.label, SKOS.prefLabel):
            found = sorted(o for o in self.graph.objects(node, p) if isinstance(o, Literal))
            for o in found:
                if o.language == "en":
                    return str(o)
            if found and not best:
                best = str(found[0])
        return best

    def path_name(self, path) -> str:
        return _path_name(path, self.shapes, self.graph)

    def shape_name(self, shape) -> str:
        if isinstance(shape, BNode) and self.shapes is not None:
            parent = next(iter(self.shapes.subjects(SH.property, shape)), None)
            path = self.shapes.value(shape, SH.path)
            inner = f"property {self.path_name(path)}" if path is not None else "[]"
            return f"{self.name(parent)} › {inner}" if parent is not None else inner
        return self.name(shape)

    def rows(self) -> list[dict]:
        """The findings as plain dicts, in order: what `--format json` prints and what
        two implementations of `validate` must agree on."""
        return [
            {
                "focus": self.focus_name(f.focus) if isinstance(f.focus, BNode) else str(f.focus),
                "label": self.label(f.focus),
                "path": self.path_name(f.path),
                "message": f.message,
                "value": None if f.value is None else (
                    self.name(f.value) if not isinstance(f.value, URIRef) else str(f.value)
                ),
                "shape": self.shape_name(f.shape),
                "component": str(f.component),
                "severity": SEVERITIES.get(f.severity, str(f.severity)),
            }
            for f in self.findings
        ]


def validate(
    sources: Iterable[Source] | None = None,
    *,
    strict: bool = False,
    inference: str = "none",
    engine: str | None = None,
    jobs: int | None = None,
) -> ValidationReport:
    """Validate ``sources`` (default: the project's own files) against the shapes and checks.

    The ontology sources (kind ``"ontology"``) and the local imports are the schema;
    everything else is data. Raises `DataError` if any file cannot be parsed.

    ``engine``: ``"oxigraph"`` (the default; ``$DEFCOOP_VALIDATE_ENGINE`` overrides it)
    validates document by document with the shapes compiled to SPARQL on Oxigraph
    (`defcoop.validation.incremental`, `defcoop.validation.compiled`); ``"pyshacl"`` is plain
    pyshacl over the whole graph. Both give the same findings.

    ``jobs``: processes that validate documents in parallel (engine ``"oxigraph"``;
    default ``$DEFCOOP_JOBS``, else the CPUs available).
    """
    if inference not in _inference.KINDS:
        raise ValueError(f"inference must be one of {', '.join(_inference.KINDS)}, not {inference!r}")
    engine = engine or os.environ.get("DEFCOOP_VALIDATE_ENGINE", "").strip() or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    sources = default_sources() if sources is None else list(sources)
    if engine == "oxigraph":
        from defcoop.validation import incremental

        return incremental.validate(sources, strict=strict, inference=inference, jobs=jobs)
    return _validate_whole(sources, strict=strict, inference=inference, engine=engine)


#: kinds of files every unit of a split validation reads (`defcoop.validation.incremental`):
#: parsed once per process
_SHARED_KINDS = ("ontology", "reference")
_PARSED: dict = {}


def _add_parsed(graph: Graph, path) -> None:
    """``parse_into(graph, path)``, from a copy parsed once per process and content of
    the file (a file validated with every document is not parsed once per document)."""
    parsed = _parsed_union([path])
    for prefix, ns in parsed.namespaces():
        graph.bind(prefix, ns, override=False)
    add = graph.add
    for t in parsed:
        add(t)


def _file_key(path) -> tuple:
    """A file by its path and content (a file rewritten within one tick of its
    modification time is still a new key)."""
    import hashlib
    from pathlib import Path

    path = Path(path)
    return (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())


def _parsed_union(paths) -> Graph:
    """The files parsed into one graph, once per process and content of the files; the
    caller only reads it. A file that cannot be read is parsed (and named) as usual."""
    paths = list(paths)
    try:
        key = ("union", *(_file_key(p) for p in paths))
    except OSError:
        key = None
    parsed = _PARSED.get(key) if key else None
    if parsed is None:
        parsed = Graph()
        for path in paths:
            parse_into(parsed, path)
        if key:
            if len(_PARSED) > 64:
                _PARSED.clear()
            _PARSED[key] = parsed
    return parsed


def _schema_facts(paths, ontology: Graph, imports: Graph):
    """(declared terms, classes, vocabulary namespaces, findings on minted terms) of
    the ontology files and the imports; once per process and content of the files."""
    try:
        key = ("schema", id(imports), *(_file_key(p) for p in paths))
    except OSError:
        key = None
    facts = _PARSED.get(key) if key else None
    if facts is None:
        schema = ontology + imports
        facts = (
            terms.declared(schema), terms.classes(schema),
            terms.vocabulary_namespaces(imports), terms.check_minted(ontology),
        )
        if key:
            _PARSED[key] = facts
    return facts


def _validate_whole(sources: list[Source], *, strict: bool, inference: str, engine: str) -> ValidationReport:
    """Validate ``sources`` as one graph; the SHACL part by ``engine``."""

    # 1. parse everything, each file on its own (errors name the file and line)
    ontology, data = Graph(), Graph()
    for source in sources:
        target = ontology if source.kind == "ontology" else data
        if source.kind in _SHARED_KINDS:
            _add_parsed(target, source.path)
        else:
            parse_into(target, source.path)
    imports = _parsed_union(terms.import_files())  # shared: read, never changed
    shapes = _parsed_union(terms.shapes_files())
    merged = Graph()
    for g in (data, ontology):  # the prefixes the files declared, for showing names
        for prefix, ns in g.namespaces():
            merged.bind(prefix, ns, override=False)
    for prefix, ns in PREFIXES.items():
        merged.bind(prefix, ns, replace=True)
    for g in (ontology, data):
        for t in g:
            merged.add(t)
    # of the imports, only the hierarchy: the shapes need "a dco:State is an
    # org:Organization", not the declaration of every FOAF or PROV term
    for p in (RDFS.subClassOf, RDFS.subPropertyOf):
        for t in imports.triples((None, p, None)):
            merged.add(t)

    findings: list[Finding] = []

    # 2. SHACL, on the graph as written or on its closure
    shacl_graph = merged
    if inference != "none":
        shacl_graph, errors = _inference.expand(merged, inference)
        findings += [
            Finding(
                terms.ONTOLOGY_IRI, None,
                f"The ontology and data are inconsistent under "
                f"{'OWL 2 RL' if inference == 'owlrl' else 'RDFS'} reasoning: {e}",
                None, DCSH.InferenceCheck, DCSH.ConsistencyConstraintComponent,
            )
            for e in errors
        ]
    if engine == "pyshacl":
        findings += _shacl(shacl_graph, shapes)
    else:
        from defcoop.validation import compiled

        findings += compiled.run(shacl_graph, shapes)

    # 3. terms
    known, class_set, namespaces, minted = _schema_facts(
        [s.path for s in sources if s.kind == "ontology"], ontology, imports
    )
    findings += terms.check_declared(ontology + data, known, namespaces)
    findings += minted
    findings += terms.check_classes_as_instances(data, known, class_set)
    findings += terms.check_nodes(data, merged)

    # 4. quotes against the source texts
    findings += [
        Finding(
            p.annotation, None,
            f"The quote does not match its source: {p.message}. Correct oa:exact, or run "
            "`defcoop anchor` to write the quote's real position.",
            None, DCSH.QuoteCheck, DCSH.QuoteConstraintComponent,
        )
        for p in check_quotes(merged)
    ]

    report = ValidationReport(
        findings=[], files=[str(s.path) for s in sources], strict=strict,
        inference=inference, graph=merged, shapes=shapes,
    )
    unique = {}
    for f in findings:
        unique.setdefault((f.focus, f.path, f.value, f.shape, f.component, f.message), f)
    report.findings = sorted(unique.values(), key=lambda f: sort_key(report, f))
    return report


def sort_key(report: ValidationReport, f: Finding) -> tuple:
    """The order of findings: by node, path, component, value, message (then shape and
    severity, so that the order never depends on the engine)."""
    return (
        report.focus_name(f.focus), report.path_name(f.path), str(f.component),
        report.name(f.value), f.message, report.shape_name(f.shape), str(f.severity),
    )


def _shacl(data: Graph, shapes: Graph) -> list[Finding]:
    """SHACL Core by pyshacl; the SHACL-SPARQL constraints by `defcoop.validation.sparql_constraints`."""
    core, sparql = sparql_constraints.split(shapes)
    return _pyshacl_findings(data, core, shapes) + sparql_constraints.evaluate(sparql, shapes, data)


def _pyshacl_findings(data: Graph, core: Graph, shapes: Graph) -> list[Finding]:
    """pyshacl's top-level results of the shapes graph ``core`` on ``data``."""
    import pyshacl

    _, results, _ = pyshacl.validate(
        data, shacl_graph=core, inference="none", advanced=False,
        allow_warnings=True, abort_on_first=False, meta_shacl=False, inplace=True,
    )
    if not isinstance(results, Graph):  # pyshacl's ValidationFailure: the shapes are broken
        raise DefcoopError(f"{', '.join(map(str, terms.shapes_files()))}: {results}")
    out = []
    # only the top-level results: those of nested shapes (sh:node, sh:or) are their sh:detail
    top = set(results.objects(None, SH.result))
    for r in sorted(top, key=str):
        messages = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        out.append(
            Finding(
                focus=results.value(r, SH.focusNode),
                path=_shapes_path(results.value(r, SH.resultPath), results, shapes),
                message=messages[0] if messages else "",
                value=results.value(r, SH.value),
                shape=results.value(r, SH.sourceShape),
                component=results.value(r, SH.sourceConstraintComponent),
                severity=results.value(r, SH.resultSeverity),
            )
        )
    return out


def _shapes_path(path, results: Graph, shapes: Graph):
    """The result's path, as the node of the shapes graph it was copied from."""
    if not isinstance(path, BNode):
        return path
    wanted = _path_name(path, results)
    for candidate in shapes.objects(None, SH.path):
        if isinstance(candidate, BNode) and _path_name(candidate, shapes) == wanted:
            return candidate
    return path


def _path_name(path, graph: Graph | None, names: Graph | None = None) -> str:
    """A SHACL property path in SPARQL's syntax (``^p``, ``p|q``, ``p/q``, ``p*``)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return _qname(path, names)
    if graph is None:
        return "[]"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_name(inverse, graph, names)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_name(p, graph, names) for p in Collection(graph, alternatives))
    for prop, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return _path_name(inner, graph, names) + mark
    if (path, RDF.first, None) in graph:
        return "/".join(_path_name(p, graph, names) for p in Collection(graph, path))
    return "[]"


_NAMES = [(str(ns), prefix) for prefix, ns in {**PREFIXES, "sh": SH, "dcsh": DCSH}.items()]


def _qname(term: URIRef, graph: Graph | None = None) -> str:
    """A prefixed name: the project's prefixes first, then those the files declared."""
    text = str(term)
    names = _NAMES + ([(str(ns), p) for p, ns in graph.namespaces()] if graph is not None else [])
    best = None
    for ns, prefix in names:
        if text.startswith(ns) and len(text) > len(ns) and (best is None or len(ns) > len(best[0])):
            local = text[len(ns):]
            if all(c.isalnum() or c in "-_." for c in local) and not local.endswith(".") and prefix:
                best = (ns, prefix)
    return f"{best[1]}:{text[len(best[0]):]}" if best else f"<{text}>"
