from __future__ import annotations

import sys

import click

from defcoop.cli.common import data_option, sources_for
from defcoop.graph import rdf_formats
from defcoop.graph.export import output_format, write_atomic


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(rdf_formats.EXPORTED), default=None,
    help="RDF serialisation [default: from the suffix of -o, else ttl].",
)
@click.option(
    "-o", "--output", type=click.Path(),
    help="Write to this file (atomically) instead of standard output.",
)
@data_option
def export(fmt, output, data_files):
    """Export the ontology and data merged into one RDF file."""
    from defcoop.query.engine import load_store, serialize  # Oxigraph's serialisers: ~7x rdflib's

    fmt = output_format(output, fmt)  # before loading: a wrong suffix costs nothing
    data = serialize(load_store(sources_for(data_files)), fmt)
    if output:
        write_atomic(data, output)
    else:
        sys.stdout.buffer.write(data)
