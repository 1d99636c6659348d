"""The ``defcoop`` command: a thin layer over the package's functions.

Each subcommand lives in its own module and is imported only when it runs, so that
``defcoop query`` does not pay for pyshacl and ``defcoop validate`` not for the
query formatter. To add a command, add its module here.

Exit codes, everywhere: 0 success (or conforms), 1 a finding (violations), 2 an
error in the input or the environment (the message names the file, line or
parameter).
"""

from __future__ import annotations

import importlib
import sys

import click

from defcoop import __version__

COMMANDS = {
    "info": "defcoop.cli.info:info",
    "query": "defcoop.cli.query:query",
    "queries": "defcoop.cli.queries:queries",
    "export": "defcoop.cli.export:export",
    "entail": "defcoop.cli.entail:entail",
    "anchor": "defcoop.cli.anchor:anchor",
    "site": "defcoop.cli.site:site",
    "load": "defcoop.cli.load:load",
    "serve": "defcoop.cli.serve:serve",
    "validate": "defcoop.cli.validate:validate",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="defcoop")
def cli():
    """A sourced knowledge graph of the Netherlands' bilateral defence cooperation.

    Every fact traces to the words of the letter that state it.
    """


def main(argv=None):
    from defcoop.errors import DefcoopError

    try:
        cli.main(args=argv, prog_name="defcoop", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except DefcoopError as exc:
        click.echo(f"defcoop: error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # the environment (a read-only or full disk...): one line, exit 2
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"defcoop: error: {where}{exc.strerror or exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
