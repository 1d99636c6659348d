"""Options shared by several commands."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import click

from defcoop.graph.files import ENTAILED_GRAPH, Source, project_sources, user_sources


def data_option(f):
    return click.option(
        "--data",
        "data_files",
        multiple=True,
        type=click.Path(),
        help="Use these RDF files (with the ontology) instead of the project's data; a folder "
        "means every RDF file in it. Repeatable.",
    )(f)


def entailed_option(f):
    return click.option(
        "--no-entailed", "no_entailed", is_flag=True,
        help="Leave out the entailed graph (superclass types, super-properties such as "
        "dco:involves, day intervals of dates): the asserted graph only.",
    )(f)


def sources_for(data_files, entailed: bool = True):
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


def auth_options(f):
    """``--auth``, ``--preemptive-auth`` and ``--insecure-auth``: how credentials from the
    environment may be sent (`defcoop.stores.client`, "the credential rule")."""
    f = click.option("--insecure-auth", is_flag=True,
                     help="Allow basic credentials over plain http to another machine (they travel in clear).")(f)
    f = click.option("--preemptive-auth", is_flag=True,
                     help="Send basic credentials with every update/Graph Store request, not only after a challenge.")(f)
    return click.option("--auth", type=click.Choice(["basic", "digest"]), default=None,
                        help="Answer only this kind of challenge with DEFCOOP_STORE_USER / "
                             "DEFCOOP_STORE_PASSWORD (default: whichever the store asks for; "
                             "credentials are sent only when it asks).")(f)
