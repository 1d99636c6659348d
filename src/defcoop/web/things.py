"""Every IRI under https://w3id.org/defcoop/ dereferenced at its path, and the site's pages.

``/id/event/f35-roll-out`` is the event itself; what the server sends is a document
about it, in the representation ``Accept`` asks for, with ``Vary: Accept`` and the
document's own URL in ``Content-Location``: ``/id/event/f35-roll-out.html`` (the
entity page of the static site, `defcoop.site`), ``.ttl``, ``.jsonld`` or ``.nt``,
which can also be asked for directly. Each document holds the statements about the
thing (blank nodes below it included), the statements that point to it, and the
annotations whose body it is, with their targets: the words of the letter that
source them. ``/ontology`` is the ontology with every ``ontology#`` term;
``/vocab/...`` a concept; ``/graph/...`` a named graph (one source file) whole.
"""

from __future__ import annotations

import html
from importlib import resources as importlib_resources

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from defcoop.graph import rdf_formats
from defcoop.graph import serialize as S
from defcoop.query.formats import shorten
from defcoop.web.conneg import choose
from defcoop.web.problems import Problem

BASE = "https://w3id.org/defcoop/"
ONTOLOGY = BASE + "ontology"
_OA_BODY = ox.NamedNode("http://www.w3.org/ns/oa#hasBody")
_DEFAULT = ox.DefaultGraph()
#: extension -> media type; the first is what a client that accepts anything gets
REPRESENTATIONS = {"html": "text/html"} | {
    name: rdf_formats.by_name(name).media_type for name in ("ttl", "jsonld", "nt")
}
_WRITE = {"ttl": S.turtle, "jsonld": S.jsonld, "nt": S.ntriples}
_SITE_PAGES = ("index.html", "network.html", "timeline.html", "entities.html", "letter.html",
               "queries.html", "ontology.html", "network.svg", "timeline.svg")


# --------------------------------------------------------------------------- what a document holds


def _closure(store: ox.Store, node, out: list, seen: set) -> None:
    """``node``'s statements, and those of the blank nodes below it, added to ``out``."""
    for q in store.quads_for_pattern(node, None, None, _DEFAULT):
        out.append(q.triple)
        if isinstance(q.object, ox.BlankNode) and q.object not in seen:
            seen.add(q.object)
            _closure(store, q.object, out, seen)


def statements(store: ox.Store, iri: str) -> list:
    """The triples of the document about ``iri`` (empty if the graph never names it)."""
    if iri.startswith(BASE + "graph/"):
        graph = ox.NamedNode(iri)
        return [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    things = [ox.NamedNode(iri)]
    if iri == ONTOLOGY:
        things += sorted({q.subject for q in store.quads_for_pattern(None, None, None, _DEFAULT)
                          if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ONTOLOGY + "#")},
                         key=lambda n: n.value)
    out: list = []
    seen: set = set()
    for thing in things:
        _closure(store, thing, out, seen)
        pointing = [q.triple for q in store.quads_for_pattern(None, None, thing, _DEFAULT)]
        out += pointing
        for t in pointing:
            if t.predicate == _OA_BODY and t.subject not in seen:
                seen.add(t.subject)
                _closure(store, t.subject, out, seen)
    return list(dict.fromkeys(out))


