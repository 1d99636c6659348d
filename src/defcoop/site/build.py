"""Building the site: collect from the graph, render every page, write the folder atomically.

The whole site is written into a fresh folder beside OUTDIR and only then moved into
place, so that OUTDIR is either the old site or the new one, never half of each. An
existing OUTDIR is replaced only if it is empty or a site built by defcoop (it holds
the marker file ``.defcoop-site``): a wrong argument never wipes someone's folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path

from defcoop.errors import DefcoopError
from defcoop.namespaces import DCO
from defcoop.query import engine, library
from defcoop.query.params import TYPES
from defcoop.site import render, search
from defcoop.site.engine import engine_files, free_query, query_specs
from defcoop.site.facets import facets
from defcoop.site.letter import source_views
from defcoop.site.model import SiteModel
from defcoop.site.network import network
from defcoop.site.ontology import ontology_view
from defcoop.site.partners import partner_views
from defcoop.site.queries import query_views
from defcoop.site.sentences import also_called, lines, paragraphs
from defcoop.site.timeline import timeline

MARKER = ".defcoop-site"
STATIC = ("style.css", "lang.js", "search.js", "sparql.js", "figure.js")


@dataclass
class BuildReport:
    outdir: Path
    pages: int
    entities: int
    quotes: int
    seconds: float
    queries: int


def build_site(outdir: str | Path, sources=None, *, queries: bool = True) -> BuildReport:
    """Build the site into ``outdir``; ``queries=False`` leaves the stored queries unrun."""
    started = time.perf_counter()
    outdir = Path(outdir)
    _check_target(outdir)
    held = engine.in_memory(sources)  # parsed once, for the pages and the stored queries
    model = SiteModel(engine.to_rdflib_graph(held.store()), held)
    files = pages(model, sources, queries=queries)
    try:
        _write_atomic(outdir, files)
    except OSError as exc:
        raise DefcoopError(f"{outdir}: cannot write the site: {exc.strerror or exc}") from None
    return BuildReport(outdir, sum(1 for p in files if p.endswith(".html")), len(model.entities),
                       len(model.quotes), time.perf_counter() - started, _count_queries(files))


def pages(model: SiteModel, sources=None, *, queries: bool = True) -> dict[str, str | bytes]:
    """Every file of the site: path relative to the site root -> content."""
    files: dict[str, str | bytes] = {}
    net = network(model)
    line = timeline(model)
    found = facets(model, years_of(model, line))
    for m in line.dated + line.undated:
        m.facets = found.of[m.iri]
    figures = model.figures()
    stored = query_views(model, sources) if queries else None
    partners = partner_views(model, found, line, sources, queries=queries)
    pages_of = {e.iri: [e.path, e.label.en, e.label.nl] for e in model.entities}
    specs = query_specs(library.load_library(), pages_of) if stored else None

    files["network.svg"] = render.render("network.svg.j2", "network.svg", net=net, standalone=True)
    files["timeline.svg"] = render.render("timeline.svg.j2", "timeline.svg", tl=line, standalone=True)
    files["index.html"] = render.render("index.html.j2", "index.html", figures=figures, model=model,
                                        queries=stored)
    files["network.html"] = render.render(
        "network.html.j2", "network.html", net=net,
        svg=render.render("network.svg.j2", "network.html", net=net, standalone=False))
    files["timeline.html"] = render.render(
        "timeline.html.j2", "timeline.html", tl=line, facets=found,
        svg=render.render("timeline.svg.j2", "timeline.html", tl=line, standalone=False))
    files["entities.html"] = render.render("entities.html.j2", "entities.html", groups=model.groups(),
                                           model=model, facets=found)
    files["letter.html"] = render.render("letter.html.j2", "letter.html", sources=source_views(model),
                                         model=model)
    files["queries.html"] = render.render("queries.html.j2", "queries.html", queries=stored,
                                          skipped=not queries, specs=specs, types=TYPES,
                                          free=free_query())
    files["ontology.html"] = render.render("ontology.html.j2", "ontology.html",
                                           onto=ontology_view(model))
    for entity in model.entities:
        files[entity.path] = render.render("entity.html.j2", entity.path, e=entity,
                                           lines=lines(model, entity), also=also_called(entity),
                                           paragraphs=paragraphs(entity),
                                           partner=partners.get(entity.iri))
    files["search-index.js"] = search.script(search.index(model, found))
    if specs:
        files.update(engine_files(sources))
    static = importlib_resources.files("defcoop.site") / "static"
    for name in STATIC:
        files[f"static/{name}"] = (static / name).read_bytes()
    files[MARKER] = "A site built by `defcoop site`; the folder is replaced whole by the next build.\n"
    return files


def years_of(model: SiteModel, line) -> dict[str, set[int]]:
    """The years each entity covers: an event's from its mark on the timeline, an
    agreement's from its signing."""
    years: dict[str, set[int]] = {}
    for m in line.dated:
        years[m.iri] = set(range(m.start.year, m.last.year + 1)) if m.shape != "open" else {m.start.year}
    for signing, agreement in model.graph.subject_objects(DCO.signedAgreement):
        years.setdefault(str(agreement), set()).update(years.get(str(signing), set()))
    return years


def _count_queries(files) -> int:
    return files["queries.html"].count('stored-query"') if "queries.html" in files else 0


def _check_target(outdir: Path) -> None:
    parent = outdir.parent if str(outdir.parent) else Path(".")
    if not parent.is_dir():
        raise DefcoopError(f"{outdir}: folder {parent} does not exist")
    if outdir.exists():
        if not outdir.is_dir():
            raise DefcoopError(f"{outdir}: exists and is not a folder")
        if any(outdir.iterdir()) and not (outdir / MARKER).is_file():
            raise DefcoopError(
                f"{outdir}: folder is not empty and not a site built by defcoop "
                f"(no {MARKER}); choose a new or empty folder"
            )


def _write_atomic(outdir: Path, files: dict[str, str | bytes]) -> None:
    outdir = outdir.resolve()
    parent = outdir.parent
    tmp = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=parent))
    old = None
    try:
        for rel, content in files.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                target.write_bytes(content)
        tmp.chmod(0o755)
        if outdir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=parent))
            os.rmdir(old)
            os.replace(outdir, old)
        try:
            os.replace(tmp, outdir)
        except BaseException:
            if old is not None:
                os.replace(old, outdir)
                old = None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
