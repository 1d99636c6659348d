"""What to load where, and loading it safely: a load lock, one transaction, verification.

Each source file goes into its own named graph (``graph.default_sources()``:
``https://w3id.org/defcoop/graph/<kind>/<file>``; ``--graph-base`` moves them all,
``--graph KEY=IRI`` one of them). A load never shows readers half a graph:

1. ask the query URL ``ASK {}`` (reachable, speaks SPARQL, credentials right);
2. take the load lock (`LoadLock`): wait, only reading, while another run's live
   claim is in the lock graph (up to ``--lock-wait`` seconds, then refuse); then add
   this run's claim (``<urn:defcoop:load:RUN> a prov:Activity; prov:startedAtTime …;
   schema:expires …``) and list the claims again: of runs that claimed at once the
   oldest keeps its claim, the others withdraw and wait. A claim is committed before
   the claims are read, so of two loads at once at least one sees the other: never
   both run. A heartbeat thread renews the claim's lease (``--lock-lease``, by the
   store's clock); a claim whose lease ran out (its load was killed) is removed by
   the next load, which says so;
3. replace, in ONE SPARQL Update request (one transaction on Oxigraph and
   Virtuoso): a marker ``<RUN> prov:endedAtTime …`` in the lock graph, then per
   file ``DROP SILENT GRAPH <IRI>`` and its triples in ``INSERT DATA`` batches.
   No staging graph exists, so readers of a graph and of the union default graph
   see it before or after, never in between. If the request gets no answer, the
   marker tells whether the store committed it;
   with ``--gsp`` instead: ``PUT`` every file into a staging graph named for
   this run (``<IRI>/defcoop-staging/RUN``), then one request that, only if every
   staging graph holds exactly its file's triple count (checked in that same
   request) and this run's claim is still there, sets the marker and replaces each
   graph by its staging copy; the next request drops the staging graphs. Readers of
   the union default graph see the staging copies while they are there (Graph Store
   ``PUT`` is no transaction on either store);
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
import threading
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
SCHEMA = "https://schema.org/"  # schema:expires: the end of a claim's lease
#: what a failed request may leave on Virtuoso, which keeps the operations of a request
#: before the one that failed (docs/stores.md)
_PARTIAL = ("Virtuoso keeps what a failed request did before its error, so some graphs may be "
            "replaced or emptied")
BATCH_SIZE = 100  # triples per INSERT DATA (--batch-size; Virtuoso: 100 is fastest, 5,000 fails)
LEASE = 30.0  # seconds a claim holds without a heartbeat (--lock-lease)
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
    phase: str = "stage"  # "check", "lock", "stage", "replace", "unstage", "verify", "unlock"
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
    claim: LoadLock | None = None  # this run's claim on the load lock, once planned

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


def cleanup_command(query_url: str, update_url: str | None = None, graph_base: str | None = None,
                    graphs: Iterable[str] = (), data_files: Iterable[str | Path] = (),
                    entailed: bool = True) -> str:
    """The ``defcoop load --cleanup`` command that removes what a load of these graphs
    left behind, for its messages (URLs without credentials).

    >>> cleanup_command("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update")
    'defcoop load --cleanup --endpoint http://127.0.0.1:7878/query --update http://127.0.0.1:7878/update'
    """
    words = ["defcoop load --cleanup --endpoint", redact(query_url)]
    if update_url:
        words += ["--update", redact(update_url)]
    if graph_base:
        words += ["--graph-base", graph_base]
    words += [f"--graph {item}" for item in graphs] + [f"--data {f}" for f in data_files]
    if not entailed:
        words.append("--no-entailed")
    return " ".join(words)


def plan(store: Store, loads: list[Target], use_gsp: bool, batch_size: int,
         lock: str | None = None, lock_wait: float = 60, run: str | None = None,
         cleanup: str = "", lease: float = LEASE,
         notice: Callable[[str], None] | None = None) -> Plan:
    """Every request of the load, in order (nothing is sent here)."""
    if batch_size < 1:
        raise DefcoopError(f"--batch-size: must be at least 1 (got {batch_size})")
    if use_gsp and not store.gsp_url:
        raise DefcoopError("--gsp: no Graph Store URL given")
    if lock_wait < 0:
        raise DefcoopError(f"--lock-wait: must be 0 or more (got {lock_wait:g})")
    if not lease > 0:
        raise DefcoopError(f"--lock-lease: must be more than 0 (got {lease:g})")
    run = run or new_run()
    lock = lock or lock_graph()
    reports = [Report(t.key, t.graph, len(t.triples)) for t in loads]
    out = Plan(run, lock, loads, [], reports, cleanup)
    me = out.run_iri
    claim = out.claim = LoadLock(store, lock, me, lock_wait, lease, notice)
    q, u = redact(store.query_url), redact(store.update_url)
    steps = out.steps
    steps.append(Step(f"POST {q}  ASK {{}}  (the store answers SPARQL)", lambda: store.ask(), phase="check"))
    steps.append(Step(
        f"POST {q}  list the claims in <{lock}>  (another load's: wait, reading only, for up to "
        f"{lock_wait:g} s, then refuse; one whose lease ran out: remove it, say so)\n"
        f"POST {u}  INSERT DATA {{ GRAPH <{lock}> {{ <{me}> a prov:Activity ; schema:expires "
        f"(the store's NOW() + {lease:g} s) }} }}  (claim the load lock; a heartbeat renews "
        f"the lease every {claim.interval:g} s until the claim is withdrawn)",
        claim.acquire, phase="lock"))
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
        drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in out.staging)
        steps.append(Step(f"POST {u}  DROP SILENT GRAPH every staging graph of this run  (one request)",
                          lambda: store.update(drops), phase="unstage"))
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
                      "(withdraw the claim)", claim.release, phase="unlock"))
    return out


def guarded_swap(loads: list[Target], run: str, lock: str, me: str) -> str:
    """One update: if this run's claim is there and every staging graph holds exactly
    its file's count, the marker;
    then, only where the marker is, each graph replaced by its staging copy.
    Otherwise it changes nothing."""
    counts = " ".join(
        f"{{ SELECT (COUNT(*) AS ?n{i}) WHERE {{ GRAPH <{t.staging(run)}> {{ ?s{i} ?p{i} ?o{i} }} }} }}"
        for i, t in enumerate(loads))
    full = " && ".join(f"?n{i} = {len(t.triples)}" for i, t in enumerate(loads))
    done = f"GRAPH <{lock}> {{ <{me}> <{PROV}endedAtTime> ?done }}"
    mine = f"GRAPH <{lock}> {{ <{me}> a <{PROV}Activity> }}"  # our claim still holds
    ops = [(f"INSERT {{ GRAPH <{lock}> {{ <{me}> <{PROV}endedAtTime> {_now()} }} }} "
            f"WHERE {{ {mine} {counts} FILTER({full}) }}")]
    for t in loads:
        ops.append(f"DELETE {{ GRAPH <{t.graph}> {{ ?s ?p ?o }} }} "
                   f"WHERE {{ {done} GRAPH <{t.graph}> {{ ?s ?p ?o }} }}")
    for t in loads:
        ops.append(f"INSERT {{ GRAPH <{t.graph}> {{ ?s ?p ?o }} }} "
                   f"WHERE {{ {done} GRAPH <{t.staging(run)}> {{ ?s ?p ?o }} }}")
    # the staging graphs are dropped by the next request: copying them in and emptying
    # them in this one made the swap on Virtuoso ~1.5 times as slow
    return " ;\n".join(ops)


class LockBusy(StoreError):
    """Another load holds the lock."""


@dataclass(frozen=True)
class Claim:
    """One load's claim in the lock graph, as read with the store's clock."""

    run: str  # its run IRI
    started: str = ""
    expires: str = ""  # its lease: refreshed by its heartbeat; "" in a claim of an older defcoop
    now: str = ""  # the store's NOW() when the claim was read

    @property
    def stale(self) -> bool:
        """Has its lease run out (by the store's clock)? A claim without a lease never does."""
        try:
            return bool(self.expires and self.now) and _instant(self.expires) < _instant(self.now)
        except ValueError:
            return False


def _instant(text: str) -> _dt.datetime:
    """An xsd:dateTime's lexical form as a datetime (one without a timezone taken as UTC)."""
    value = _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)


