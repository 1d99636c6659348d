from __future__ import annotations

import json

import click

from defcoop.graph.info import describe
from defcoop.cli.common import data_option, sources_for


@click.command()
@data_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def info(data_files, as_json):
    """What is loaded: files, triples, and instances per class."""
    result = describe(sources_for(data_files))
    if as_json:
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
    from rich.console import Console
    from rich.table import Table

    console = Console()
    files = Table(title=f"Files ({result.triples} triples after merging)")
    for col in ("file", "kind", "named graph", "triples"):
        files.add_column(col, justify="right" if col == "triples" else "left")
    for f in result.files:
        files.add_row(f.path, f.kind, f.graph, str(f.triples))
    console.print(files)
    classes = Table(title="Instances per class")
    classes.add_column("class")
    classes.add_column("instances", justify="right")
    for name, n in result.classes:
        classes.add_row(name, str(n))
    console.print(classes)
