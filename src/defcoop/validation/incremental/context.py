"""What a unit needs of other documents: the triples documents state about *hub* nodes
(base nodes they describe or link to backwards) and what a shape on a hub reads of the
documents beyond them, as content-addressed N-Triples files (`write_context`)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from defcoop import cache
from defcoop.graph.export import write_atomic
from defcoop.graph.files import Source
from defcoop.graph import rdf_formats
from defcoop.graph.files import base_iri, rdf_format
from defcoop.validation.incremental import reads, results
from defcoop.validation.incremental.pool import PARALLEL_FILES, Workers
from defcoop.validation.memo import digest_files
from defcoop.validation.shapes.index import ShapesIndex


def parse(path: Path) -> list:
    """The triples of a file, by pyoxigraph."""
    return [q.triple for q in ox.parse(path=str(path), format=rdf_formats.by_rdflib_name(rdf_format(path)).for_oxigraph(),
                                        base_iri=base_iri(path))]


def hub_context(shapes: ShapesIndex, docs, hubs: set[str], at_focus: set[str], midway: set[str],
                workers: Workers | None = None):
    """(triples documents state about hub nodes; the triples a shape on a hub node reads
    beyond them: from each node that links to a hub through an ``at_focus`` predicate,
    everything reachable forwards within its document, and backwards through the
    ``midway`` predicates). None if a hub's description holds a blank node. Each
    document's part not in the cache is computed by ``workers`` (default: here)."""
    workers = Workers(1) if workers is None else workers
    typed, single = reads.backward(shapes)[2:]
    readable = reads.readable(shapes)
    parts = [[digest_files([d.path]), sorted(hubs), sorted(at_focus), sorted(midway),
              sorted(typed), sorted(single), sorted(readable or ["*"]), shapes.digest] for d in docs]

    def compute(missing: list[int]) -> list:
        walks = reads.walks(shapes)
        return workers.map(_hub_task, [(docs[i], hubs, at_focus, midway, typed, single, readable, walks)
                                       for i in missing], least=PARALLEL_FILES)

    described, reached = [], []
    for one in results.memo_each("hubs", parts, compute):
        if one is None:
            return None, None
        described += _triples(one[0])
        reached += _triples(one[1])  # one parse per document: its blank nodes stay one
    return described, reached


def _hub_task(args: tuple):
    return _hub_context_now(*args)


def _triples(lines: list[str]) -> list:
    data = "\n".join(lines).encode()
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)] if lines else []


def _hub_context_now(d, hubs, at_focus, midway, typed=frozenset(), single=frozenset(),
                     readable=None, walks=None):
    """One document's part of `_hub_context`, as N-Triples lines (picklable). A node
    (an IRI) that links to a hub through a ``typed`` predicate gives only the link and
    its types (with their rdfs:subClassOf chains in the document): all that the shapes
    reading that predicate check of it. A node (an IRI) that links to a hub through a
    predicate in ``walks`` gives the link, its types, and what the SHACL-SPARQL queries
    that read the predicate can reach from it along their own patterns
    (`defcoop.validation.incremental.query_reach`). From any other linking node, everything reachable: the walk
    does not follow the ``single`` predicates (to the other nodes an annotation is
    about), nor any predicate no shape reads (``readable``; None: every predicate)."""
    rdf_type, sub_class = str(RDF.type), str(RDFS.subClassOf)

    described, reached = [], []
    triples = parse(d.path)
    by_subject: dict = {}
    by_object: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
        by_object.setdefault(t.object, []).append(t)
    frontier = []
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value in hubs:
            if isinstance(t.object, ox.BlankNode):
                return None
            described.append(t)
        if (isinstance(t.object, ox.NamedNode) and t.object.value in hubs
                and t.predicate.value in at_focus):
            walked = None
            if walks and t.predicate.value in walks and isinstance(t.subject, ox.NamedNode):
                walked = _query_walk(t.subject, walks[t.predicate.value], by_subject, by_object)
            if (t.predicate.value in typed or walked is not None) and isinstance(t.subject, ox.NamedNode):
                reached.append(t)
                classes, typing = [t.subject], set()
                while classes:
                    for u in by_subject.get(classes.pop(), []):
                        if u.predicate.value in (rdf_type, sub_class) and u not in typing:
                            typing.add(u)
                            classes.append(u.object)
                reached += typing  # duplicates across linking nodes go in _write_context
                reached += walked or []
            else:
                frontier.append(t.subject)
    seen = set()
    while frontier:
        node = frontier.pop()
        if node in seen or (isinstance(node, ox.NamedNode) and node.value in hubs):
            continue
        seen.add(node)
        for t in by_subject.get(node, []):
            if readable is not None and t.predicate.value not in readable:
                continue
            if t.predicate.value in single and not (
                isinstance(t.object, ox.NamedNode) and t.object.value in hubs
            ):
                continue
            reached.append(t)
            if t.object in by_subject:
                frontier.append(t.object)
        for t in by_object.get(node, []):
            if t.predicate.value in midway:
                reached.append(t)
                frontier.append(t.subject)
    return [str(t) + " ." for t in described], [str(t) + " ." for t in reached]


def _query_walk(start, readers, by_subject, by_object) -> list | None:
    """What the queries in ``readers`` reach from ``start`` in one document, or None if
    that would leave a blank node whose parent is not in it (the base unit would check
    it, with only part of its triples, as a node of its own)."""
    passed: list = []
    for reader, var in readers:
        passed += reader.reach(start, var, by_subject, by_object)
    objects = {t.object for t in passed}
    subjects = {t.subject for t in passed}
    if any(isinstance(n, ox.BlankNode) and n not in objects for n in subjects):
        return None
    return list(dict.fromkeys(passed))


def write_context(triples, name: str) -> Source:
    """Triples written to a content-addressed N-Triples file in the cache folder."""
    data = ox.serialize(sorted(set(triples), key=str), format=ox.RdfFormat.N_TRIPLES) or b""
    digest = hashlib.sha256(data).hexdigest()[:32]
    folder = results.directory() if cache.enabled() else Path(tempfile.gettempdir()) / "defcoop-validation"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"hubs-{name}-{digest}.nt"
    if not path.exists():
        write_atomic(data, path)
    return Source(path, URIRef(f"https://w3id.org/defcoop/graph/hubs/{name}"), "reference")


# -- the cache ------------------------------------------------------------------------------
