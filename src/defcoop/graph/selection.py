"""Which files make the graph a command or the API works on: the project's own, or the
ontology plus a user's files, with or without the entailed graph (`defcoop.graph.entailment`).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from defcoop.graph.files import ENTAILED_GRAPH, Source, project_sources, user_sources


def select(data_files=None, entailed: bool = True) -> list[Source]:
    """The project's sources, or the ontology plus the user's files; with the entailed
    graph unless ``entailed`` is false (for the user's files: derived on the fly)."""
    if not data_files:
        return project_sources(entailed=entailed)
    asserted = [s for s in project_sources(entailed=False) if s.kind == "ontology"] + user_sources(data_files)
    if not entailed:
        return asserted
    return asserted + [_derived_on_the_fly(asserted)]


def _derived_on_the_fly(asserted: list[Source]) -> Source:
    """The entailed graph of the user's files, written once per content into the cache
    (`defcoop.cache`; without one, into a temporary folder)."""
    # only here: rdflib and the engine load when a user's files need their entailed graph
    from defcoop import cache
    from defcoop.graph.entailment import derive, to_turtle
    from defcoop.query.engine import cache_key  # the content key of a set of files

    def write(into: Path) -> dict:
        # an ill-typed literal is validate's finding: rdflib's warning would print a traceback
        rdflib_terms = logging.getLogger("rdflib.term")
        level = rdflib_terms.level
        rdflib_terms.setLevel(logging.ERROR)
        try:
            (into / "entailed.ttl").write_bytes(to_turtle(derive(asserted, strict=False)))
        finally:
            rdflib_terms.setLevel(level)
        return {"sources": [str(s.path) for s in asserted]}

    key = "entailed-" + cache_key(asserted)
    folder = None
    if cache.enabled():
        try:
            folder = cache.lookup(key) or cache.build(key, write)
        except OSError:  # the cache folder cannot be written
            folder = None
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="defcoop-entailed-"))
        write(folder)
    return Source(folder / "entailed.ttl", ENTAILED_GRAPH, "entailed")
