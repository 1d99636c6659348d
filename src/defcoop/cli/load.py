from __future__ import annotations

import sys
import time

import click

from defcoop.cli.common import auth_options, data_option, entailed_option, sources_for


@click.command()
@click.option("--endpoint", "query_url", required=True, metavar="QUERY_URL",
              help="SPARQL query URL (Oxigraph: http://HOST:7878/query; Virtuoso: http://HOST:8890/sparql).")
@click.option("--update", "update_url", metavar="UPDATE_URL",
              help="SPARQL Update URL (default: the query URL; Oxigraph: /update; Virtuoso: /sparql-auth).")
@click.option("--gsp", "gsp_url", metavar="STORE_URL",
              help="Graph Store Protocol URL; if given, files are PUT into staging graphs there, then "
                   "swapped in by one update (faster; union-graph readers see the staging copies "
                   "meanwhile). Oxigraph: /store; Virtuoso: /sparql-graph-crud-auth.")
@auth_options
@click.option("--graph", "graph_overrides", multiple=True, metavar="KEY=IRI",
              help="Named graph for one source (KEY: kind/file, e.g. document/kst-33279-29, or the file name). Repeatable.")
@click.option("--graph-base", metavar="IRI",
              help="Replace https://w3id.org/defcoop/graph/ at the start of every graph IRI.")
@click.option("--batch-size", type=int, default=100, show_default=True,
              help="Triples per INSERT DATA operation (Virtuoso: the smaller the faster; 5,000 fails).")
@click.option("--timeout", type=float, default=60, show_default=True, help="Seconds to wait for each answer.")
@click.option("--retries", type=int, default=3, show_default=True,
              help="Retries of a transient failure (connection refused, HTTP 429/502/503/504), with back-off.")
@click.option("--lock-wait", type=float, default=60, show_default=True,
              help="Seconds to wait while another load holds the store's load lock, then refuse.")
@click.option("--lock-lease", type=float, default=30, show_default=True,
              help="Seconds this load's claim on the lock holds without a heartbeat (it renews it "
                   "every few seconds); a claim whose lease ran out (its load was killed) is removed "
                   "by the next load.")
@click.option("--dry-run", is_flag=True, help="Print every request that would be sent; send nothing.")
@click.option("--cleanup", is_flag=True,
              help="Remove what failed or killed loads left: staging graphs of these graphs, load claims.")
@data_option
@entailed_option
def load(query_url, update_url, gsp_url, auth, preemptive_auth, insecure_auth, graph_overrides,
         graph_base, batch_size, timeout, retries, lock_wait, lock_lease, dry_run, cleanup, data_files, no_entailed):
    """Load the ontology and data into a triple store, one named graph per file, and verify.

    Every graph is replaced in one SPARQL Update request (one transaction), under
    a load lock on the store so that two loads never interleave; afterwards the
    triples of each graph are counted on the store and compared with the local
    files. Exit 0 verified, 2 on any error (nothing replaced unless the message
    says otherwise).
    """
    from defcoop.errors import DefcoopError
    from defcoop.stores import load as loading
    from defcoop.stores.client import Store, check_url, credentials_from_env

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

    for option, url in (("--endpoint", query_url), ("--update", update_url), ("--gsp", gsp_url)):
        if url is not None:
            check_url(option, url)
    credentials = credentials_from_env(auth, preemptive_auth, insecure_auth)
    store = Store(query_url, update_url, gsp_url, credentials, timeout=timeout, retries=retries)
    loads = loading.targets(sources_for(data_files, entailed=not no_entailed), graph_base, overrides)
    lock = loading.lock_graph(graph_base)
    again = loading.cleanup_command(query_url, update_url, graph_base, graph_overrides, data_files,
                                    entailed=not no_entailed)

    if cleanup:
        store.ask()
        removed = loading.cleanup(store, loads, lock)
        for graph in removed:
            click.echo(f"removed <{graph}>")
        click.echo(f"cleanup: {len(removed)} graphs removed", err=True)
        return

    planned = loading.plan(store, loads, use_gsp=bool(gsp_url), batch_size=batch_size, lock=lock,
                           lock_wait=lock_wait, cleanup=again, lease=lock_lease,
                           notice=lambda line: click.echo(f"defcoop: {line}", err=True))
    reports = planned.reports
    steps = planned.steps
    if dry_run:
        for step in steps:
            click.echo(step.describe)
        click.echo(f"dry run: {len(steps)} steps, {sum(r.local for r in reports)} triples "
                   f"in {len(reports)} graphs; nothing sent", err=True)
        return

    started = time.monotonic()
    total = sum(s.triples for s in steps)
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("loading", total=total)
            reports = loading.run(store, planned, advance=lambda n: bar.advance(task, n))
    else:
        reports = loading.run(store, planned)
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
