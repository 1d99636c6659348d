from __future__ import annotations

import sys

import click

from defcoop.query.formats import FORMATS
from defcoop.cli.common import auth_options, data_option, sources_for


@click.command()
@click.argument("name_or_file")
@click.option(
    "--param", "-p", "assignments", multiple=True, metavar="NAME=VALUE",
    help="A value for one of the query's parameters (repeatable); see `defcoop queries`.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="table/markdown for people; csv, tsv, json are the W3C SPARQL result formats. "
    "CONSTRUCT and DESCRIBE always print Turtle.",
)
@click.option(
    "--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True,
    help="Language of the labels (for queries with a `lang` parameter).",
)
@click.option(
    "--endpoint", metavar="URL",
    help="Run on this SPARQL endpoint instead of the embedded graph "
    "(credentials, sent only if it asks, from DEFCOOP_STORE_USER / DEFCOOP_STORE_PASSWORD).",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
    help="Seconds to wait for the endpoint.",
)
@auth_options
@data_option
def query(name_or_file, assignments, fmt, lang, endpoint, timeout, auth, preemptive_auth,
          insecure_auth, data_files):
    """Run a stored query (by NAME) or a SPARQL file and print its answer.

    \b
    Examples:
      defcoop query agreements
      defcoop query partner --param country=id:FR --lang nl
      defcoop query my-question.rq --format csv
      defcoop query timeline --endpoint http://127.0.0.1:7878/query
    """
    from defcoop.errors import DefcoopError
    from defcoop.query.formats import render
    from defcoop.query.library import bind, find, parse_assignments
    from defcoop.query.runner import check_syntax, execute

    if endpoint and data_files:
        raise DefcoopError("--endpoint and --data cannot be combined (the endpoint has its own data)")
    if endpoint:
        from defcoop.stores.client import check_url, credentials_from_env

        check_url("--endpoint", endpoint)  # before any work: a bad URL is one line
        credentials = credentials_from_env(auth, preemptive_auth, insecure_auth)
    stored = find(name_or_file)
    values = parse_assignments(assignments)
    if stored.param("lang") is not None and "lang" not in values:
        values["lang"] = lang
    text = bind(stored, values)
    name = str(stored.path)
    if endpoint:
        from defcoop.query.endpoint import remote

        check_syntax(text, name)
        result = remote(text, endpoint, timeout=timeout, name=name, credentials=credentials)
    else:
        result = execute(text, sources_for(data_files), name=name)
    out = render(result, fmt)
    sys.stdout.write(out)
    sys.stdout.flush()
    if result.kind == "SELECT" and fmt in ("table", "markdown"):
        click.echo(f"{len(result.rows)} rows", err=True)
