"""Options shared by several commands."""

from __future__ import annotations

import click

from defcoop.graph.files import project_sources, user_sources


def data_option(f):
    return click.option(
        "--data",
        "data_files",
        multiple=True,
        type=click.Path(),
        help="Use these RDF files (with the ontology) instead of the project's data; a folder "
        "means every RDF file in it. Repeatable.",
    )(f)


def sources_for(data_files):
    """The project's sources, or the ontology plus the user's files."""
    if not data_files:
        return project_sources()
    ontology = [s for s in project_sources() if s.kind == "ontology"]
    return ontology + user_sources(data_files)
