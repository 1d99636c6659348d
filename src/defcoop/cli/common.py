"""Options shared by several commands."""

from __future__ import annotations

import click

from defcoop.graph.files import default_sources, user_sources


def data_option(f):
    return click.option(
        "--data",
        "data_files",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="Use these RDF files (with the ontology) instead of the project's data. Repeatable.",
    )(f)


def sources_for(data_files):
    """The project's sources, or the ontology plus the user's files."""
    if not data_files:
        return default_sources()
    ontology = [s for s in default_sources() if s.kind == "ontology"]
    return ontology + user_sources(data_files)


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
