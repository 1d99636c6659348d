"""Validation document by document, with results cached by content (issue 6).

`validate(sources)` gives the same report as ``validate(sources, engine="pyshacl")``
(plain pyshacl over the whole graph), with the SHACL shapes compiled to SPARQL on
Oxigraph (`defcoop.validation.compiled`), and, where it is exact, one document at a time:

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
import tempfile
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SKOS

from defcoop import cache
from defcoop.validation import terms
from defcoop.errors import DefcoopError
from defcoop.graph.files import Source
from defcoop.validation.terms import SH

#: bump when what is cached changes
VERSION = "3"
_BASE_KINDS = ("ontology", "reference")
#: cached unit results kept (the least recently written beyond this are removed)
KEEP = 4096


def validate(sources: list[Source], *, strict: bool = False, inference: str = "none",
             jobs: int | None = None):
    from defcoop.validation.validate import ValidationReport, _validate_whole, sort_key

    if inference != "none":  # a closure is of the whole graph
        return _validate_whole(sources, strict=strict, inference=inference, engine="oxigraph-whole")
    units = plan(sources)
    base = [s for s in sources if s.kind in _BASE_KINDS]
    shared = _digest_files([s.path for s in base] + terms.shapes_files() + terms.import_files())
    entries, todo = [], []
    for i, unit in enumerate(units):
        files = sources if unit is Units.WHOLE else base + units.extra[i] + unit
        key = _key(shared, files)
        entry = _load(key)
        if entry is None:
            todo.append((i, key, files))
        entries.append(entry)
    for (i, key, _), entry in zip(todo, _validate_units([files for _, _, files in todo], jobs)):
        _save(key, entry)
        entries[i] = entry
    # the base's findings come from the first unit (the base with what documents say
    # about base nodes); every other unit adds those about its own nodes
    if units.split:
        base_subjects = units.base_subjects
        kept = [(entries[0], lambda root: isinstance(root, BNode) or str(root) in base_subjects)]
        kept += [(e, lambda root: isinstance(root, URIRef) and str(root) not in base_subjects)
                 for e in entries[1:]]
    else:
        kept = [(entries[0], lambda root: True)]
    shapes = _shapes()
    nodes = _signatures(shapes)
    out, seen, context, namespaces = [], set(), Graph(), []
    for e, mine in kept:
        for t in e["context"]:
            context.add(t)
        namespaces += e["namespaces"]
        for f, root in zip(e["findings"], e["roots"]):
            if not mine(root):
                continue
            f = dataclasses.replace(f, shape=nodes.get(f.shape, f.shape), path=nodes.get(f.path, f.path))
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


def _validate_unit(files: list[Source]) -> dict:
    """One unit's findings (and what is needed to show them), in a picklable entry."""
    import logging

    from defcoop.validation.validate import _validate_whole

    # rdflib logs a traceback for every ill-typed literal; the report names them
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

    return _entry(_validate_whole(files, strict=False, inference="none", engine="oxigraph-whole"))


def jobs_default() -> int:
    """Worker processes for a split validation: ``$DEFCOOP_JOBS``, else the CPUs this
    process may run on."""
    text = os.environ.get("DEFCOOP_JOBS", "").strip()
    if text:
        try:
            return max(1, int(text))
        except ValueError:
            raise DefcoopError(f"DEFCOOP_JOBS: not a number of processes: {text!r}") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _validate_units(todo: list[list[Source]], jobs: int | None) -> list[dict]:
    """Each unit's entry, in order; the units in parallel processes where there are
    several and more than one CPU (each unit is independent of the others)."""
    jobs = min(jobs_default() if jobs is None else max(1, jobs), len(todo))
    if jobs <= 1:
        return [_validate_unit(files) for files in todo]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: a clean interpreter per worker (no copy of this process's threads);
    # a worker parses the shared files once and reuses them for every unit it gets
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_validate_unit, todo, chunksize=1))


# -- which files are validated together ------------------------------------------------------


class Units(list):
    """The units to validate. Split: the first is the base (with what documents say
    about base nodes), then one per group of linked documents; ``extra[i]`` are the
    generated files unit i is validated with. Not split: one unit, the whole graph."""

    WHOLE = ()
    split = True
    extra: list = []
    base_subjects: set = set()


