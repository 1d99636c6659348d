from __future__ import annotations

import sys

import click

from defcoop.graph.export import FORMATS, write_atomic
from defcoop.cli.common import data_option, entailed_option, sources_for


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="ttl", show_default=True,
    help="RDF serialisation.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False),
    help="Write to this file (atomically) instead of standard output.",
)
@data_option
@entailed_option
def export(fmt, output, data_files, no_entailed):
    """Export the ontology and data merged into one RDF file."""
    from defcoop.query.engine import load_store, serialize  # Oxigraph's serialisers: ~7x rdflib's

    data = serialize(load_store(sources_for(data_files, entailed=not no_entailed)), fmt)
    if output:
        write_atomic(data, output)
    else:
        sys.stdout.buffer.write(data)
