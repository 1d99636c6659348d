"""Validation document by document, with results cached by content (issue 6).

The seams: `units` (which files are validated together), `reads` (what the
shapes read backwards, which decides it), `context` (what a unit needs of other
documents), `results` (the cache on disk), `pool` (the worker processes).

`validate(sources)` gives the same report as ``validate(sources, engine="pyshacl")``
(plain pyshacl over the whole graph), with the SHACL shapes compiled to SPARQL on
Oxigraph (`defcoop.validation.shacl.compiled`), and, where it is exact, one document at a time:

* the *base* is the ontology and the shared reference data; every other file is a
  document. Documents that link to each other (one uses as object or describes a node
  another describes) form one *unit*; each unit is validated with the base, and its
  findings about its own nodes are kept; the findings about base nodes come from the
  base validated alone.
* That is the whole graph's answer only when no document can change what is found
  about the base or about another unit. `plan` checks it on every run, from a summary
  of each file (the IRIs it describes, the IRIs it links to, and the base nodes it
  reaches through a predicate that a shape reads backwards): a document that
  describes a base node, a base file that links into a document, or a document that
  reaches a base node through such a predicate, makes the whole graph one unit.
  Documents that all form one group are one unit too (the base unit would only add
  work): the project's letter and its entailed graph are.
* Each unit's findings (with what is needed to show them: labels, the blank-node
  path to them, prefixes) are cached on disk under a key made of the content of the
  unit's files, the base, the shapes, the imports and `VERSION`; re-validating after
  a change redoes only the units whose files changed.
"""

from __future__ import annotations

import dataclasses

from rdflib import BNode, Graph, URIRef

from defcoop.graph.files import Source
from defcoop.validation import schema
from defcoop.validation.incremental import pool, results
from defcoop.validation.incremental.pool import jobs_default
from defcoop.validation.incremental.results import directory
from defcoop.validation.incremental.units import BASE_KINDS, Units, plan
from defcoop.validation.memo import digest_files
from defcoop.validation.report.model import Finding, ValidationReport
from defcoop.validation.shapes.index import ShapesIndex

__all__ = ["validate", "plan", "Units", "jobs_default", "directory"]


def validate(sources: list[Source], shapes: ShapesIndex, *, strict: bool = False,
             jobs: int | None = None) -> ValidationReport:
    """The report of `defcoop.validation.whole.validate_whole` on all of ``sources``,
    computed unit by unit, each unit's findings from the cache where its files are unchanged."""
    with pool.Workers(jobs) as workers:
        units = plan(sources, shapes, workers)
        base = [s for s in sources if s.kind in BASE_KINDS]
        shared = digest_files([s.path for s in base] + schema.shapes_files() + schema.import_files())
        entries: list = []
        todo = []
        for i, unit in enumerate(units):
            files = sources if unit is Units.WHOLE else base + units.extra[i] + unit
            key = results.unit_key(shared, files)
            entry = results.load(key)
            if entry is None:
                todo.append((i, key, files))
            entries.append(entry)
        for (i, key), entry in zip(*_validated(todo, units, base, workers)):
            results.save(key, entry)
            entries[i] = entry
    if todo:
        results.prune()
    # the base's findings come from the first unit (the base with what documents say
    # about base nodes); every other unit adds those about its own nodes
    if units.split:
        base_subjects = units.base_subjects
        kept = [(entries[0], lambda root: isinstance(root, BNode) or str(root) in base_subjects)]
        kept += [(e, lambda root: isinstance(root, URIRef) and str(root) not in base_subjects)
                 for e in entries[1:]]
    else:
        kept = [(entries[0], lambda root: True)]
    out: list[Finding] = []
    seen: set = set()
    context = Graph()
    namespaces: list = []
    for e, mine in kept:
        for t in e["context"]:
            context.add(t)
        namespaces += e["namespaces"]
        for f, root in zip(e["findings"], e["roots"]):
            if not mine(root):
                continue
            f = dataclasses.replace(f, shape=shapes.node(f.shape), path=shapes.node(f.path))
            if f.key() not in seen:
                seen.add(f.key())
                out.append(f)
    for prefix, ns in namespaces:
        context.bind(prefix, ns, override=False)
    report = ValidationReport(
        findings=[], files=[str(s.path) for s in sources], strict=strict,
        graph=context, shapes=shapes.graph,
    )
    report.findings = sorted(out, key=report.sort_key)
    return report


def _validated(todo: list, units: Units, base: list[Source], workers: pool.Workers) -> tuple[list, list]:
    """((unit index, key) of every unit to do, its entry), the document units in
    batches (`pool.Batch`): those share the base and the hubs' context."""
    single = [(i, key, files) for i, key, files in todo if i == 0 or not units.split]
    grouped = [(i, key) for i, key, _ in todo if i > 0 and units.split]
    tasks = [pool.Batch(files, [[]]) for _, _, files in single]
    order = [(i, key) for i, key, _ in single]
    if grouped:
        sizes = [sum(_size(d) for d in units[i]) for i, _ in grouped]
        base_subjects = frozenset(units.base_subjects)
        for chosen in pool.batches(sizes, workers.jobs):
            common = base + units.extra[grouped[chosen[0]][0]]  # the same for every document unit
            tasks.append(pool.Batch(common, [units[grouped[k][0]] for k in chosen], base_subjects))
            order += [grouped[k] for k in chosen]
    found = [e for entries in pool.validate_batches(tasks, workers) for e in entries]
    return order, found


def _size(source: Source) -> int:
    try:
        return source.path.stat().st_size
    except OSError:
        return 0
