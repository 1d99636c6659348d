"""The process pool: units validated in parallel, each worker parsing the shared files once."""

from __future__ import annotations

import logging
import os

from defcoop.errors import DefcoopError
from defcoop.graph.files import Source
from defcoop.validation.incremental import results
from defcoop.validation.shapes.index import ShapesIndex
from defcoop.validation.whole import validate_whole


def validate_unit(files: list[Source]) -> dict:
    """One unit's findings (and what is needed to show them), in a picklable entry."""
    # rdflib logs a traceback for every ill-typed literal; the report names them
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    shapes = ShapesIndex.load()
    return results.entry(validate_whole(files, shapes), shapes)


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


def validate_units(todo: list[list[Source]], jobs: int | None) -> list[dict]:
    """Each unit's entry, in order; the units in parallel processes where there are
    several and more than one CPU (each unit is independent of the others)."""
    jobs = min(jobs_default() if jobs is None else max(1, jobs), len(todo))
    if jobs <= 1:
        return [validate_unit(files) for files in todo]
    import multiprocessing  # here: one unit (a cold `defcoop validate` of the project) needs no pool
    from concurrent.futures import ProcessPoolExecutor  # here: as multiprocessing (~35 ms)

    # forkserver: a clean interpreter per worker (no copy of this process's threads);
    # a worker parses the shared files once and reuses them for every unit it gets
    context = multiprocessing.get_context("forkserver")
    # several units per task (about four tasks per worker): fewer round trips, and
    # still a spread of the work if one unit is slower
    chunk = max(1, -(-len(todo) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(validate_unit, todo, chunksize=chunk))
