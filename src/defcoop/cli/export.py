from __future__ import annotations

import sys

import click

from defcoop.cli.common import data_option, entailed_option, sources_for
from defcoop.graph import rdf_formats
from defcoop.graph.export import output_format, write_atomic


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(rdf_formats.EXPORTED), default=None,
    help="ttl, nt, jsonld: the merged graph; trig, nq: one named graph per source file "
    "(the graphs of `defcoop load`); xml: RDF/XML [default: from the suffix of -o, else ttl].",
)
@click.option(
    "--graphs", type=click.Choice(["all", "data"]), default="all", show_default=True,
    help="all: the ontology and the data; data: the reference data and the documents only, "
    "which `defcoop validate FILE` checks against the ontology.",
)
@click.option(
    "-o", "--output", type=click.Path(),
    help="Write to this file (atomically) instead of standard output.",
)
@click.option(
    "--dataset", "dataset_file", type=click.Path(dir_okay=False), metavar="FILE",
    help="Also write the VoID + DCAT description of the export (with its SHA-256) to FILE "
    "(dataset.ttl); needs -o.",
)
@data_option
@entailed_option
def export(fmt, graphs, output, dataset_file, data_files, no_entailed):
    """Export the ontology and data: Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML.

    Byte-stable: the same graph gives the same bytes on every run.
    """
    from defcoop.errors import DefcoopError
    from defcoop.graph import serialize as S
    from defcoop.query.engine import load_store

    fmt = output_format(output, fmt)  # before loading: a wrong suffix costs nothing
    if dataset_file and not output:
        raise DefcoopError("--dataset: needs -o FILE (the description names the file and its checksum)")
    sources = sources_for(data_files, entailed=not no_entailed)
    store = load_store(sources)
    chosen = None if graphs == "all" else [s.iri for s in sources if s.kind not in ("ontology", "entailed")]
    if fmt == "xml":
        if chosen is not None:
            raise DefcoopError("--graphs data: not with --format xml (use ttl, nt, jsonld, trig or nq)")
        from defcoop.query.engine import serialize as oxigraph_serialize

        data = oxigraph_serialize(store, "xml")
    else:
        data = S.serialize(S.store_statements(store, fmt, chosen), fmt)
    if output:
        write_atomic(data, output)
    else:
        sys.stdout.buffer.write(data)
    if dataset_file:
        from pathlib import Path

        from defcoop.graph import dataset

        media = rdf_formats.by_name(fmt).media_type
        # the dump is named by where it was written (a file: IRI)
        triples = dataset.describe(store, dumps={Path(output).resolve().as_uri(): (media, data)})
        write_atomic(S.turtle(triples, dataset.prefixes()), dataset_file)
