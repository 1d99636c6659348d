from __future__ import annotations

import json

import click

from defcoop.cli.common import data_option, sources_for
from defcoop.graph.info import describe


@click.command()
@data_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="table for people (fits the terminal, or COLUMNS); json for pipes and tools.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
def info(data_files, fmt, as_json):
    """What is loaded: files, triples, and instances per class.

    The table shows files relative to the project folder (else to the current
    folder); json gives them as they were read.
    """
    result = describe(sources_for(data_files))
    if as_json or fmt == "json":
        click.echo(
            json.dumps(
                {
                    "triples": result.triples,
                    "files": [f.__dict__ for f in result.files],
                    "classes": dict(result.classes),
                },
                indent=2,
            )
        )
        return
    from defcoop.graph.info import shown_path
    from defcoop.query.formats import terminal_width, text_table

    width = terminal_width()
    click.echo(f"Files ({result.triples} triples after merging)\n")
    click.echo(text_table(
        ["file", "kind", "named graph", "triples"],
        [[shown_path(f.path), f.kind, f.graph, f.triples] for f in result.files], width, right={3},
    ))
    click.echo("Instances per class\n")
    click.echo(text_table(["class", "instances"], result.classes, width, right={1}), nl=False)