def plan(sources: list[Source]) -> Units:
    base = [s for s in sources if s.kind in _BASE_KINDS]
    docs = [s for s in sources if s.kind not in _BASE_KINDS]
    whole = Units([Units.WHOLE])
    whole.split = False
    whole.extra = [[]]
    if len(docs) <= 1:
        return whole
    at_focus, midway = _backward_predicates()
    summaries = {s: _summary(s.path, at_focus, midway) for s in sources}
    if any(summaries[s] is None for s in sources):
        return whole  # a file that does not parse: the whole run names it
    base_subjects = set().union(*(summaries[s]["subjects"] for s in base)) if base else set()
    base_objects = set().union(*(summaries[s]["objects"] for s in base)) if base else set()
    hubs = set()  # base nodes documents describe or reach backwards from a focus
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

    owner = {}
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
    # what documents say about hub nodes: every unit needs it (X); the base unit also
    # needs, from each document, what a shape on a hub node reads (X')
    extra = []
    if hubs:
        described, reached = _hub_context(docs, hubs, at_focus, midway)
        doc_nodes = set().union(*(summaries[d]["subjects"] for d in docs)) - base_subjects
        if described is None or any(
            getattr(t.object, "value", None) in doc_nodes for t in described
        ):  # a hub's description links into a document: its shapes would read that document
            return whole
        x = _write_context(described, "described")
        x2 = _write_context(described + reached, "reached")
        extra = [[x2]] + [[x]] * len(groups)
    else:
        extra = [[]] * (len(groups) + 1)
    units = Units([[]] + sorted(groups.values(), key=lambda g: str(g[0].path)))
    units.extra = extra
    units.base_subjects = base_subjects
    return units


def _backward_predicates() -> tuple[set[str], set[str]]:
    """Predicates shapes read from object to subject: (from the focus node: inverse
    paths of top-level property shapes, ``?x p $this`` in SHACL-SPARQL; further on:
    inverse paths of nested shapes, ``^p`` in SHACL-SPARQL). A query that binds a
    subject through a FILTER would need adding here."""
    return _backward()[:2]


def _declared_prefixes(g: Graph) -> dict[str, str]:
    """The prefixes the shapes graph declares for its SHACL-SPARQL queries (sh:declare)."""
    return {str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace)) for d in g.objects(None, SH.declare)}


def _iris(text: str, prefixes: dict[str, str], after: str = "", before: str = "") -> set[str]:
    """The IRIs a query text writes (``<...>`` or ``prefix:local``) between the regular
    expressions ``after`` and ``before``."""
    found = set(re.findall(after + r"<([^<>\s]+)>" + before, text))
    found |= {prefixes.get(p, p + ":") + local
              for p, local in re.findall(after + r"\b([A-Za-z][\w-]*):([\w-]+)" + before, text)}
    return found


#: a predicate written just before the focus node of a SHACL-SPARQL query
_BEFORE_THIS = r"\s*[$?]this\b"


def _backward() -> tuple[set[str], set[str], set[str], set[str]]:
    """`_backward_predicates`; the *typed* ones among those read from the focus (every
    shape that reads them checks of each value node no more than its types (sh:class)
    and the term itself (sh:datatype, sh:nodeKind, ...), and counts them); and the
    *single-link* ones (``?x p $this`` is all a SHACL-SPARQL query reads of ``p``, and
    the core shapes that read it are typed: from a node that links to a hub, ``p``
    leads nowhere a shape on the hub looks)."""
    g = _shapes()
    at_focus, midway, deep = _core_backward()
    prefixes = _declared_prefixes(g)
    sparql_read, texts = set(), []
    for q in g.objects(None, SH.select):
        text = str(q)
        midway |= _iris(text, prefixes, after=r"\^\s*")
        found = _iris(text, prefixes, before=_BEFORE_THIS)
        at_focus |= found
        sparql_read |= found
        texts.append(text)
    single = set()
    for pred in sparql_read - deep:
        names = [re.escape(pred)] + [
            re.escape(f"{prefix}:{pred[len(ns):]}") for prefix, ns in prefixes.items()
            if pred.startswith(ns) and re.fullmatch(r"[\w-]+", pred[len(ns):])
        ]
        pattern = "|".join(f"<{n}>" if i == 0 else n for i, n in enumerate(names))
        anywhere = sum(len(re.findall(rf"(?:{pattern})(?![\w-])", t)) for t in texts)
        as_link = sum(len(re.findall(rf"(?:{pattern}){_BEFORE_THIS}", t)) for t in texts)
        if anywhere == as_link:
            single.add(pred)
    # a query may read anything of the linking node: never typed only
    return at_focus, midway, at_focus - deep - sparql_read, single


