"""What to load where, and loading it safely: a load lock, one transaction, verification.

Each source file goes into its own named graph (``graph.default_sources()``:
``https://w3id.org/defcoop/graph/<kind>/<file>``; ``--graph-base`` moves them all,
``--graph KEY=IRI`` one of them). A load never shows readers half a graph:

1. ask the query URL ``ASK {}`` (reachable, speaks SPARQL, credentials right);
2. take the load lock: add this run's claim (``<urn:defcoop:load:RUN> a
   prov:Activity; prov:startedAtTime …``) to the lock graph, then list the claims;
   if another run's claim is there, withdraw ours, wait and try again (up to
   ``--lock-wait`` seconds), then refuse (the oldest claim stays and waits instead).
   A claim is committed before the claims are read, so of two loads at once at
   least one sees the other: never both run;
3. replace, in ONE SPARQL Update request (one transaction on Oxigraph and
   Virtuoso): a marker ``<RUN> prov:endedAtTime …`` in the lock graph, then per
   file ``DROP SILENT GRAPH <IRI>`` and its triples in ``INSERT DATA`` batches.
   No staging graph exists, so readers of a graph and of the union default graph
   see it before or after, never in between. If the request gets no answer, the
   marker tells whether the store committed it;
   with ``--gsp`` instead: ``PUT`` every file into a staging graph named for
   this run (``<IRI>/defcoop-staging/RUN``), then one request that, only if every
   staging graph holds exactly its file's triple count (checked in that same
   request), sets the marker, replaces each graph by its staging copy and empties
   the staging graphs. Readers of the union default graph see the staging copies
   while they are there (Graph Store ``PUT`` is no transaction on either store);
4. count each graph on the store and compare with the local file;
5. withdraw the claim and the marker.

After a failure, what this run left (staging graphs, its claim) is removed if the
store still answers; otherwise the message names it and the command that removes
it (``defcoop load --cleanup``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import random
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import Graph

from defcoop.errors import DefcoopError
from defcoop.graph.files import GRAPH_BASE, Source, parse_into
from defcoop.stores.client import Store, StoreError, batches, insert_data, redact

STAGING_SUFFIX = "/defcoop-staging"
LOCK_GRAPH = "defcoop-load-lock"  # below the graph base
RUN_PREFIX = "urn:defcoop:load:"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass
class Target:
    """One source file, the graph IRI it goes into on the store, and its triples."""

    key: str  # "<kind>/<file stem>", e.g. "document/kst-33279-29"
    path: Path
    graph: str
    triples: Graph

    def staging(self, run: str) -> str:
        """Its staging graph for the run ``RUN_PREFIX + run``."""
        return f"{self.graph}{STAGING_SUFFIX}/{run}"


@dataclass
class Step:
    """One request (or check) of a load, described for ``--dry-run`` and errors.

    ``run`` returns what it found: the triple count for a ``verify`` step.
    """

    describe: str
    run: Callable[[], object]
    triples: int = 0  # how far it moves the progress bar
    phase: str = "stage"  # "check", "lock", "stage", "replace", "verify", "unlock"
    graph: str = ""  # the graph a "verify" step counts


@dataclass(frozen=True)
class Report:
    key: str
    graph: str
    local: int
    store: int | None = None

    @property
    def ok(self) -> bool:
        return self.store == self.local


@dataclass
class Plan:
    """Every request of one load, in order, and what each graph should hold."""

    run: str  # this run's name, unique to it
    lock_graph: str
    targets: list[Target]
    steps: list[Step]
    reports: list[Report]
    cleanup: str = ""  # the command that removes what a failed run left
    staging: list[str] = field(default_factory=list)  # with --gsp

    @property
    def run_iri(self) -> str:
        return RUN_PREFIX + self.run


def source_key(source: Source) -> str:
    return f"{source.kind}/{source.path.stem}"


def targets(
    sources: Iterable[Source],
    graph_base: str | None = None,
    overrides: dict[str, str] | None = None,
) -> list[Target]:
    """Parse every source (all or nothing) and give each its graph IRI on the store.

    ``overrides`` maps a source key (``kind/stem``) or a bare file stem to an IRI.
    """
    sources = list(sources)
    overrides = dict(overrides or {})
    known = {source_key(s) for s in sources} | {s.path.stem for s in sources}
    unknown = sorted(k for k in overrides if k not in known)
    if unknown:
        raise DefcoopError(
            f"--graph {unknown[0]}=...: no such source (known: "
            f"{', '.join(sorted(source_key(s) for s in sources))})"
        )
    out = []
    for source in sources:
        key = source_key(source)
        iri = overrides.get(key) or overrides.get(source.path.stem)
        if iri is None:
            iri = str(source.graph)
            if graph_base and iri.startswith(GRAPH_BASE):
                iri = graph_base + iri[len(GRAPH_BASE):]
        _check_iri(iri, key)
        g = Graph()
        parse_into(g, source.path)
        out.append(Target(key, source.path, iri, g))
    graphs = [t.graph for t in out]
    dupes = sorted({g for g in graphs if graphs.count(g) > 1})
    if dupes:
        raise DefcoopError(f"--graph: two sources would go into the same graph <{dupes[0]}>")
    return out


def lock_graph(graph_base: str | None = None) -> str:
    """The graph holding the load claims for graphs below ``graph_base``."""
    base = graph_base or GRAPH_BASE
    _check_iri(base + LOCK_GRAPH, "--graph-base")
    return base + LOCK_GRAPH


def _check_iri(iri: str, key: str) -> None:
    if ":" not in iri or any(c in iri for c in '<>"{}|\\^` \n\t'):
        raise DefcoopError(f"--graph {key}: not an absolute IRI: {iri!r}")


def new_run() -> str:
    """A name for one load, unique to it: UTC time and 48 random bits."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(6)


