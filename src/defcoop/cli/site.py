from __future__ import annotations

import click

from defcoop.cli.common import data_option, sources_for


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--no-queries", is_flag=True, help="Do not run the stored queries (their page says so).")
@data_option
def site(outdir, no_queries, data_files):
    """Build a static web site of the graph into OUTDIR (replaced whole, atomically).

    Entity pages with their sources, the partner network, the timeline, the letter,
    the stored queries and the ontology reference; every asset is local.
    """
    from defcoop.site import build_site

    report = build_site(outdir, sources_for(data_files), queries=not no_queries)
    click.echo(
        f"{report.outdir}: {report.pages} pages ({report.entities} entities, "
        f"{report.quotes} quotes, {report.queries} queries) in {report.seconds:.1f} s; "
        f"open {report.outdir / 'index.html'}"
    )
