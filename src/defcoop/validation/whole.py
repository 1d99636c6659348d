"""Validating sources as one graph: parse, SHACL (compiled or pySHACL), the term checks, the quotes.

`validate_whole(sources, shapes, engine=...)` is what every engine does to one graph
(the incremental engine calls it once per unit). It parses every file first (a file
that does not parse raises `DataError` naming the file and line, and nothing else
runs), then runs, on the ontology + vocabularies + the data (+ the class hierarchy of
the local imports in ``ontology/imports/``, so that a dco:State is an org:Organization):

1. the SHACL shapes, on the graph as written and, with ``inference="rdfs"|"owlrl"``,
   on its closure too (and OWL 2 RL inconsistencies are reported). Inference adds
   findings, it never takes one away: ``rdfs:range dco:Person`` would otherwise make
   the wrong kind of node a person, and the sh:class that checks the link would pass
   (every invalid case of ``tests/cases`` gives its violations with inference too);
2. the term checks of `defcoop.validation.checks.terms`;
3. every quote against its source text (`defcoop.validation.checks.quotes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from defcoop.errors import DataError
from defcoop.graph.files import Source
from defcoop.namespaces import PREFIXES
from defcoop.validation import inference as inferring
from defcoop.validation import schema
from defcoop.validation.checks import links, literals, quotes, terms
from defcoop.validation.memo import ContentCache, digest_files
from defcoop.validation.report import where
from defcoop.validation.report.model import Finding, ValidationReport
from defcoop.validation.shacl import compiled, pyshacl_engine
from defcoop.validation.shapes.index import ShapesIndex
from defcoop.validation.vocabulary import DCSH, ONTOLOGY_IRI

#: kinds of files every unit of a split validation reads: parsed once per process
SHARED_KINDS = ("ontology", "reference")


@dataclass(frozen=True)
class SchemaFacts:
    """What the term checks need of the ontology and the imports."""

    key: str  # the digest of the files they were read from
    known: set[URIRef]
    classes: set[URIRef]
    namespaces: tuple[str, ...]
    minted: list[Finding]


_FACTS: ContentCache[SchemaFacts] = ContentCache(size=8)


def schema_facts(ontology_files: list, ontology: Callable[[], Graph], imports: Graph) -> SchemaFacts:
    """Once per process and content of the ontology and import files; ``ontology()``
    gives the ontology's graph (built only when they are computed)."""
    key = digest_files([*ontology_files, *schema.import_files()])

    def compute() -> SchemaFacts:
        graph = ontology()
        both = graph + imports
        return SchemaFacts(
            key, terms.declared(both), terms.classes(both),
            terms.vocabulary_namespaces(imports), terms.check_minted(graph),
        )

    return _FACTS.get(key, compute)


def plan(shapes: ShapesIndex) -> compiled.Plan:
    """The compiled plan of the shapes, once per index."""
    return shapes.derived("plan", lambda: compiled.compile_shapes(shapes.graph))


def _shacl(graph: Graph, shapes: ShapesIndex, engine: str, copy: schema.OxCopy | None = None) -> list[Finding]:
    if engine == "pyshacl":
        return pyshacl_engine.shacl(graph, shapes.graph)
    return compiled.run(graph, shapes.graph, plan(shapes), copy)


@dataclass(frozen=True)
class Hierarchy:
    """The rdfs:subClassOf and rdfs:subPropertyOf triples of the imports, and their Oxigraph copy."""

    triples: list
    copy: schema.OxCopy


_HIERARCHY: ContentCache[Hierarchy] = ContentCache(size=4)


def hierarchy(imports: Graph) -> Hierarchy:
    """The class and property hierarchy of the imports, once per process and content of their files."""

    def compute() -> Hierarchy:
        triples = [t for p in (RDFS.subClassOf, RDFS.subPropertyOf) for t in imports.triples((None, p, None))]
        return Hierarchy(triples, schema.OxCopy.of(triples))

    return _HIERARCHY.get(digest_files(schema.import_files()), compute)


def parse(sources: list[Source]) -> list[schema.Parsed]:
    """Each source parsed: a shared file once per process (`schema.parsed_file`), a
    document every time. A file that does not parse raises `DataError` naming it."""
    return [schema.parsed_file(s.path) if s.kind in SHARED_KINDS else schema.parse(s.path) for s in sources]


def prefixes_shown(sources: list[Source], parsed: list[schema.Parsed]) -> list[tuple[str, str]]:
    """The prefixes `validate_whole`'s report shows names with (`_prefix_graphs`)."""
    return [(prefix, str(ns)) for prefix, ns in _prefix_graphs(sources, parsed)[1].namespaces()]