def _now() -> str:
    stamp = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return f'"{stamp}"^^<{XSD}dateTime>'


def plan(store: Store, loads: list[Target], use_gsp: bool, batch_size: int,
         lock: str | None = None, lock_wait: float = 60, run: str | None = None,
         cleanup: str = "") -> Plan:
    """Every request of the load, in order (nothing is sent here)."""
    if batch_size < 1:
        raise DefcoopError(f"--batch-size: must be at least 1 (got {batch_size})")
    if use_gsp and not store.gsp_url:
        raise DefcoopError("--gsp: no Graph Store URL given")
    if lock_wait < 0:
        raise DefcoopError(f"--lock-wait: must be 0 or more (got {lock_wait:g})")
    run = run or new_run()
    lock = lock or lock_graph()
    reports = [Report(t.key, t.graph, len(t.triples)) for t in loads]
    out = Plan(run, lock, loads, [], reports, cleanup)
    me = out.run_iri
    q, u = redact(store.query_url), redact(store.update_url)
    steps = out.steps
    steps.append(Step(f"POST {q}  ASK {{}}  (the store answers SPARQL)", lambda: store.ask(), phase="check"))
    steps.append(Step(
        f"POST {u}  INSERT DATA {{ GRAPH <{lock}> {{ <{me}> a prov:Activity }} }}  (claim the load lock)\n"
        f"POST {q}  list the claims in <{lock}>  (another load's claim: withdraw ours, wait, "
        f"retry for up to {lock_wait:g} s, then refuse)",
        lambda: acquire(store, lock, me, lock_wait), phase="lock"))
    marker = f"INSERT DATA {{ GRAPH <{lock}> {{ <{me}> <{PROV}endedAtTime> {_now()} }} }}"

    if use_gsp:
        for t in loads:
            out.staging.append(t.staging(run))
            body = t.triples.serialize(format="nt", encoding="utf-8")
            steps.append(Step(
                f"PUT  {redact(store.gsp_url or '')}?graph=<{t.staging(run)}>  "
                f"({len(t.triples)} triples, {len(body):,} bytes of N-Triples)",
                functools.partial(store.put_graph, t.staging(run), body),
                triples=len(t.triples),
            ))
        text = guarded_swap(loads, run, lock, me)
        steps.append(Step(
            f"POST {u}  one request, one transaction: if every staging graph holds its file's "
            f"count, mark <{me}> done and replace " + " ; ".join(
                f"<{t.graph}> by <{t.staging(run)}>" for t in loads),
            lambda: _swap(store, text, lock, me), phase="replace"))
    elif loads:
        ops = [marker]
        lines = [f"POST {u}  one request, one transaction:", f"    {marker}"]
        for t in loads:
            ops.append(f"DROP SILENT GRAPH <{t.graph}>")
            lines.append(f"    DROP SILENT GRAPH <{t.graph}>")
            for batch in batches(t.triples, batch_size):
                ops.append(insert_data(t.graph, batch))
                lines.append(f"    INSERT DATA {{ GRAPH <{t.graph}> }}  ({len(batch)} triples, "
                             f"{len(ops[-1].encode()):,} bytes)")
        text = " ;\n".join(ops)
        steps.append(Step("\n".join(lines), lambda: _replace(store, text, lock, me),
                          triples=sum(len(t.triples) for t in loads), phase="replace"))

    for t, r in zip(loads, reports):
        steps.append(Step(
            f"POST {q}  count triples in <{t.graph}>  (expect {r.local})",
            functools.partial(store.count, t.graph), phase="verify", graph=t.graph,
        ))
    steps.append(Step(f"POST {u}  DELETE WHERE {{ GRAPH <{lock}> {{ <{me}> ?p ?o }} }}  "
                      "(withdraw the claim)", lambda: release(store, lock, me), phase="unlock"))
    return out