def _walks() -> dict:
    """For each predicate that SHACL-SPARQL queries read as ``?x p $this`` (and no core
    shape reads but as a typed value): the queries' readers and the variable ``?x``
    (`defcoop.validation.query_reach`). A predicate whose queries cannot all be followed is left
    out (its linking nodes get the walk through everything)."""
    from defcoop.validation import query_reach
    from defcoop.validation.sparql_constraints import select_text, split

    key = _shapes_digest()
    found = _WALKS.get(key)
    if found is not None:
        return found
    g = _shapes()
    _, sparql = split(g)
    prefixes = _declared_prefixes(g)
    readers, unfollowable = [], set(_core_backward()[2])
    for c in sparql:
        text = select_text(c)
        r = query_reach.reader(text, dict(c.prefixes))
        # what the text says it links to $this (as `_backward` reads it): the reader
        # must have found every one, or those predicates are walked the long way
        said = _iris(text, prefixes, before=_BEFORE_THIS)
        found = {pred for pred, _ in r.links()} if r is not None else set()
        unfollowable |= said - found
        if r is not None:
            readers.append(r)
        else:
            unfollowable |= said
    out: dict = {}
    for r in readers:
        for pred, var in r.links():
            if pred not in unfollowable:
                out.setdefault(pred, []).append((r, var))
    _WALKS.clear()
    _WALKS[key] = out
    return out


_WALKS: dict = {}


def _core_backward() -> tuple[set[str], set[str], set[str]]:
    """What the core shapes read backwards: (predicates of inverse paths at the focus
    of top-level property shapes; of other inverse paths; those of either kind read
    other than as a typed value)."""
    g = _shapes()
    at_focus, midway, deep = set(), set(), set()
    tops = {s for t in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
            for s in g.subjects(t, None)}
    top_props = {p for s in tops for p in g.objects(s, SH.property)}
    for prop, path in g.subject_objects(SH.path):
        for inv in _inverses(g, path):
            at_top = prop in top_props and path == inv[0]
            (at_focus if at_top else midway).add(str(inv[1]))
            if not at_top or set(g.predicates(prop, None)) - _TYPED_ONLY:
                deep.add(str(inv[1]))
    return at_focus, midway, deep




def _readable() -> set[str] | None:
    """Every predicate a shape can read (in a path, in a SHACL-SPARQL query; rdf:type
    and rdfs:subClassOf for sh:class): a triple with any other predicate changes no
    finding. None if a shape may read every predicate of a node (sh:closed, a
    variable predicate or a negated property set in a query)."""
    g = _shapes()
    if (None, SH.closed, None) in g:
        return None
    out = {str(o) for o in g.objects() if isinstance(o, URIRef)}
    out |= {str(RDF.type), str(RDFS.subClassOf), str(RDF.first), str(RDF.rest)}
    prefixes = _declared_prefixes(g)
    for q in g.objects(None, SH.select):
        text = str(q)
        body = text[text.upper().find("WHERE"):] if "WHERE" in text.upper() else text
        body = re.sub(r"(?i)\bSELECT\b[^{]*", "", body)  # projections of subqueries
        if re.search(r"[?$]\w+\s+[?$]\w+\s+[^\s.;,}]", body) or re.search(r"[\s/|(^]!\s*[<(A-Za-z]", body):
            return None
        out |= _iris(text, prefixes)
    return out


#: what a property shape may say for its value nodes to need no more than their types
_TYPED_ONLY = {
    RDF.type, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
    RDFS.comment, RDFS.label, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind,
    SH["in"], SH.hasValue, SH.pattern, SH.flags, SH.languageIn, SH.minInclusive, SH.uniqueLang,
}


def _inverses(g: Graph, path):
    """(path node, predicate) of every sh:inversePath inside a path."""
    if isinstance(path, BNode):
        inv = g.value(path, SH.inversePath)
        if isinstance(inv, URIRef):
            yield (path, inv)
        for o in g.objects(path, None):
            if isinstance(o, BNode):
                for _, inner in _inverses(g, o):
                    yield (None, inner)  # nested: not at the focus
        if (path, RDF.first, None) in g:
            for member in Collection(g, path):
                for _, inner in _inverses(g, member):
                    yield (None, inner)


def _parse(path: Path):
    import pyoxigraph as ox

    from defcoop.query.engine import _OX_FORMATS, _base_iri, _format_name

    return [q.triple for q in ox.parse(path=str(path), format=_OX_FORMATS[_format_name(path)],
                                        base_iri=_base_iri(path))]


