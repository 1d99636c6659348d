"""Validation document by document, with results cached by content (issue 6).

`validate(sources)` gives the same report as ``validate(sources, engine="pyshacl")``
(plain pyshacl over the whole graph), with the SHACL shapes compiled to SPARQL on
Oxigraph (`defcoop.shacl_oxigraph`), and, where it is exact, one document at a time:

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
  (The project's own letter does all three: it describes id:BENESAM and annotates it,
  so today the project and corpora generated from it are validated as one unit.)
* Each unit's findings (with what is needed to show them: labels, the blank-node
  path to them, prefixes) are cached on disk under a key made of the content of the
  unit's files, the base, the shapes, the imports and `VERSION`; re-validating after
  a change redoes only the units whose files changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import re
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from . import cache, terms
from .graph import Source
from .terms import SH

#: bump when what is cached changes
VERSION = "1"
_BASE_KINDS = ("ontology", "reference")
#: cached unit results kept (the least recently written beyond this are removed)
KEEP = 4096


def validate(sources: list[Source], *, strict: bool = False, inference: str = "none"):
    from .validate import ValidationReport, _validate_whole, sort_key

    if inference != "none":  # a closure is of the whole graph
        return _validate_whole(sources, strict=strict, inference=inference, engine="oxigraph-whole")
    units = plan(sources)
    base = [s for s in sources if s.kind in _BASE_KINDS]
    shared = _digest_files([s.path for s in base] + terms.shapes_files() + terms.import_files())
    findings, context, namespaces = [], Graph(), []
    base_nodes = None
    for unit in units:
        key = _key(shared, unit, sources)
        entry = _load(key)
        if entry is None:
            report = _validate_whole(base + unit if unit is not units.WHOLE else sources,
                                     strict=strict, inference="none", engine="oxigraph-whole")
            entry = _entry(report)
            _save(key, entry)
        findings.append(entry)
    # the base's own findings come from the base alone; each unit adds those about its nodes
    out, seen = [], set()
    if units.split:
        base_entry = findings[0]
        base_subjects = base_entry["subjects"]
        kept = [base_entry] + [
            {**e, "findings": [f for f, name_root in zip(e["findings"], e["roots"]) if name_root not in base_subjects]}
            for e in findings[1:]
        ]
    else:
        kept = findings
    shapes = _shapes()
    nodes = _signatures(shapes)
    for e in kept:
        e["findings"] = [
            dataclasses.replace(f, shape=nodes.get(f.shape, f.shape), path=nodes.get(f.path, f.path))
            for f in e["findings"]
        ]
        for t in e["context"]:
            context.add(t)
        namespaces += e["namespaces"]
        for f in e["findings"]:
            k = (f.focus, f.path, f.value, f.shape, f.component, f.message)
            if k not in seen:
                seen.add(k)
                out.append(f)
    for prefix, ns in namespaces:
        context.bind(prefix, ns, override=False)
    report = ValidationReport(
        findings=[], files=[str(s.path) for s in sources], strict=strict, inference=inference,
        graph=context, shapes=shapes,
    )
    report.findings = sorted(out, key=lambda f: sort_key(report, f))
    return report


# -- which files are validated together ------------------------------------------------------


class Units(list):
    """The units to validate, base first when ``split``; else one unit, the whole graph."""

    WHOLE = ()
    split = True


def plan(sources: list[Source]) -> Units:
    base = [s for s in sources if s.kind in _BASE_KINDS]
    docs = [s for s in sources if s.kind not in _BASE_KINDS]
    whole = Units([Units.WHOLE])
    whole.split = False
    if len(docs) <= 1:
        return whole
    back = _backward_predicates()
    summaries = {s: _summary(s.path, back) for s in sources}
    base_subjects = set().union(*(summaries[s][0] for s in base)) if base else set()
    base_objects = set().union(*(summaries[s][1] for s in base)) if base else set()
    for d in docs:
        subjects, objects, reached = summaries[d]
        if subjects & base_subjects or subjects & base_objects or reached & base_subjects:
            return whole
    # documents linked to each other validate together (union-find)
    parent = {d: d for d in docs}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner = {}
    for d in docs:
        for node in summaries[d][0]:
            if node in owner:
                parent[find(d)] = find(owner[node])
            else:
                owner[node] = d
    for d in docs:
        for node in summaries[d][1]:
            other = owner.get(node)
            if other is not None and other != d:
                parent[find(d)] = find(other)
    groups: dict = {}
    for d in docs:
        groups.setdefault(find(d), []).append(d)
    units = Units([[]] + sorted(groups.values(), key=lambda g: str(g[0].path)))
    return units


def _backward_predicates() -> set[str]:
    """Predicates a shape reads from object to subject: those of inverse paths, and in
    the SHACL-SPARQL queries those under ``^`` and those whose object is ``$this``
    (the ways our queries walk backwards; a query that binds a subject through a
    FILTER would need adding here)."""
    g = Graph()
    for p in terms.shapes_files():
        g.parse(p)
    out = set()
    for path in g.objects(None, SH.inversePath):
        out |= {str(x) for x in _iris(g, path)}
    prefixes = {str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace)) for d in g.objects(None, SH.declare)}
    for q in g.objects(None, SH.select):
        text = str(q)
        out |= set(re.findall(r"\^\s*<([^<>\s]+)>", text))
        out |= set(re.findall(r"<([^<>\s]+)>\s*[$?]this\b", text))
        names = re.findall(r"\^\s*([A-Za-z][\w-]*):([\w-]+)", text)
        names += re.findall(r"\b([A-Za-z][\w-]*):([\w-]+)\s*[$?]this\b", text)
        for prefix, local in names:
            out.add(prefixes.get(prefix, prefix + ":") + local)
    return out


def _iris(g: Graph, node):
    if isinstance(node, URIRef):
        yield node
    elif isinstance(node, BNode):
        for o in g.objects(node, None):
            yield from _iris(g, o)


def _summary(path: Path, back: set[str]) -> tuple[set, set, set]:
    """(IRIs described, IRIs linked to, IRIs reached through a backward-read predicate)."""
    import pyoxigraph as ox

    from .engine import _OX_FORMATS, _base_iri, _format_name

    subjects, objects, reached = set(), set(), set()
    try:
        quads = ox.parse(path=str(path), format=_OX_FORMATS[_format_name(path)], base_iri=_base_iri(path))
        for q in quads:
            if isinstance(q.subject, ox.NamedNode):
                subjects.add(q.subject.value)
            o = q.object
            if isinstance(o, ox.NamedNode) and q.predicate.value != str(RDF.type):
                objects.add(o.value)
                if q.predicate.value in back:
                    reached.add(o.value)
    except (SyntaxError, OSError, ValueError):
        pass  # the validation of the whole unit names the file and line
    return subjects, objects, reached


# -- the cache ------------------------------------------------------------------------------


def _digest_files(paths) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p).encode() + b"\0")
        try:
            h.update(Path(p).read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


def _key(shared: str, unit, sources) -> str:
    """The cache key of a unit: its files' content (all files for the whole graph), and
    the base, shapes and imports (``shared``)."""
    files = [s.path for s in (unit if unit is not Units.WHOLE else sources)]
    h = hashlib.sha256(f"validate {VERSION} {shared} {unit is Units.WHOLE}\n".encode())
    h.update(_digest_files(files).encode())
    return h.hexdigest()[:40]


def directory() -> Path:
    """Where unit results are cached: beside the engine's cache (whose pruning treats
    every folder in it as one of its entries)."""
    root = cache.directory()
    return root.with_name(root.name + "-validation")


def _load(key: str):
    if not cache.enabled():
        return None
    try:
        with open(directory() / f"{key}.pickle", "rb") as f:
            return pickle.load(f)
    except Exception:  # missing, half-written by a crash, from another version: redo
        return None


def _save(key: str, entry: dict) -> None:
    if not cache.enabled():
        return
    folder = directory()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            pickle.dump(entry, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pickle")  # readers see a whole file or none
        entries = list(folder.glob("*.pickle"))
        if len(entries) > KEEP:
            entries.sort(key=lambda p: p.stat().st_mtime)
            for old in entries[: len(entries) - KEEP // 2]:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache: validate without it


def _entry(report) -> dict:
    """A unit's findings and what `ValidationReport.rows` needs to show them."""
    g = report.graph
    context = set()
    roots = []
    for f in report.findings:
        for node in (f.focus,):
            for p in (RDFS.label, SKOS.prefLabel):
                for o in g.objects(node, p):
                    if isinstance(o, Literal):
                        context.add((node, p, o))
        root = f.focus
        current = f.focus
        for _ in range(6):
            if not isinstance(current, BNode):
                break
            for t in g.triples((current, RDF.type, None)):
                context.add(t)
            parents = list(g.subject_predicates(current))
            for s, p in parents:
                context.add((s, p, current))
            if not parents:
                break
            current = parents[0][0]
            root = current
        roots.append(str(root))
    subjects = {str(s) for s in g.subjects() if isinstance(s, URIRef)}
    names = {}
    for node in set(report.shapes.subjects()) | set(report.shapes.objects(None, SH.path)):
        if isinstance(node, BNode):
            names[node] = _signature(report.shapes, node)
    return {
        "findings": [
            dataclasses.replace(f, shape=names.get(f.shape, f.shape), path=names.get(f.path, f.path))
            for f in report.findings
        ],
        "roots": roots,
        "context": context,
        "namespaces": [(p, str(ns)) for p, ns in g.namespaces()],
        "subjects": subjects,
    }


