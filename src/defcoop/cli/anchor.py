from __future__ import annotations

import click

from defcoop.graph.anchor import anchor_file


@click.command()
@click.argument("turtle_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--source", "source_file", required=True, type=click.Path(exists=True, dir_okay=False),
    help="The plain-text source the quotes come from.",
)
def anchor(turtle_file, source_file):
    """Fill in the positions of the quotes in TURTLE_FILE from the source text.

    For authors of data: write each quote as oa:exact "..." with a position selector
    of oa:start 0 ; oa:end 0, and this writes the real positions in place.
    """
    changed = anchor_file(turtle_file, source_file)
    click.echo(f"{turtle_file}: {changed} quote position(s) filled in")