def _memo(kind: str, parts: list, compute):
    """``compute()``, cached on disk under a key made of ``parts`` (file contents among them)."""
    key = hashlib.sha256(repr((VERSION, kind, parts)).encode()).hexdigest()[:40]
    found = _load(f"{kind}-{key}")
    if found is None:
        found = compute()
        _save(f"{kind}-{key}", found)
    return found


def _summary(path: Path, at_focus: set[str], midway: set[str]) -> dict | None:
    """What a file describes and links to (None if it does not parse); cached by content."""
    return _memo(
        "summary", [_digest_files([path]), sorted(at_focus), sorted(midway)],
        lambda: _summary_now(path, at_focus, midway),
    )


def _summary_now(path: Path, at_focus: set[str], midway: set[str]) -> dict | None:
    import pyoxigraph as ox

    try:
        triples = _parse(path)
    except (SyntaxError, OSError, ValueError):
        return None
    out = {k: set() for k in ("subjects", "objects", "at_focus", "midway")}
    bnode_subjects, bnode_objects = set(), set()
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


def _hub_context(docs, hubs: set[str], at_focus: set[str], midway: set[str]):
    """(triples documents state about hub nodes; the triples a shape on a hub node reads
    beyond them: from each node that links to a hub through an ``at_focus`` predicate,
    everything reachable forwards within its document, and backwards through the
    ``midway`` predicates). None if a hub's description holds a blank node."""

    typed, single = _backward()[2:]
    readable = _readable()
    walks = _walks()
    described, reached = [], []
    for d in docs:
        one = _memo(
            "hubs", [_digest_files([d.path]), sorted(hubs), sorted(at_focus), sorted(midway),
                     sorted(typed), sorted(single), sorted(readable or ["*"]), _shapes_digest()],
            lambda: _hub_context_now(d, hubs, at_focus, midway, typed, single, readable, walks),
        )
        if one is None:
            return None, None
        described += _triples(one[0])
        reached += _triples(one[1])  # one parse per document: its blank nodes stay one
    return described, reached


def _triples(lines: list[str]) -> list:
    import pyoxigraph as ox

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
    (`defcoop.validation.query_reach`). From any other linking node, everything reachable: the walk
    does not follow the ``single`` predicates (to the other nodes an annotation is
    about), nor any predicate no shape reads (``readable``; None: every predicate)."""
    import pyoxigraph as ox

    rdf_type, sub_class = str(RDF.type), str(RDFS.subClassOf)

    described, reached = [], []
    triples = _parse(d.path)
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
    import pyoxigraph as ox

    passed: list = []
    for reader, var in readers:
        passed += reader.reach(start, var, by_subject, by_object)
    objects = {t.object for t in passed}
    subjects = {t.subject for t in passed}
    if any(isinstance(n, ox.BlankNode) and n not in objects for n in subjects):
        return None
    return list(dict.fromkeys(passed))


def _shapes_digest() -> str:
    return _digest_files(terms.shapes_files())


def _write_context(triples, name: str) -> Source:
    """Triples written to a content-addressed N-Triples file in the cache folder."""
    import pyoxigraph as ox

    data = ox.serialize(sorted(set(triples), key=str), format=ox.RdfFormat.N_TRIPLES)
    digest = hashlib.sha256(data).hexdigest()[:32]
    folder = directory() if cache.enabled() else Path(tempfile.gettempdir()) / "defcoop-validation"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"hubs-{name}-{digest}.nt"
    if not path.exists():
        tmp = folder / f".{path.name}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return Source(path, URIRef(f"https://w3id.org/defcoop/graph/hubs/{name}"), "reference")


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


def _key(shared: str, files) -> str:
    """The cache key of a unit: the content of the files it is validated from, and the
    base, shapes and imports (``shared``)."""
    h = hashlib.sha256(f"validate {VERSION} {shared}\n".encode())
    h.update(_digest_files([f.path for f in files]).encode())
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
        roots.append(root)
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
    }


# -- shapes: blank nodes differ from one parse to the next -----------------------------------

_SHAPES: dict = {}


def _shapes() -> Graph:
    """The shapes graph, parsed once per process (keyed by the files' content)."""
    key = _digest_files(terms.shapes_files())
    g = _SHAPES.get(key)
    if g is None:
        from defcoop.graph.files import parse_into

        g = Graph()
        for p in terms.shapes_files():
            parse_into(g, p)
        _SHAPES.clear()
        _SHAPES[key] = g
    return g


def _signature(shapes: Graph, node) -> tuple:
    """A name for a blank node of the shapes graph that does not change between parses:
    a path by its SPARQL form, a shape by its parent, path and plain statements."""
    from defcoop.validation.validate import _path_name

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
