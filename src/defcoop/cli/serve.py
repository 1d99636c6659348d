from __future__ import annotations

import click

from defcoop.cli.common import data_option, entailed_option, sources_for


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=int, default=7878, show_default=True, help="Port to listen on.")
@click.option("--writable", is_flag=True,
              help="Also accept SPARQL Update (/update) and Graph Store writes (/store); "
                   "changes are lost when it stops.")
@data_option
@entailed_option
def serve(host, port, writable, data_files, no_entailed):
    """Serve the graph as a local SPARQL endpoint (Oxigraph server) until Ctrl-C.

    Each file is a named graph (the IRIs of `defcoop load`); queries without
    GRAPH see all of them. Read-only unless --writable. Prints the query URL.
    """
    from defcoop.stores.serve import serve as run_server

    def ready(base):
        click.echo(f"SPARQL endpoint: {base}/query", nl=True)
        if writable:
            click.echo(f"SPARQL Update:   {base}/update")
            click.echo(f"Graph Store:     {base}/store")
        click.echo("read-write (changes are lost on exit)" if writable else "read-only", err=True)
        click.echo("press Ctrl-C to stop", err=True)

    try:
        run_server(sources_for(data_files, entailed=not no_entailed), host=host, port=port, writable=writable, on_ready=ready)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
