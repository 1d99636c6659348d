from __future__ import annotations

import sys
import time

import click

from defcoop.cli.common import data_option, entailed_option, sources_for


@click.command()
@click.option("--endpoint", "query_url", required=True, metavar="QUERY_URL",
              help="SPARQL query URL (Oxigraph: http://HOST:7878/query; Virtuoso: http://HOST:8890/sparql).")
@click.option("--update", "update_url", metavar="UPDATE_URL",
              help="SPARQL Update URL (default: the query URL; Oxigraph: /update; Virtuoso: /sparql-auth).")
@click.option("--gsp", "gsp_url", metavar="STORE_URL",
              help="Graph Store Protocol URL; if given, files are PUT there instead of INSERT DATA "
                   "(Oxigraph: /store; Virtuoso: /sparql-graph-crud-auth).")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default=None,
              help="HTTP authentication with DEFCOOP_STORE_USER / DEFCOOP_STORE_PASSWORD "
                   "(default: basic if DEFCOOP_STORE_USER is set, else none).")
@click.option("--graph", "graph_overrides", multiple=True, metavar="KEY=IRI",
              help="Named graph for one source (KEY: kind/file, e.g. document/kst-33279-29, or the file name). Repeatable.")
@click.option("--graph-base", metavar="IRI",
              help="Replace https://w3id.org/defcoop/graph/ at the start of every graph IRI.")
@click.option("--batch-size", type=int, default=1000, show_default=True,
              help="Triples per INSERT DATA request (Virtuoso fails above about 1,200).")
@click.option("--timeout", type=float, default=60, show_default=True, help="Seconds to wait for each answer.")
@click.option("--retries", type=int, default=3, show_default=True,
              help="Retries of a transient failure (connection refused, HTTP 429/502/503/504), with back-off.")
@click.option("--dry-run", is_flag=True, help="Print every request that would be sent; send nothing.")
@data_option
@entailed_option
def load(query_url, update_url, gsp_url, auth, graph_overrides, graph_base, batch_size,
         timeout, retries, dry_run, data_files, no_entailed):
    """Load the ontology and data into a triple store, one named graph per file, and verify.

    Each file goes into a staging graph first and replaces its graph only when
    every file has arrived complete; afterwards the triples of each graph are
    counted on the store and compared with the local files. Exit 0 verified,
    2 on any error (nothing replaced unless the message says otherwise).
    """
    from defcoop.errors import DefcoopError
    from defcoop.stores.load import plan, run, targets
    from defcoop.stores.client import Store, credentials_from_env

    overrides = {}
    for item in graph_overrides:
        key, sep, iri = item.partition("=")
        if not sep or not key or not iri:
            raise DefcoopError(f"--graph {item!r}: expected KEY=IRI")
        overrides[key] = iri
    if retries < 0:
        raise DefcoopError(f"--retries: must be 0 or more (got {retries})")
    if timeout <= 0:
        raise DefcoopError(f"--timeout: must be positive (got {timeout:g})")

    credentials = credentials_from_env(auth)
    store = Store(query_url, update_url, gsp_url, credentials, timeout=timeout, retries=retries)
    loads = targets(sources_for(data_files, entailed=not no_entailed), graph_base, overrides)
    reports = []
    steps = plan(store, loads, use_gsp=bool(gsp_url), batch_size=batch_size, reports=reports)

    if dry_run:
        for step in steps:
            click.echo(step.describe)
        click.echo(f"dry run: {len(steps)} requests, {sum(r.local for r in reports)} triples "
                   f"in {len(reports)} graphs; nothing sent", err=True)
        return

    started = time.monotonic()
    total = sum(s.triples for s in steps)
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("loading", total=total)
            run(store, loads, steps, advance=lambda n: bar.advance(task, n))
    else:
        run(store, loads, steps)
    elapsed = time.monotonic() - started

    width = max(len(r.graph) for r in reports) if reports else 5
    click.echo(f"{'graph':<{width}}  {'local':>7}  {'store':>7}")
    for r in reports:
        click.echo(f"{r.graph:<{width}}  {r.local:>7}  {r.store if r.store is not None else '?':>7}"
                   + ("" if r.ok else "  MISMATCH"))
    bad = [r for r in reports if not r.ok]
    if bad:
        raise DefcoopError(
            f"verification failed: <{bad[0].graph}> holds {bad[0].store} triples on the store, "
            f"the local file {bad[0].local}"
        )
    click.echo(f"loaded and verified {total} triples in {len(reports)} graphs "
               f"in {elapsed:.1f} s ({total / max(elapsed, 1e-9):,.0f} triples/s)", err=True)
