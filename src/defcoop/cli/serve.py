from __future__ import annotations

import signal

import click

from defcoop.cli.common import data_option, entailed_option, sources_for


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=int, default=7878, show_default=True, help="Port to listen on.")
@click.option("--htaccess", "htaccess", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the w3id.org redirect rules (.htaccess) for a copy deployed at "
                   "--deployed-at to FILE, and exit.")
@click.option("--deployed-at", metavar="URL", default="https://defcoop.example.org",
              show_default=True, help="With --htaccess: where the deployed server answers.")
@data_option
@entailed_option
def serve(host, port, htaccess, deployed_at, data_files, no_entailed):
    """Serve the graph over HTTP until Ctrl-C: SPARQL, the stored queries as an API,
    every https://w3id.org/defcoop/ IRI, the dataset description. Read-only.

    \b
    /sparql                SPARQL 1.1 Protocol (query only; SERVICE refused)
    /api, /api/NAME        one operation per stored query (/api/openapi.json)
    /id/..., /vocab/...    the things, as HTML, Turtle, JSON-LD or N-Triples
    /.well-known/void      the VoID + DCAT description; /dump/defcoop.ttl ... the dumps
    """
    if htaccess:
        from defcoop.graph.export import write_atomic
        from defcoop.web.htaccess import rules

        write_atomic(rules(deployed_at).encode(), htaccess)
        click.echo(f"wrote {htaccess}", err=True)
        return
    # Starlette and uvicorn are imported only here: `import defcoop.cli` stays fast
    from defcoop.web.app import run

    def ready(base):
        click.echo(f"SPARQL endpoint: {base}/sparql")
        click.echo(f"API:             {base}/api (OpenAPI: {base}/api/openapi.json)")
        click.echo(f"Things:          {base}/id/...  Description: {base}/.well-known/void")
        click.echo("read-only; press Ctrl-C to stop", err=True)

    def interrupt(signum, frame):  # SIGTERM ends the server as Ctrl-C does
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        run(sources_for(data_files, entailed=not no_entailed), host=host, port=port, on_ready=ready)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("stopped", err=True)
