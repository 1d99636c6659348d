"""The cache of unit results on disk: keyed by the content of what a unit was validated
from, written whole or not at all, the least recently written pruned beyond `KEEP`.
`entry` makes a unit's report picklable: its findings (with blank nodes of the shapes
named by their signatures) and what is needed to show them."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from pathlib import Path
from typing import Any, Callable

from rdflib import BNode, Literal
from rdflib.namespace import RDF, RDFS, SKOS

from defcoop import cache
from defcoop.errors import DefcoopError
from defcoop.graph.export import write_atomic
from defcoop.validation.memo import digest_files
from defcoop.validation.report.model import ValidationReport
from defcoop.validation.shapes.index import ShapesIndex

#: what the cached results were computed by: the format of an entry (bump it when that
#: changes) and the digest of the validation code itself, so that an upgrade or an edit
#: of a check never reads results the code would no longer give
VERSION = "6-" + digest_files(sorted(Path(__file__).resolve().parents[1].rglob("*.py")))[:16]
#: cached unit results kept (the least recently written beyond this are removed)
KEEP = 4096


def memo(kind: str, parts: list, compute: Callable[[], Any]) -> Any:
    """``compute()``, cached on disk under a key made of ``parts`` (file contents among them)."""
    return memo_each(kind, [parts], lambda missing: [compute()])[0]


def memo_each(kind: str, parts: list[list], compute: Callable[[list[int]], list]) -> list:
    """`memo` of several values: those not on disk computed by one call, ``compute(indices)``
    (the indices of ``parts`` they are for), which may run them in parallel."""
    keys = [f"{kind}-" + hashlib.sha256(repr((VERSION, kind, one)).encode()).hexdigest()[:40] for one in parts]
    found = [load(key) for key in keys]
    missing = [i for i, value in enumerate(found) if value is None]
    if missing:
        for i, value in zip(missing, compute(missing)):
            save(keys[i], value)
            found[i] = value
    return found


def unit_key(shared: str, files) -> str:
    """The cache key of a unit: the content of the files it is validated from, and the
    base, shapes and imports (``shared``)."""
    h = hashlib.sha256(f"validate {VERSION} {shared}\n".encode())
    h.update(digest_files([f.path for f in files]).encode())
    return h.hexdigest()[:40]


def directory() -> Path:
    """Where unit results are cached: beside the engine's cache (whose pruning treats
    every folder in it as one of its entries)."""
    root = cache.directory()
    return root.with_name(root.name + "-validation")


def load(key: str):
    if not cache.enabled():
        return None
    try:
        with open(directory() / f"{key}.pickle", "rb") as f:
            return pickle.load(f)
    except Exception:  # missing, half-written by a crash, from another version: redo
        return None


def save(key: str, entry: dict) -> None:
    if not cache.enabled():
        return
    folder = directory()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # readers see a whole file or none
        write_atomic(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL), folder / f"{key}.pickle")
    except (OSError, DefcoopError):
        pass  # a read-only cache: validate without it


def prune() -> None:
    """Beyond `KEEP` entries, the least recently written removed (down to half of it).
    Once per validation, not per entry: listing the folder costs as much as saving."""
    if not cache.enabled():
        return
    try:
        entries = list(directory().glob("*.pickle"))
        if len(entries) > KEEP:
            entries.sort(key=lambda p: p.stat().st_mtime)
            for old in entries[: len(entries) - KEEP // 2]:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache, or an entry another process removed first


def entry(report: ValidationReport, shapes: ShapesIndex) -> dict:
    """A unit's findings and what `ValidationReport.rows` needs to show them."""
    g = report.graph
    context: set = set()
    roots: list = []
    for f in report.findings:
        for p in (RDFS.label, SKOS.prefLabel):
            for o in g.objects(f.focus, p):
                if isinstance(o, Literal):
                    context.add((f.focus, p, o))
        root, way = _way_up(g, f.focus)
        context |= way
        roots.append(root)
    return {
        "findings": [
            dataclasses.replace(f, shape=shapes.signature(f.shape), path=shapes.signature(f.path))
            for f in report.findings
        ],
        "roots": roots,
        "context": context,
        "namespaces": [(p, str(ns)) for p, ns in g.namespaces()],
    }


def roots(report: ValidationReport) -> list:
    """Each finding's root: its focus node, or for a blank node the IRI it hangs from."""
    return [_way_up(report.graph, f.focus)[0] for f in report.findings]


def _way_up(g, focus) -> tuple:
    """(the root of ``focus``, the triples from it down to ``focus`` and the types of the
    blank nodes on the way), at most six links up."""
    way: set = set()
    root = current = focus
    for _ in range(6):
        if not isinstance(current, BNode):
            break
        way.update(g.triples((current, RDF.type, None)))
        parents = list(g.subject_predicates(current))
        way.update((s, link, current) for s, link in parents)
        if not parents:
            break
        current = parents[0][0]
        root = current
    return root, way