def _prefix_graphs(sources: list[Source], parsed: list[schema.Parsed]) -> tuple[Graph, Graph]:
    """Two empty graphs with prefixes bound: the data files' (the term checks show names
    with them), and what the report shows names with: the data's, then the ontology's,
    as the files declare them, and the project's (`namespaces.PREFIXES`) over them."""
    ontology, data, shown = schema.graph(), schema.graph(), schema.graph()
    for source, one in zip(sources, parsed):
        schema.bind(ontology if source.kind == "ontology" else data, one)
    for g in (data, ontology):
        for prefix, ns in g.namespaces():
            shown.bind(prefix, ns, override=False)
    for name, namespace in PREFIXES.items():
        shown.bind(name, namespace, replace=True)
    return data, shown


def validate_whole(
    sources: list[Source], shapes: ShapesIndex, *, strict: bool = False,
    inference: str = "none", engine: str = "oxigraph-whole", parsed: list[schema.Parsed] | None = None,
) -> ValidationReport:
    """Validate ``sources`` as one graph; the SHACL part by ``engine`` (``"pyshacl"`` or
    the compiled ``"oxigraph-whole"``); ``parsed``: `parse` of the sources, if the caller has it."""
    parsed = parse(sources) if parsed is None else parsed
    pairs = list(zip(sources, parsed))
    ontology_files = [p for s, p in pairs if s.kind == "ontology"]
    data_files = [p for s, p in pairs if s.kind != "ontology"]
    # the checks read the triples from the parsed lists (a triple two files hold is
    # read twice: its findings are the same, and kept once); ``data`` holds only the
    # data files' prefixes, for showing names as the files write them, and ``merged``
    # starts with the report's prefixes and gets every triple
    ontology_triples = [t for one in ontology_files for t in one.triples]
    data_triples = [t for one in data_files for t in one.triples]
    data, merged = _prefix_graphs(sources, parsed)

    def ontology_graph() -> Graph:  # for what is computed once per ontology
        graph = schema.graph()
        for one in ontology_files:
            schema.add(graph, one)
        return graph

    copies = [one.copy for one in parsed]  # the same triples for the compiled engine's store
    imports = schema.parsed(schema.import_files())  # shared: read, never changed
    add = merged.add
    for t in ontology_triples:  # the ontology first, then the data
        add(t)
    for t in data_triples:
        add(t)
    # of the imports, only the hierarchy: the shapes need "a dco:State is an
    # org:Organization", not the declaration of every FOAF or PROV term
    tree = hierarchy(imports)
    for t in tree.triples:
        merged.add(t)
    copies.append(tree.copy)
    copy = schema.OxCopy.union(copies)

    findings: list[Finding] = []

    # 1. SHACL, on the graph as written and on its closure
    findings += _shacl(merged, shapes, engine, copy)
    if inference != "none":
        closure, errors = inferring.expand(merged, inference)
        findings += [
            Finding(
                ONTOLOGY_IRI, None,
                f"The ontology and data are inconsistent under "
                f"{'OWL 2 RL' if inference == 'owlrl' else 'RDFS'} reasoning: {e}",
                None, DCSH.InferenceCheck, DCSH.ConsistencyConstraintComponent,
            )
            for e in errors
        ]
        findings += _shacl(closure, shapes, engine)

    # 2. terms
    facts = schema_facts([s.path for s in sources if s.kind == "ontology"], ontology_graph, imports)
    broken = shapes.derived(f"declared terms {facts.key}",
                            lambda: terms.check_shapes(shapes, facts.known, facts.namespaces))
    if broken:
        raise DataError(broken[0] + (f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""))
    findings += terms.check_declared(data_triples, facts.known, facts.namespaces, also=ontology_triples, names=merged)
    findings += facts.minted
    findings += terms.check_classes_as_instances(data_triples, facts.known, facts.classes, names=data)
    findings += terms.check_nodes(data_triples, merged, names=data)
    findings += terms.check_not_reflexive(data_triples, names=data)
    findings += literals.check(data_triples)
    links_of = shapes.derived(f"object properties {facts.key}",
                              lambda: links.object_properties(ontology_graph(), shapes.graph))
    findings += links.check(data_triples, links_of)

    # 3. quotes against the source texts
    findings += quotes.check(merged)

    report = ValidationReport(
        findings=[], files=[str(s.path) for s in sources], strict=strict,
        inference=inference, graph=merged, shapes=shapes.graph,
    )
    unique: dict[tuple, Finding] = {}
    for f in findings:
        unique.setdefault(f.key(), f)
    # data files first: a node is placed where the data describes it, not the ontology
    files = [s.path for s in sources if s.kind not in SHARED_KINDS] + [s.path for s in sources if s.kind in SHARED_KINDS]
    report.findings = sorted(where.locate(list(unique.values()), files, merged), key=report.sort_key)
    return report