# -- shapes: blank nodes differ from one parse to the next -----------------------------------

_SHAPES: dict = {}


def _shapes() -> Graph:
    """The shapes graph, parsed once per process (keyed by the files' content)."""
    key = _digest_files(terms.shapes_files())
    g = _SHAPES.get(key)
    if g is None:
        from .graph import parse_into

        g = Graph()
        for p in terms.shapes_files():
            parse_into(g, p)
        _SHAPES.clear()
        _SHAPES[key] = g
    return g


def _signature(shapes: Graph, node) -> tuple:
    """A name for a blank node of the shapes graph that does not change between parses:
    a path by its SPARQL form, a shape by its parent, path and plain statements."""
    from .validate import _path_name

    if (None, SH.path, node) in shapes and (node, SH.path, None) not in shapes:
        return ("path", _path_name(node, shapes))
    parents = sorted(str(p) for p in shapes.subjects(SH.property, node))
    path = shapes.value(node, SH.path)
    plain = sorted((str(p), str(o)) for p, o in shapes.predicate_objects(node) if not isinstance(o, BNode))
    return ("shape", tuple(parents), _path_name(path, shapes) if path is not None else "", tuple(plain))


def _signatures(shapes: Graph) -> dict:
    out = {}
    for node in set(shapes.subjects()) | set(shapes.objects(None, SH.path)):
        if isinstance(node, BNode):
            out.setdefault(_signature(shapes, node), node)
    return out
