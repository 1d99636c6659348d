from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from defcoop.query.formats import FORMATS
from defcoop.cli.common import auth_options, data_option, entailed_option, sources_for


@click.command()
@click.argument("name_or_file", required=False)
@click.option(
    "--sparql", "-s", "sparql", metavar="TEXT",
    help="Run this SPARQL text instead of a stored query or file. The project's prefixes "
    "(dco:, id:, rdfs: ... as in `defcoop queries`) need not be declared.",
)
@click.option(
    "--param", "-p", "assignments", multiple=True, metavar="NAME=VALUE",
    help="A value for one of the query's parameters (repeatable); see `defcoop queries`.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="table/markdown for people (the table fits the terminal, or COLUMNS); csv, tsv, "
    "json are the W3C SPARQL result formats, for pipes. CONSTRUCT and DESCRIBE print Turtle.",
)
@click.option(
    "--lang", metavar="en|nl", default=None,
    help="Language of the labels, for queries with a `lang` parameter: the same setting as "
    "--param lang=... (default: the query's own, en).",
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
@entailed_option
def query(name_or_file, sparql, assignments, fmt, lang, endpoint, timeout, auth, preemptive_auth,
          insecure_auth, data_files, no_entailed):
    """Run a stored query (by NAME), a SPARQL file or --sparql TEXT and print its answer.

    The project's prefixes that the text uses and does not declare are declared for
    it; a syntax error names the line and column of the text as written.

    \b
    Examples:
      defcoop query agreements
      defcoop query partner --param country=id:FR --lang nl
      defcoop query my-question.rq --format csv
      defcoop query --sparql 'SELECT ?x WHERE { ?x a dco:Agreement }'
      defcoop query timeline --endpoint http://127.0.0.1:7878/query
    """
    from defcoop.errors import DefcoopError
    from defcoop.query.formats import render, terminal_width
    from defcoop.query.library import bind, find, parse, parse_assignments
    from defcoop.query.params import ParameterError, to_term
    from defcoop.query.runner import check_syntax, execute
    from defcoop.query.syntax import declare_prefixes

    if endpoint and data_files:
        raise DefcoopError("--endpoint and --data cannot be combined (the endpoint has its own data)")
    if endpoint:
        from defcoop.stores.client import check_url, credentials_from_env

        check_url("--endpoint", endpoint)  # before any work: a bad URL is one line
        credentials = credentials_from_env(auth, preemptive_auth, insecure_auth)
    if (sparql is None) == (name_or_file is None):
        raise DefcoopError("give a stored query's NAME, a FILE.rq or --sparql TEXT (one of them)")
    if sparql is not None:
        name = "--sparql"
        declared, offset = declare_prefixes(sparql)
        check_syntax(declared, name, offset)  # before the header is read: errors in place
        stored = parse(declared, Path(name), name=name)
    else:
        stored = find(name_or_file)
        name = str(stored.path)
        declared, offset = declare_prefixes(stored.text)
        check_syntax(declared, name, offset)
        stored = replace(stored, text=declared)
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
    if endpoint:
        from defcoop.query.endpoint import remote

        result = remote(text, endpoint, timeout=timeout, name=name, credentials=credentials)
    else:
        result = execute(text, sources_for(data_files, entailed=not no_entailed), name=name)
    out = render(result, fmt, width=terminal_width())
    sys.stdout.write(out)
    sys.stdout.flush()
    if result.kind == "SELECT" and fmt in ("table", "markdown"):
        n = len(result)
        click.echo(f"{n} row" if n == 1 else f"{n} rows", err=True)
