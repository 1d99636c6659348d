from __future__ import annotations

import sys

import click

from defcoop.validation.inference import KINDS


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text",
    show_default=True,
    help="text: for people, grouped by node; json: for machines; turtle: a SHACL sh:ValidationReport.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option(
    "--inference", type=click.Choice(KINDS), default="none", show_default=True,
    help="Validate the RDFS or OWL 2 RL closure of the graph (and report OWL 2 RL "
    "inconsistencies) instead of the graph as written. Slower (owlrl: seconds).",
)
@click.option(
    "--with-reference", is_flag=True,
    help="With FILEs: add the project's reference data (states, organisations, people, "
    "places, materiel), so that your data can link to id:NL and the like.",
)
@click.option(
    "--engine", type=click.Choice(["oxigraph", "oxigraph-whole", "pyshacl"]), default=None,
    help="oxigraph (default): SHACL compiled to SPARQL, per document, cached by content; "
    "oxigraph-whole: the same on the whole graph, no cache; pyshacl: plain pySHACL. "
    "All three give the same findings. Default from DEFCOOP_VALIDATE_ENGINE.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Processes that validate documents in parallel (engine oxigraph, documents "
    "not in the cache). Default: DEFCOOP_JOBS, else the CPUs available.",
)
def validate(files, fmt, strict, inference, with_reference, engine, jobs):
    """Check the project's ontology and data, or FILEs, against defcoop's rules.

    Without FILEs: the project's own ontology, vocabularies and data. With FILEs:
    exactly those RDF files (a folder: every RDF file in it), together with the ontology and vocabularies. The rules:
    the SHACL shapes (ontology/shapes.ttl), declared terms, labels and definitions of
    the terms we mint, no class used as an instance, typed nodes, links that lead
    somewhere, and every quote against its source text.

    Exit status: 0 conforms; 1 violations (or warnings, with --strict); 2 a file
    could not be read or parsed (the message names the file and line).
    """
    import logging

    from defcoop.graph.files import project_sources, user_sources

    # rdflib logs a traceback for every ill-typed literal; the report names them
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    from defcoop.validation.report.render import summary, to_json, to_text, to_turtle
    from defcoop.validation.validate import validate as run

    project = project_sources()
    if files:
        kinds = {"ontology", "reference"} if with_reference else {"ontology"}
        sources = [s for s in project if s.kind in kinds] + user_sources(files)
    else:
        sources = project
    options = {"engine": engine} if engine else {}
    report = run(sources, strict=strict, inference=inference, jobs=jobs, **options)
    if fmt == "json":
        click.echo(to_json(report))
    elif fmt == "turtle":
        click.echo(to_turtle(report))
    else:
        from rich.console import Console

        to_text(report, Console(highlight=False, soft_wrap=True, emoji=False))  # ":date:" is text, not 📅
    if fmt != "text":
        click.echo(summary(report), err=True)
    if report.exit_code:
        sys.exit(report.exit_code)