def guarded_swap(loads: list[Target], run: str, lock: str, me: str) -> str:
    """One update: if every staging graph holds exactly its file's count, the marker;
    then, only where the marker is, each graph replaced by its staging copy and the
    staging copies emptied. Otherwise it changes nothing."""
    counts = " ".join(
        f"{{ SELECT (COUNT(*) AS ?n{i}) WHERE {{ GRAPH <{t.staging(run)}> {{ ?s{i} ?p{i} ?o{i} }} }} }}"
        for i, t in enumerate(loads))
    full = " && ".join(f"?n{i} = {len(t.triples)}" for i, t in enumerate(loads))
    done = f"GRAPH <{lock}> {{ <{me}> <{PROV}endedAtTime> ?done }}"
    ops = [(f"INSERT {{ GRAPH <{lock}> {{ <{me}> <{PROV}endedAtTime> {_now()} }} }} "
            f"WHERE {{ {counts} FILTER({full}) }}")]
    for t in loads:
        ops.append(f"DELETE {{ GRAPH <{t.graph}> {{ ?s ?p ?o }} }} "
                   f"WHERE {{ {done} GRAPH <{t.graph}> {{ ?s ?p ?o }} }}")
    for t in loads:
        ops.append(f"INSERT {{ GRAPH <{t.graph}> {{ ?s ?p ?o }} }} "
                   f"WHERE {{ {done} GRAPH <{t.staging(run)}> {{ ?s ?p ?o }} }}")
    for t in loads:
        ops.append(f"DELETE {{ GRAPH <{t.staging(run)}> {{ ?s ?p ?o }} }} "
                   f"WHERE {{ {done} GRAPH <{t.staging(run)}> {{ ?s ?p ?o }} }}")
    return " ;\n".join(ops)


class LockBusy(StoreError):
    """Another load holds the lock."""


def claims(store: Store, lock: str) -> list[tuple[str, str]]:
    """Every load claim in the lock graph: (run IRI, start time)."""
    rows = store.select(f"SELECT ?run ?t WHERE {{ GRAPH <{lock}> {{ ?run a <{PROV}Activity> . "
                        f"OPTIONAL {{ ?run <{PROV}startedAtTime> ?t }} }} }}")
    return sorted((r.get("run", ""), r.get("t", "")) for r in rows)


def acquire(store: Store, lock: str, me: str, wait: float) -> None:
    """Claim the load lock; wait while another load holds it, then refuse (`LockBusy`).

    A run proceeds only when the claims it reads, after its own claim is committed,
    are its own alone. Of runs that see each other the oldest claim (run names start
    with their UTC time) stays and waits; the others withdraw theirs and try again.
    """
    deadline = time.monotonic() + wait
    claim = (f"INSERT DATA {{ GRAPH <{lock}> {{ <{me}> a <{PROV}Activity> ; "
             f"<{PROV}startedAtTime> {_now()} }} }}")
    while True:
        store.update(claim)
        while True:
            others = [c for c in claims(store, lock) if c[0] != me]
            if not others:
                return
            if me < min(run for run, _ in others) and time.monotonic() < deadline:
                time.sleep(random.uniform(0.05, 0.2))  # the oldest: keep the claim, wait
                continue
            break
        release(store, lock, me)
        if time.monotonic() >= deadline:
            run, started = others[0]
            raise LockBusy(f"another load is running on this store ({run}, started {started or '?'}); "
                           f"waited {wait:g} s (--lock-wait)", answered=True)
        time.sleep(random.uniform(0.2, 0.8))


def release(store: Store, lock: str, me: str) -> None:
    store.update(f"DELETE WHERE {{ GRAPH <{lock}> {{ <{me}> ?p ?o }} }}")


def committed(store: Store, lock: str, me: str) -> bool:
    """Did the store commit this run's replace request (its marker is there)?"""
    return store.ask(f"ASK {{ GRAPH <{lock}> {{ <{me}> <{PROV}endedAtTime> ?t }} }}")


class NotCommitted(StoreError):
    """The replace (or swap) request was answered and changed nothing."""


def _replace(store: Store, text: str, lock: str, me: str) -> None:
    try:
        store.update(text, idempotent=False)
    except StoreError as exc:
        if exc.answered:
            raise NotCommitted(str(exc), answered=True) from None
        if not _committed_after_all(store, lock, me):
            # no marker (yet): not applied, or still running on the store (a timeout)
            raise
    # answered, or committed although the answer was lost


