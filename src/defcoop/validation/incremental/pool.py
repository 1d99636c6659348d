"""The process pool: units validated in parallel, several document units at a time
(`Batch`), each worker parsing the shared files once."""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from rdflib import URIRef

from defcoop.errors import DefcoopError
from defcoop.graph.files import Source
from defcoop.validation import whole
from defcoop.validation.incremental import results
from defcoop.validation.shapes.index import ShapesIndex

#: about this much of the documents' files (bytes) make one batch: large enough that
#: what each validation does once (the base, the shapes' queries) is paid rarely,
#: small enough that no query meets a graph much larger than one batch
BATCH_BYTES = 2_000_000

#: files from which a plan computes summaries and contexts in the worker processes
#: (fewer: here, where starting the workers would cost more than it saves)
PARALLEL_FILES = 32

T = TypeVar("T")


@dataclass(frozen=True)
class Batch:
    """Units validated together: each is ``common`` (the base, the hubs' context) and
    one of ``groups`` (its documents); ``base_subjects``: the IRIs the base describes."""

    common: list[Source]
    groups: list[list[Source]]
    base_subjects: frozenset[str] = frozenset()


def validate_unit(files: list[Source]) -> dict:
    """One unit's findings (and what is needed to show them), in a picklable entry."""
    # rdflib logs a traceback for every ill-typed literal; the report names them
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    shapes = ShapesIndex.load()
    return results.entry(whole.validate_whole(files, shapes), shapes)


def validate_batch(batch: Batch) -> list[dict]:
    """The entry of each unit of ``batch``, from one validation of all its files.

    That is each unit's own entry: a document unit contributes only the findings about
    the nodes it describes (`defcoop.validation.incremental.validate`), and those no
    other unit can change (`defcoop.validation.incremental.units.plan`). Each entry
    holds those findings and the prefixes the unit alone would show them with. A
    finding about an IRI that no document of the batch describes (a link to a node
    described nowhere) belongs to no one unit: then each unit is validated alone."""
    if len(batch.groups) == 1:
        return [validate_unit(batch.common + batch.groups[0])]
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    shapes = ShapesIndex.load()
    sources = batch.common + [d for g in batch.groups for d in g]
    parsed = whole.parse(sources)
    report = whole.validate_whole(sources, shapes, parsed=parsed)
    roots = results.roots(report)
    common = parsed[:len(batch.common)]
    own: list[list] = []  # each group's parsed documents
    owner: dict[str, int] = {}
    at = len(batch.common)
    for i, group in enumerate(batch.groups):
        own.append(parsed[at:at + len(group)])
        at += len(group)
        for one in own[-1]:
            for s, _, _ in one.triples:
                if isinstance(s, URIRef):
                    owner[str(s)] = i
    mine: list[list] = [[] for _ in batch.groups]
    for f, root in zip(report.findings, roots):
        if not isinstance(root, URIRef) or str(root) in batch.base_subjects:
            continue  # the base unit's finding
        who = owner.get(str(root))
        if who is None:
            return [validate_unit(batch.common + g) for g in batch.groups]
        mine[who].append(f)
    out = []
    for i, group in enumerate(batch.groups):
        entry = results.entry(dataclasses.replace(report, findings=mine[i]), shapes)
        entry["namespaces"] = whole.prefixes_shown(batch.common + group, common + own[i])
        out.append(entry)
    return out


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


def batches(sizes: list[int], jobs: int) -> list[list[int]]:
    """Indices of units (of ``sizes`` bytes each) in batches of about `BATCH_BYTES`,
    at least two per worker where there are enough units, the largest units placed first.

    >>> batches([5, 1, 1, 1], 1)
    [[0], [1, 2, 3]]
    """
    if not sizes:
        return []
    count = max(2 * jobs, -(-sum(sizes) // BATCH_BYTES))
    bins: list[list[int]] = [[] for _ in range(min(count, len(sizes)))]
    load = [0] * len(bins)
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        b = load.index(min(load))
        bins[b].append(i)
        load[b] += sizes[i]
    return [sorted(b) for b in bins if b]


class Workers:
    """The worker processes of one validation, started when first needed (none where
    there is one CPU or little to do): `map` runs a picklable function over items in
    them, in order. A worker parses the shared files once and reuses them for every
    task it gets. Use it as a context manager: the processes stop at its end."""

    def __init__(self, jobs: int | None = None):
        self.jobs = jobs_default() if jobs is None else max(1, jobs)
        self._pool: Any = None

    def map(self, fn: Callable[[Any], T], items: list, *, least: int = 2) -> list[T]:
        """``[fn(x) for x in items]``, in the worker processes if there are ``least`` items or more."""
        if self.jobs <= 1 or len(items) < max(2, least):
            return [fn(x) for x in items]
        if self._pool is None:
            import multiprocessing  # here: one unit (a cold `defcoop validate` of the project) needs no pool
            from concurrent.futures import ProcessPoolExecutor  # here: as multiprocessing (~35 ms)

            # forkserver: a clean interpreter per worker (no copy of this process's threads)
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("forkserver"))
        # several items per task (about four tasks per worker): fewer round trips, and
        # still a spread of the work if one item is slower
        return list(self._pool.map(fn, items, chunksize=max(1, len(items) // (self.jobs * 4))))

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def validate_batches(todo: list[Batch], workers: Workers) -> list[list[dict]]:
    """Each batch's entries, in order; the batches in parallel where there are several
    (each is independent of the others)."""
    return workers.map(validate_batch, todo)
