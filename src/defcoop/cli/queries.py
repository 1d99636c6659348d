from __future__ import annotations

import json

import click


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="table for people, json for tools.",
)
@click.option(
    "--prefixes", is_flag=True,
    help="Print the project's prefixes as SPARQL PREFIX lines instead (`defcoop query` "
    "declares them for a text that uses them without declaring them).",
)
def queries(fmt, prefixes):
    """List the stored queries: name, summary and parameters.

    Run one with `defcoop query NAME`. To add a question, put a .rq file in the
    library folder (or a folder listed in DEFCOOP_QUERY_PATH); see queries/README.md.
    """
    if prefixes:
        from defcoop.namespaces import PREFIXES

        click.echo("\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()))
        return
    from defcoop.query.library import load_library

    library = load_library()
    if fmt == "json":
        click.echo(json.dumps([
            {
                "name": q.name,
                "summary": q.summary,
                "description": q.description,
                "kind": q.kind,
                "example": q.example,
                "params": [
                    {"name": p.name, "type": p.type, "default": p.default,
                     "required": p.required, "description": p.description}
                    for p in q.params
                ],
            }
            for q in library
        ], indent=2, ensure_ascii=False))
        return
    width = max((len(q.name) for q in library), default=4)
    lines = []
    for q in library:
        lines.append(f"{q.name.ljust(width)}  {q.summary}")
        for p in q.params:
            default = "required" if p.required else f"default {p.default}"
            lines.append(f"{'':{width}}    --param {p.name}=<{p.type}>  ({default}) {p.description}".rstrip())
    click.echo("\n".join(lines))
