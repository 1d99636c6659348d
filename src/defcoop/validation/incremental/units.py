"""Which files are validated together: `plan` splits the sources into units."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF

from defcoop.graph.files import Source
from defcoop.validation.incremental import context, reads, results
from defcoop.validation.incremental.pool import PARALLEL_FILES, Workers
from defcoop.validation.memo import digest_files
from defcoop.validation.shapes.index import ShapesIndex

BASE_KINDS = ("ontology", "reference")


class Units(list):
    """The units to validate. Split: the first is the base (with what documents say
    about base nodes), then one per group of linked documents; ``extra[i]`` are the
    generated files unit i is validated with. Not split: one unit, the whole graph."""

    WHOLE = ()
    split = True
    extra: list = []
    base_subjects: set = set()


def plan(sources: list[Source], shapes: ShapesIndex | None = None, workers: Workers | None = None) -> Units:
    """Which files are validated together (see the package's docstring); the files'
    summaries and contexts not in the cache computed by ``workers`` (default: here)."""
    shapes = ShapesIndex.load() if shapes is None else shapes
    workers = Workers(1) if workers is None else workers
    base = [s for s in sources if s.kind in BASE_KINDS]
    docs = [s for s in sources if s.kind not in BASE_KINDS]
    whole = Units([Units.WHOLE])
    whole.split = False
    whole.extra = [[]]
    if len(docs) <= 1:
        return whole
    at_focus, midway = reads.backward_predicates(shapes)
    found = dict(zip(sources, summarise([s.path for s in sources], at_focus, midway, workers)))
    summaries: dict[Source, dict] = {s: m for s, m in found.items() if m is not None}
    if len(summaries) < len(found):
        return whole  # a file that does not parse: the whole run names it
    base_subjects = set().union(*(summaries[s]["subjects"] for s in base)) if base else set()
    base_objects = set().union(*(summaries[s]["objects"] for s in base)) if base else set()
    hubs: set = set()  # base nodes documents describe or reach backwards from a focus
    for d in docs:
        m = summaries[d]
        if (m["subjects"] & base_objects) - base_subjects or m["midway"] & base_subjects or m["orphans"]:
            return whole
        hubs |= (m["subjects"] | m["at_focus"]) & base_subjects
    # documents linked to each other validate together (union-find over non-base nodes)
    parent = {d: d for d in docs}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict = {}
    for d in docs:
        for node in summaries[d]["subjects"] - base_subjects:
            if node in owner:
                parent[find(d)] = find(owner[node])
            else:
                owner[node] = d
    for d in docs:
        for node in summaries[d]["objects"] - base_subjects:
            other = owner.get(node)
            if other is not None and other != d:
                parent[find(d)] = find(other)
    groups: dict = {}
    for d in docs:
        groups.setdefault(find(d), []).append(d)
    if len(groups) == 1:
        # one group of documents: its unit would hold every file anyway, and the base
        # unit, the hubs' context and a second process would only add work (the
        # project's letter and its entailed graph are one group)
        return whole
    # what documents say about hub nodes: every unit needs it (X); the base unit also
    # needs, from each document, what a shape on a hub node reads (X')
    extra = []
    if hubs:
        described, reached = context.hub_context(shapes, docs, hubs, at_focus, midway, workers)
        doc_nodes = set().union(*(summaries[d]["subjects"] for d in docs)) - base_subjects
        if described is None or any(
            getattr(t.object, "value", None) in doc_nodes for t in described
        ):  # a hub's description links into a document: its shapes would read that document
            return whole
        x = context.write_context(described, "described")
        x2 = context.write_context(described + reached, "reached")
        extra = [[x2]] + [[x]] * len(groups)
    else:
        extra = [[]] * (len(groups) + 1)
    units = Units([[]] + sorted(groups.values(), key=lambda g: str(g[0].path)))
    units.extra = extra
    units.base_subjects = base_subjects
    return units


def summarise(paths: list[Path], at_focus: set[str], midway: set[str], workers: Workers) -> list[dict | None]:
    """What each file describes and links to (None if it does not parse); cached by content."""
    parts = [[digest_files([p]), sorted(at_focus), sorted(midway)] for p in paths]
    return results.memo_each("summary", parts, lambda missing: workers.map(
        _summary_task, [(paths[i], at_focus, midway) for i in missing], least=PARALLEL_FILES))


def _summary_task(args: tuple) -> dict | None:
    return _summary_now(*args)


def _summary_now(path: Path, at_focus: set[str], midway: set[str]) -> dict | None:
    try:
        triples = context.parse(path)
    except (SyntaxError, OSError, ValueError):
        return None
    out: dict = {k: set() for k in ("subjects", "objects", "at_focus", "midway")}
    bnode_subjects: set = set()
    bnode_objects: set = set()
    rdf_type = str(RDF.type)
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            out["subjects"].add(t.subject.value)
        else:
            bnode_subjects.add(t.subject)
        o, p = t.object, t.predicate.value
        if isinstance(o, ox.NamedNode) and p != rdf_type:
            out["objects"].add(o.value)
            if p in at_focus:
                out["at_focus"].add(o.value)
            if p in midway:
                out["midway"].add(o.value)
        elif isinstance(o, ox.BlankNode):
            bnode_objects.add(o)
    out["orphans"] = bool(bnode_subjects - bnode_objects)
    return out

