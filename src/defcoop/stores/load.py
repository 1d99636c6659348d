"""What to load where, and loading it safely: staging graphs, one swap, verification.

Each source file goes into its own named graph (``graph.default_sources()``:
``https://w3id.org/defcoop/graph/<kind>/<file>``; ``--graph-base`` moves them all,
``--graph KEY=IRI`` one of them). A load never touches the graphs a user queries
until everything has arrived:

1. ask the query URL ``ASK {}`` (reachable, speaks SPARQL, credentials right);
2. put every file into its staging graph ``<IRI>/defcoop-staging`` (Graph Store
   ``PUT`` with ``--gsp``, else ``DROP SILENT`` + batched ``INSERT DATA``);
3. count each staging graph on the store and compare with the local file;
4. swap: one SPARQL Update request of ``MOVE SILENT <staging> TO <IRI>`` (``MOVE``
   first drops the target, so loading twice leaves one copy);
5. count each target graph on the store and compare with the local file.

A failure before step 4 leaves the previous graphs as they were (the staging
graphs are dropped if the store still answers) and raises `StoreError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rdflib import Graph

from defcoop.errors import DefcoopError
from defcoop.graph.files import GRAPH_BASE, Source, parse_into
from defcoop.stores.client import Store, StoreError, batches, insert_data, redact

STAGING_SUFFIX = "/defcoop-staging"


@dataclass
class Target:
    """One source file, the graph IRI it goes into on the store, and its triples."""

    key: str  # "<kind>/<file stem>", e.g. "document/kst-33279-29"
    path: Path
    graph: str
    triples: Graph

    @property
    def staging(self) -> str:
        return self.graph + STAGING_SUFFIX


@dataclass
class Step:
    """One request (or check) of a load, described for ``--dry-run`` and errors."""

    describe: str
    run: Callable[[], None]
    triples: int = 0  # how far it moves the progress bar
    phase: str = "load"  # "check", "load", "verify-staging", "swap", "verify"


@dataclass
class Report:
    key: str
    graph: str
    local: int
    store: int | None = None

    @property
    def ok(self) -> bool:
        return self.store == self.local


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


def _check_iri(iri: str, key: str) -> None:
    if ":" not in iri or any(c in iri for c in '<>"{}|\\^` \n\t'):
        raise DefcoopError(f"--graph {key}: not an absolute IRI: {iri!r}")


def plan(store: Store, loads: list[Target], use_gsp: bool, batch_size: int,
         reports: list[Report] | None = None) -> list[Step]:
    """Every request of the load, in order. ``reports`` collects the verification."""
    if batch_size < 1:
        raise DefcoopError(f"--batch-size: must be at least 1 (got {batch_size})")
    if use_gsp and not store.gsp_url:
        raise DefcoopError("--gsp: no Graph Store URL given")
    own = [Report(t.key, t.graph, len(t.triples)) for t in loads]
    if reports is not None:
        reports.extend(own)
    q, u = redact(store.query_url), redact(store.update_url)
    steps = [Step(f"POST {q}  ASK {{}}  (the store answers SPARQL)", lambda: store.ask(), phase="check")]

    for t in loads:
        if use_gsp:
            body = t.triples.serialize(format="nt", encoding="utf-8")
            steps.append(Step(
                f"PUT  {redact(store.gsp_url)}?graph=<{t.staging}>  "
                f"({len(t.triples)} triples, {len(body):,} bytes of N-Triples)",
                lambda t=t, body=body: store.put_graph(t.staging, body),
                triples=len(t.triples),
            ))
            continue
        steps.append(Step(f"POST {u}  DROP SILENT GRAPH <{t.staging}>",
                          lambda t=t: store.update(f"DROP SILENT GRAPH <{t.staging}>")))
        for batch in batches(t.triples, batch_size):
            text = insert_data(t.staging, batch)
            steps.append(Step(
                f"POST {u}  INSERT DATA {{ GRAPH <{t.staging}> }}  "
                f"({len(batch)} triples, {len(text.encode()):,} bytes)",
                lambda text=text: store.update(text, idempotent="_:" not in text),
                triples=len(batch),
            ))

    for t, r in zip(loads, own):
        steps.append(Step(
            f"POST {q}  count triples in <{t.staging}>  (expect {r.local})",
            lambda t=t, r=r: _expect(store, t.staging, r.local), phase="verify-staging",
        ))

    if loads:
        swap = " ;\n".join(f"MOVE SILENT GRAPH <{t.staging}> TO GRAPH <{t.graph}>" for t in loads)
        steps.append(Step(
            f"POST {u}  one request: " + " ; ".join(
                f"MOVE <{t.staging}> TO <{t.graph}>" for t in loads),
            lambda: store.update(swap, idempotent=False), phase="swap",
        ))

    for t, r in zip(loads, own):
        steps.append(Step(
            f"POST {q}  count triples in <{t.graph}>  (expect {r.local})",
            lambda t=t, r=r: setattr(r, "store", store.count(t.graph)), phase="verify",
        ))
    return steps


def _expect(store: Store, graph: str, local: int) -> None:
    got = store.count(graph)
    if got != local:
        raise StoreError(f"staging graph <{graph}> holds {got} triples on the store, "
                         f"the local file {local}")


def run(store: Store, loads: list[Target], steps: list[Step],
        advance: Callable[[int], None] | None = None) -> None:
    """Send the steps in order; on failure say what happened and what state is left."""
    for step in steps:
        try:
            step.run()
        except StoreError as exc:
            if step.phase in ("check",):
                raise
            if step.phase in ("load", "verify-staging"):
                cleaned = _drop_staging(store, loads)
                raise StoreError(
                    f"load failed, nothing replaced ({'staging graphs dropped' if cleaned else 'staging graphs left behind'}"
                    f"; the graphs you query are as before): {exc}"
                ) from None
            if step.phase == "swap":
                raise StoreError(f"swap failed (run the load again): {exc}") from None
            raise StoreError(f"loaded, but verification could not run: {exc}") from None
        if advance and step.triples:
            advance(step.triples)


def _drop_staging(store: Store, loads: list[Target]) -> bool:
    """Best effort: the store may be gone, which is why we are here."""
    quick = Store(store.query_url, store.update_url, store.gsp_url, store.credentials,
                  timeout=min(store.timeout, 10), retries=0)
    try:
        quick.update(" ;\n".join(f"DROP SILENT GRAPH <{t.staging}>" for t in loads))
        return True
    except DefcoopError:
        return False


@dataclass
class Outcome:
    reports: list[Report] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    @property
    def triples(self) -> int:
        return sum(r.local for r in self.reports)
