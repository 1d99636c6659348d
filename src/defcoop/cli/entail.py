from __future__ import annotations

import sys

import click

from defcoop.cli.common import data_option


@click.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False),
    help="Write here (atomically). Default: data/derived/entailed.ttl for the project's "
    "own data, standard output with --data.",
)
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if data/derived/entailed.ttl differs from a fresh derivation.")
@data_option
def entail(output, check, data_files):
    """Derive the entailed graph: superclass types, super-property triples, the
    property chains of dco:involves, and the day interval of every date.

    The project's own is data/derived/entailed.ttl, loaded as the named graph
    https://w3id.org/defcoop/graph/entailed by query, export, load and serve
    (--no-entailed leaves it out). Run this after changing ontology/ or data/.
    """
    from defcoop import resources
    from defcoop.errors import DefcoopError
    from defcoop.graph.entailment import derive, to_turtle
    from defcoop.graph.export import write_atomic
    from defcoop.graph.files import default_sources, load_graph, user_sources

    if data_files:
        asserted = [s for s in default_sources(entailed=False) if s.kind == "ontology"] + user_sources(data_files)
    else:
        asserted = default_sources(entailed=False)
    data = to_turtle(derive(asserted), load_graph(asserted))
    target = resources.entailed_file()
    if check:
        if data_files:
            raise DefcoopError("--check compares the project's own entailed graph; it takes no --data")
        current = target.read_bytes() if target.is_file() else b""
        if current != data:
            click.echo(f"{target}: differs from a fresh derivation; run `defcoop entail`", err=True)
            sys.exit(1)
        click.echo(f"{target}: up to date", err=True)
        return
    if output is None and data_files:
        sys.stdout.buffer.write(data)
        return
    path = output or target
    write_atomic(data, path)
    click.echo(f"wrote {path}", err=True)