def _swap(store: Store, text: str, lock: str, me: str) -> None:
    _replace(store, text, lock, me)
    if not committed(store, lock, me):
        raise NotCommitted("the swap was refused: a staging graph on the store is missing or does "
                           "not hold its file's triple count (checked in the swap request)",
                           answered=True)


def _committed_after_all(store: Store, lock: str, me: str) -> bool:
    """After a lost answer: has the store committed the request (its marker is there)?"""
    try:
        return committed(store.with_(timeout=min(store.timeout, 10), retries=1), lock, me)
    except StoreError:
        return False


def run(store: Store, plan: Plan, advance: Callable[[int], None] | None = None) -> list[Report]:
    """Send the steps in order; the reports with the store's counts.

    On failure, `StoreError` says what happened and exactly what state is left.
    """
    counts: dict[str, int] = {}
    locked = False
    sent_staging = False  # a staging PUT went out (and may have written)
    for step in plan.steps:
        try:
            found = step.run()
        except StoreError as exc:
            if step.phase == "check":
                raise
            if step.phase == "stage" and not exc.answered:
                sent_staging = True
            raise StoreError(_failure(store, plan, step, exc, locked, sent_staging)) from None
        if step.phase == "lock":
            locked = True
        elif step.phase == "stage":
            sent_staging = True
        elif step.phase == "unlock":
            locked = False
        elif step.phase == "verify":
            counts[step.graph] = int(found)  # type: ignore[call-overload]
        if advance and step.triples:
            advance(step.triples)
    return [replace(r, store=counts.get(r.graph)) for r in plan.reports]


def _failure(store: Store, plan: Plan, step: Step, exc: StoreError, locked: bool,
             sent_staging: bool) -> str:
    """The one line for a failed step: what happened, what is replaced, what is left."""
    if step.phase == "lock":
        if isinstance(exc, LockBusy):
            return (f"load refused, nothing written: {exc}; if no load is running, remove its "
                    f"claim with: `{plan.cleanup}`")
        if exc.answered:
            return f"load refused, nothing written: {exc}"
        locked = True  # the claim may have arrived
    if step.phase == "unlock":
        return (f"loaded and verified, but this run's claim <{plan.run_iri}> in <{plan.lock_graph}> "
                f"could not be withdrawn ({exc}): remove it with: `{plan.cleanup}`")
    if step.phase == "verify":
        left = _tidy(store, plan, locked, staging=False)
        return f"loaded, but verification could not run{left}: {exc}"
    if step.phase == "replace" and not isinstance(exc, NotCommitted) and not exc.answered:
        what = ("no answer to the replace request; the store shows no sign of it, but may "
                "still be running it")
        left = _tidy(store, plan, locked, staging=bool(plan.staging))
        return (f"load failed: {what} (one transaction: all graphs replaced or none; run the "
                f"load again){left}: {exc}")
    staging = sent_staging or step.phase == "replace"
    left = _tidy(store, plan, locked, staging)
    return f"load failed, nothing replaced (the graphs you query are as before{left}): {exc}"


def _tidy(store: Store, plan: Plan, locked: bool, staging: bool) -> str:
    """Remove this run's staging graphs and claim (best effort: the store may be gone);
    the words saying what was removed or what is left and how to remove it."""
    graphs = plan.staging if staging else []
    if not graphs and not locked:
        return "; nothing was written"
    ops = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
    if locked:
        ops.append(f"DELETE WHERE {{ GRAPH <{plan.lock_graph}> {{ <{plan.run_iri}> ?p ?o }} }}")
    what = " and ".join(x for x in (
        f"{len(graphs)} staging graph{'s' * (len(graphs) != 1)} <…{STAGING_SUFFIX}/{plan.run}>" if graphs else "",
        f"this run's claim <{plan.run_iri}>" if locked else "") if x)
    try:
        store.with_(timeout=min(store.timeout, 10), retries=0).update(" ;\n".join(ops))
        return f"; {what} removed"
    except StoreError:
        return f"; left on the store: {what}; remove with: `{plan.cleanup}`"


def cleanup(store: Store, loads: list[Target], lock: str) -> list[str]:
    """Remove every staging graph of ``loads`` (any run) and every load claim; the
    graphs removed (and the lock graph, if it held claims)."""
    found = store.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(" + " || ".join(
            f'STRSTARTS(STR(?g), "{t.graph}{STAGING_SUFFIX}")' for t in loads) + ") }"
    ) if loads else []
    graphs = sorted(r["g"] for r in found if r.get("g"))
    if claims(store, lock):
        graphs.append(lock)
    if graphs:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    return graphs