def _split(path: str) -> tuple[str, str | None]:
    """``id/x.ttl`` -> ``("id/x", "ttl")``; a path without a known extension as it is."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in REPRESENTATIONS and "/" not in ext:
        return stem, ext
    return path, None


# --------------------------------------------------------------------------- HTML


def generic_page(iri: str, triples: list) -> bytes:
    """A plain page of the statements, for a thing the static site has no page for."""
    def cell(term) -> str:
        if isinstance(term, ox.NamedNode):
            v = term.value
            href = "/" + v[len(BASE):] if v.startswith(BASE) else v
            return f'<a href="{html.escape(href)}">{html.escape(shorten(v))}</a>'
        return html.escape(str(term) if not isinstance(term, ox.Literal) else term.value)

    rows = "\n".join(f"<tr><td>{cell(t.subject)}</td><td>{cell(t.predicate)}</td><td>{cell(t.object)}</td></tr>"
                     for t in sorted(triples, key=str))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(shorten(iri))} · defcoop</title>\n"
        "<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body>\n<main id=\"main\">\n"
        f"<p><a href=\"/index.html\">defcoop</a></p>\n<h1><code>{html.escape(iri)}</code></h1>\n"
        "<p>Also as "
        + ", ".join(f"<a href=\"/{html.escape(iri[len(BASE):])}.{e}\">{e}</a>" for e in _WRITE)
        + ".</p>\n<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">subject</th>"
        "<th scope=\"col\">property</th><th scope=\"col\">value</th></tr></thead>\n<tbody>\n"
        f"{rows}\n</tbody>\n</table></div>\n</main>\n</body>\n</html>\n"
    ).encode()


def _site_page_of(site: dict, iri: str) -> str | None:
    from defcoop.site.paths import entity_path

    if iri == ONTOLOGY:
        return "ontology.html"
    if iri.startswith(BASE + "id/"):
        path = entity_path(iri)
        return path if path in site else None
    return None


def representation(service, iri: str, ext: str) -> tuple[bytes, str]:
    """The document about ``iri`` in ``ext``, and its path (for Content-Location)."""
    store = service.require()
    triples = statements(store, iri)
    if not triples:
        raise Problem(404, f"the graph says nothing about <{iri}>")
    local = iri[len(BASE):]
    if ext == "html":
        site = service.site()
        page = _site_page_of(site, iri)
        if page is not None:
            content = site[page]
            return (content.encode() if isinstance(content, str) else content), "/" + page
        return generic_page(iri, triples), f"/{local}.html"
    return _WRITE[ext](triples), f"/{local}.{ext}"


async def thing(request: Request) -> Response:
    service = request.app.state.service
    service.require()
    path = request.url.path.lstrip("/")
    site_file = path if path.endswith(".html") and path.startswith("id/") else None
    if site_file is not None:
        site = await run_in_threadpool(service.site)
        if site_file in site:
            return Response(site[site_file], media_type="text/html", headers={"Vary": "Accept"})
    stem, ext = _split(path)
    fixed = ext is not None
    if ext is None:
        offered = list(REPRESENTATIONS.values())
        media = choose(request.headers.get("accept"), offered)
        if media is None:
            raise Problem(406, f"<{BASE}{stem}> is available as {', '.join(offered)}")
        ext = next(k for k, v in REPRESENTATIONS.items() if v == media)
    data, location = await run_in_threadpool(representation, service, BASE + stem, ext)
    headers = {"Vary": "Accept"} if not fixed else {}
    if not fixed or location != "/" + path:
        headers["Content-Location"] = location
    headers["Link"] = f'<{BASE}{stem}>; rel="describes"' if not stem.startswith("graph/") else f"<{BASE}{stem}>; rel=\"self\""
    return Response(data, media_type=REPRESENTATIONS[ext], headers=headers)


# --------------------------------------------------------------------------- the site's pages


async def site_page(request: Request) -> Response:
    service = request.app.state.service
    service.require()
    name = request.url.path.lstrip("/") or "index.html"
    site = await run_in_threadpool(service.site)
    content = site.get(name)
    if content is None:
        raise Problem(404, f"no page {request.url.path}")
    media = "image/svg+xml" if name.endswith(".svg") else "text/html"
    return Response(content, media_type=media)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    folder = importlib_resources.files("defcoop.site") / "static"
    if "/" in name or name.startswith(".") or not (folder / name).is_file():
        raise Problem(404, f"no file /static/{name}")
    media = "text/css" if name.endswith(".css") else "text/javascript"
    return Response((folder / name).read_bytes(), media_type=media)


async def ontology_redirect(request: Request) -> Response:  # /ontology/ -> /ontology
    return RedirectResponse("/ontology", status_code=301)


routes = [
    Route("/", site_page),
    *[Route(f"/{name}", site_page) for name in _SITE_PAGES if name != "ontology.html"],
    Route("/static/{name}", static),
    Route("/id/{rest:path}", thing),
    Route("/vocab/{rest:path}", thing),
    Route("/graph/{rest:path}", thing),
    Route("/ontology", thing),
    Route("/ontology.ttl", thing),
    Route("/ontology.jsonld", thing),
    Route("/ontology.nt", thing),
    Route("/ontology.html", site_page),
]
