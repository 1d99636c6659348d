from __future__ import annotations

import sys

import click

from defcoop.query.formats import FORMATS
from defcoop.cli.common import data_option, entailed_option, sources_for


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
    "--lang", metavar="en|nl", default=None,
    help="Language of the labels, for queries with a `lang` parameter: the same setting as "
    "--param lang=... (default: the query's own, en).",
)
@click.option(
    "--endpoint", metavar="URL",
    help="Run on this SPARQL endpoint instead of the embedded graph "
    "(credentials, if needed, from DEFCOOP_STORE_USER / DEFCOOP_STORE_PASSWORD).",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
    help="Seconds to wait for the endpoint.",
)
@data_option
@entailed_option
def query(name_or_file, assignments, fmt, lang, endpoint, timeout, data_files, no_entailed):
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
    from defcoop.query.params import ParameterError, to_term
    from defcoop.query.runner import check_syntax, execute

    if endpoint and data_files:
        raise DefcoopError("--endpoint and --data cannot be combined (the endpoint has its own data)")
    stored = find(name_or_file)
    values = parse_assignments(assignments)
    if lang is not None:  # one setting with --param lang=, checked by the one check
        try:
            to_term("lang", "lang", lang)
        except ParameterError as exc:
            raise ParameterError(str(exc).replace("--param lang", "--lang", 1)) from None
        if "lang" in values and values["lang"].strip().lower() != lang.strip().lower():
            raise ParameterError(f"--lang {lang} and --param lang={values['lang']} disagree: give one")
        if stored.param("lang") is not None:
            values["lang"] = lang
    text = bind(stored, values)
    name = str(stored.path)
    if endpoint:
        from defcoop.query.endpoint import remote

        check_syntax(text, name)
        result = remote(text, endpoint, timeout=timeout, name=name)
    else:
        result = execute(text, sources_for(data_files, entailed=not no_entailed), name=name)
    out = render(result, fmt)
    sys.stdout.write(out)
    sys.stdout.flush()
    if result.kind == "SELECT" and fmt in ("table", "markdown"):
        n = len(result.rows)
        click.echo(f"{n} row" if n == 1 else f"{n} rows", err=True)