def expiry(store: Store, lease: float) -> str:
    """The store's clock plus ``lease`` seconds, as an xsd:dateTime literal (in the form
    the store's ``NOW()`` takes, so that the two compare on any store)."""
    rows = store.select("SELECT (NOW() AS ?now) WHERE {}")
    try:
        text = rows[0]["now"].strip()
        naive = _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is None
        when = _instant(text) + _dt.timedelta(seconds=lease)
    except (IndexError, KeyError, ValueError):
        raise StoreError(f"{redact(store.query_url)}: no usable NOW() from the store") from None
    stamp = (when.replace(tzinfo=None).isoformat() if naive
             else when.isoformat().replace("+00:00", "Z"))
    return f'"{stamp}"^^<{XSD}dateTime>'


def claims(store: Store, lock: str) -> list[Claim]:
    """Every load claim in the lock graph, oldest run first."""
    rows = store.select(
        f"SELECT ?run ?t ?exp (NOW() AS ?now) WHERE {{ GRAPH <{lock}> {{ ?run a <{PROV}Activity> . "
        f"OPTIONAL {{ ?run <{PROV}startedAtTime> ?t }} OPTIONAL {{ ?run <{SCHEMA}expires> ?exp }} }} }}")
    found: dict[str, Claim] = {}
    for r in rows:
        run = r.get("run", "")
        seen = found.get(run)
        exp = r.get("exp", "")
        if seen and seen.expires and (not exp or _later(seen.expires, exp)):
            continue  # a heartbeat raced: the latest lease counts
        found[run] = Claim(run, r.get("t", ""), exp, r.get("now", ""))
    return [found[k] for k in sorted(found)]


