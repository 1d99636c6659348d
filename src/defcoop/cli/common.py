"""Options shared by several commands."""

from __future__ import annotations

import click

from defcoop.graph.selection import select as sources_for  # noqa: F401 (the commands' name for it)


def data_option(f):
    return click.option(
        "--data",
        "data_files",
        multiple=True,
        type=click.Path(),
        help="Use these RDF files (with the ontology) instead of the project's data; a folder "
        "means every RDF file in it. Repeatable.",
    )(f)


def entailed_option(f):
    return click.option(
        "--no-entailed", "no_entailed", is_flag=True,
        help="Leave out the entailed graph (superclass types, super-properties such as "
        "dco:involves, day intervals of dates): the asserted graph only.",
    )(f)


def auth_options(f):
    """``--auth``, ``--preemptive-auth`` and ``--insecure-auth``: how credentials from the
    environment may be sent (`defcoop.stores.client`, "the credential rule")."""
    f = click.option("--insecure-auth", is_flag=True,
                     help="Allow basic credentials over plain http to another machine (they travel in clear).")(f)
    f = click.option("--preemptive-auth", is_flag=True,
                     help="Send basic credentials with every update/Graph Store request, not only after a challenge.")(f)
    return click.option("--auth", type=click.Choice(["basic", "digest"]), default=None,
                        help="Answer only this kind of challenge with DEFCOOP_STORE_USER / "
                             "DEFCOOP_STORE_PASSWORD (default: whichever the store asks for; "
                             "credentials are sent only when it asks).")(f)
