from __future__ import annotations

import click

from ..graph import load_graph
from ..query import read_query, run
from .common import data_option, sources_for


@click.command()
@click.argument("query_file", type=click.Path(dir_okay=False))
@data_option
def query(query_file, data_files):
    """Run a SPARQL file on the embedded graph and print the result."""
    text = read_query(query_file)
    graph = load_graph(sources_for(data_files))
    result = run(text, graph, name=query_file)
    if result.kind == "ASK":
        click.echo("true" if result.boolean else "false")
        return
    if result.graph is not None:
        click.echo(result.graph.serialize(format="turtle"))
        return
    from rich.console import Console
    from rich.table import Table

    nm = graph.namespace_manager
    table = Table(show_lines=False)
    for v in result.variables:
        table.add_column(v)
    for row in result.rows:
        table.add_row(*[_cell(term, nm) for term in row])
    Console().print(table)
    click.echo(f"{len(result.rows)} rows", err=True)


def _cell(term, nm):
    if term is None:
        return ""
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return term.n3(nm)
    if isinstance(term, Literal):
        return str(term)
    return term.n3()