def _later(a: str, b: str) -> bool:
    try:
        return _instant(a) >= _instant(b)
    except ValueError:
        return False


class LoadLock:
    """This run's claim on the store's load lock, kept alive by a heartbeat.

    `acquire` adds the claim (``<RUN> a prov:Activity ; prov:startedAtTime … ;
    schema:expires …``) and proceeds only when the claims it then reads are its own
    alone; of runs that see each other the oldest (run names start with their UTC
    time) keeps its claim and waits, the others withdraw theirs. A waiting run only
    reads (on Virtuoso a write beside another load's replace request can deadlock
    it). From the moment its claim is in, a daemon thread refreshes its lease every
    `interval` seconds, through its own `Store` (the one client); a claim whose
    lease has run out by the store's clock (its load was killed, or lost the store
    for longer than the lease) is stale: a waiting run removes it, saying so
    through ``notice``, and goes on.
    """

    def __init__(self, store: Store, graph: str, run_iri: str, wait: float = 60,
                 lease: float = LEASE, notice: Callable[[str], None] | None = None):
        self.store, self.graph, self.me = store, graph, run_iri
        self.wait, self.lease = wait, lease
        self.notice = notice or (lambda line: None)
        self.interval = max(0.2, min(5.0, lease / 3))
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self.sent = False  # a claim went out (and may be on the store)
        self._beat_timeout = max(1.0, min(store.timeout, lease / 2))

    def _claim_text(self) -> str:
        return (f"INSERT DATA {{ GRAPH <{self.graph}> {{ <{self.me}> a <{PROV}Activity> ; "
                f"<{PROV}startedAtTime> {_now()} ; <{SCHEMA}expires> {expiry(self.store, self.lease)} }} }}")

    def others(self) -> list[Claim]:
        """The live claims of other runs (stale ones removed, each saying so)."""
        live = []
        for c in claims(self.store, self.graph):
            if c.run == self.me:
                continue
            if c.stale:
                release(self.store, self.graph, c.run)
                self.notice(f"removed a stale load claim <{c.run}> (started {c.started or '?'}; its "
                            f"lease ran out at {c.expires} by the store's clock: its load stopped "
                            "without withdrawing it)")
                continue
            live.append(c)
        return live

    def acquire(self) -> None:
        """Claim the lock; wait while another load holds it, then refuse (`LockBusy`)."""
        deadline = time.monotonic() + self.wait
        while True:
            others = self.others()
            if not others:
                text = self._claim_text()
                self.sent = True
                self.store.update(text)
                self._start_heartbeat()
                others = self.others()
                if others and self.me < min(c.run for c in others):
                    while others and time.monotonic() < deadline:  # the oldest: keep it, wait
                        time.sleep(random.uniform(0.05, 0.15))
                        others = self.others()
                if not others:
                    return
                self.release()
            if time.monotonic() >= deadline:
                c = others[0]
                raise LockBusy(f"another load is running on this store ({c.run}, started "
                               f"{c.started or '?'}); waited {self.wait:g} s (--lock-wait)",
                               answered=True)
            time.sleep(random.uniform(0.05, 0.25))

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        beats = self.store.with_(timeout=self._beat_timeout, retries=0)
        g, me, expires = self.graph, self.me, f"<{SCHEMA}expires>"

        def beat() -> None:
            while not self._stop.wait(self.interval):
                try:
                    beats.update(
                        f"DELETE {{ GRAPH <{g}> {{ <{me}> {expires} ?e }} }} "
                        f"INSERT {{ GRAPH <{g}> {{ <{me}> {expires} {expiry(beats, self.lease)} }} }} "
                        f"WHERE {{ GRAPH <{g}> {{ <{me}> a <{PROV}Activity> "
                        f"OPTIONAL {{ <{me}> {expires} ?e }} }} }}")
                except StoreError:
                    pass  # the next beat tries again; until the lease runs out the claim holds

        self._beat = threading.Thread(target=beat, name=f"defcoop-lease-{self.me}", daemon=True)
        self._beat.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._beat is not None:
            # wait for a renewal in flight: one that commits after the claim is withdrawn
            # would leave a lone schema:expires triple behind (snapshot isolation)
            self._beat.join(timeout=2 * self._beat_timeout + 1)
            self._beat = None

    def release(self) -> None:
        """Stop the heartbeat and withdraw the claim (and this run's marker)."""
        self.stop_heartbeat()
        release(self.store, self.graph, self.me)


def release(store: Store, lock: str, me: str) -> None:
    """Withdraw the claim (and marker) of the run ``me`` from the lock graph."""
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
            if plan.claim is not None:
                plan.claim.stop_heartbeat()  # what is left of the claim is removed or named below
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
        if exc.answered or (plan.claim is not None and not plan.claim.sent):
            return f"load refused, nothing written: {exc}"
        locked = True  # the claim may have arrived
    if step.phase == "unlock":
        return (f"loaded and verified, but this run's claim <{plan.run_iri}> in <{plan.lock_graph}> "
                f"could not be withdrawn ({exc}): the next load removes it once its lease has run "
                f"out, or remove it now with: `{plan.cleanup}`")
    if step.phase == "unstage":
        left = _tidy(store, plan, locked, staging=True)
        return f"loaded (every graph replaced), but dropping the staging graphs failed{left}: {exc}"
    if step.phase == "verify":
        left = _tidy(store, plan, locked, staging=False)
        return f"loaded, but verification could not run{left}: {exc}"
    if step.phase == "replace" and not isinstance(exc, NotCommitted) and not exc.answered:
        what = ("no answer to the replace request; the store shows no sign of it, but may "
                "still be running it")
        left = _tidy(store, plan, locked, staging=bool(plan.staging))
        scope = _PARTIAL if store.is_virtuoso else "one transaction: all graphs replaced or none"
        return f"load failed: {what} ({scope}; run the load again){left}: {exc}"
    if step.phase == "replace" and store.is_virtuoso and exc.answered:
        left = _tidy(store, plan, locked, staging=sent_staging or step.phase == "replace")
        return f"load failed: {_PARTIAL}; run the load again{left}: {exc}"
    staging = sent_staging or step.phase == "replace"
    left = _tidy(store, plan, locked, staging)
    return f"load failed, nothing replaced (the graphs you query are as before{left}): {exc}"


def _tidy(store: Store, plan: Plan, locked: bool, staging: bool) -> str:
    """Remove this run's staging graphs and claim (best effort: the store may be gone);
    the words saying what was removed or what is left and how to remove it."""
    graphs = plan.staging if staging else []
    if plan.claim is not None:
        plan.claim.stop_heartbeat()
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
