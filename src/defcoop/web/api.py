"""``/api/<query>``: one HTTP operation per stored query, and its OpenAPI 3.1 description.

Parameters come from the query's ``#+ param`` header and are bound exactly as
`defcoop query` binds them (`defcoop.query.library.bind`: one RDF term each, in a
``VALUES`` block, never pasted into the text); as there, ``lang`` is ``en`` unless
given. ``limit`` and ``offset`` page the rows, with RFC 8288 ``Link`` headers
(``first``, ``prev``, ``next``). The answer is JSON (the W3C SPARQL JSON results),
CSV (the W3C CSV, as ``defcoop query --format csv`` prints it), TSV or HTML, by
``Accept`` or by an extension: ``/api/timeline.csv``.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import shlex
import time
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from defcoop.query import formats
from defcoop.query import params as P
from defcoop.web.conneg import choose
from defcoop.web.problems import PROBLEM_TYPE, Problem
from defcoop.web.sparql import timed

#: extension -> media type; the order is the preference when Accept allows any
MEDIA = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
}
_ALSO = {"application/json": "json"}
PAGING = ("limit", "offset")
OUR_BASE = "https://w3id.org/defcoop/"
_PARAM_ERROR = re.compile(r"^--param (\S+?):\s*(.*)$", re.DOTALL)

#: parameter type -> JSON Schema of its value (as written in the query string)
_SCHEMAS = {
    "iri": {"type": "string", "description": "an IRI, or a prefixed name such as id:FR"},
    "string": {"type": "string"},
    "lang": {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    "int": {"type": "integer"},
    "decimal": {"type": "number"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "gYear": {"type": "string", "pattern": "^-?[0-9]{4,}$"},
    "gYearMonth": {"type": "string", "pattern": "^-?[0-9]{4,}-(0[1-9]|1[0-2])$"},
}


def example_values(stored) -> dict[str, str]:
    """The parameter values of the query's ``#+ example:`` line (``--param k=v``, ``--lang``)."""
    try:
        words = shlex.split(stored.example or "")
    except ValueError:
        return {}
    out = {}
    for flag, value in itertools.pairwise(words):
        if flag in ("--param", "-p") and "=" in value:
            k, v = value.split("=", 1)
            out[k] = v
        elif flag == "--lang" and stored.param("lang") is not None:
            out["lang"] = value
    return {k: v for k, v in out.items() if stored.param(k) is not None}


def split_name(name: str, library: dict) -> tuple[str, str | None]:
    """``timeline.csv`` -> ``("timeline", "csv")``; a name without a known extension as it is."""
    stem, dot, ext = name.rpartition(".")
    if dot and ext in MEDIA and stem in library:
        return stem, ext
    return name, None


def values_of(request: Request, stored) -> tuple[dict[str, str], int | None, int]:
    """The parameter values, ``limit`` and ``offset`` of a request; a 400 naming a bad one."""
    values: dict[str, str] = {}
    for key, value in parse_qsl(request.url.query, keep_blank_values=True):
        if key in values:
            raise Problem(400, f"{key}: given twice", key)
        values[key] = value
    paging = {}
    for key in PAGING:
        if key in values and stored.param(key) is None:
            raw = values.pop(key)
            if not re.fullmatch(r"[0-9]{1,9}", raw):
                raise Problem(400, f"{key}: must be a whole number 0 or more (got {raw!r})", key)
            paging[key] = int(raw)
    if stored.param("lang") is not None and "lang" not in values:
        values["lang"] = "en"  # as `defcoop query` does (its --lang defaults to en)
    return values, paging.get("limit"), paging.get("offset", 0)


def bound_text(stored, values: dict[str, str]) -> str:
    from defcoop.query.library import bind

    try:
        return bind(stored, values)
    except P.ParameterError as exc:
        m = _PARAM_ERROR.match(str(exc))
        name = m.group(1) if m else None
        raise Problem(400, f"{name}: {m.group(2)}" if m else str(exc), name) from None


def run_stored(store, stored, text: str):
    from defcoop.errors import DefcoopError
    from defcoop.query.engine import run

    try:
        return run(text, store, name=stored.name)
    except DefcoopError as exc:
        raise Problem(500, f"{stored.name}: {exc}") from None


def page_links(request: Request, total: int, limit: int | None, offset: int) -> str | None:
    """RFC 8288 ``Link`` header value for a page of ``total`` rows."""
    if limit is None and offset == 0:
        return None
    base = str(request.url.replace(query=""))
    others = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k not in PAGING]

    def url(off: int) -> str:
        query = others + ([("limit", str(limit))] if limit is not None else []) + [("offset", str(off))]
        return f"<{base}?{urlencode(query)}>"

    links = [f'{url(0)}; rel="first"']
    if offset > 0 and limit is not None:
        links.append(f'{url(max(0, offset - limit))}; rel="prev"')
    if limit is not None and offset + limit < total:
        links.append(f'{url(offset + limit)}; rel="next"')
    return ", ".join(links)


async def operation(request: Request) -> Response:
    service = request.app.state.service
    store = service.require()
    name, ext = split_name(request.path_params["name"], service.library)
    stored = service.library.get(name)
    if stored is None:
        raise Problem(404, f"no stored query named {name!r} (GET /api lists them)")
    if ext is None:
        offered = list(MEDIA.values()) + list(_ALSO)
        media = choose(request.headers.get("accept"), offered)
        if media is None:
            raise Problem(406, f"this answer is available as {', '.join(offered)}")
        ext = _ALSO.get(media) or next(k for k, v in MEDIA.items() if v == media)
    values, limit, offset = values_of(request, stored)
    text = bound_text(stored, values)
    started = time.perf_counter()
    result, took = await run_in_threadpool(timed, run_stored, store, stored, text)
    total = len(result.rows)
    rows = result.rows[offset: None if limit is None else offset + limit]
    headers = {"Vary": "Accept"}
    link = page_links(request, total, limit, offset)
    if link:
        headers["Link"] = link
    if ext == "html":
        body = results_page(stored, result.variables, rows, total, offset)
    elif ext == "csv":
        body = formats.to_csv(result.variables, rows)
    elif ext == "tsv":
        body = formats.to_tsv(result.variables, rows)
    else:
        body = formats.to_json(result.variables, rows)
    # Server-Timing (as /sparql): the query in the worker thread, then with the rows written
    headers["Server-Timing"] = f"query;dur={took:.3f}, handler;dur={(time.perf_counter() - started) * 1000:.3f}"
    return Response(body, media_type=MEDIA[ext], headers=headers)


# --------------------------------------------------------------------------- HTML


def _local(iri: str) -> str:
    return "/" + iri[len(OUR_BASE):] if iri.startswith(OUR_BASE) else iri


def _cell(term) -> str:
    from rdflib import URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        iri = str(term)
        return f'<a href="{html.escape(_local(iri))}">{html.escape(formats.shorten(iri))}</a>'
    return html.escape(formats.human(term))


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)} · defcoop</title>\n"
        "<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body>\n<main id=\"main\">\n"
        f"{body}\n</main>\n</body>\n</html>\n"
    )


def results_page(stored, variables, rows, total: int, offset: int) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(v)}</th>" for v in variables)
    lines = "\n".join("<tr>" + "".join(f"<td>{_cell(t)}</td>" for t in row) + "</tr>" for row in rows)
    shown = f"rows {offset + 1}–{offset + len(rows)} of {total}" if rows else f"no rows (of {total})"
    body = (
        f"<p><a href=\"/api\">API</a></p>\n<h1>{html.escape(stored.summary or stored.name)}</h1>\n"
        f"<p>{html.escape(stored.description)}</p>\n<p>{shown}</p>\n"
        f"<div class=\"table-wrap\"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{lines}\n"
        "</tbody>\n</table></div>"
    )
    return _page(stored.summary or stored.name, body)


def example_url(stored) -> str:
    values = example_values(stored)
    return f"/api/{stored.name}" + (f"?{urlencode(values)}" if values else "")


async def listing(request: Request) -> Response:
    service = request.app.state.service
    service.require()
    items = []
    for stored in service.library.values():
        params = ", ".join(
            f"<code>{html.escape(p.name)}</code> ({html.escape(p.type)}"
            + (f", default <code>{html.escape(p.default)}</code>" if p.default is not None else "")
            + ")" for p in stored.params
        ) or "none"
        example = example_url(stored)
        items.append(
            f"<li><h2><code>GET /api/{html.escape(stored.name)}</code></h2>"
            f"<p>{html.escape(stored.summary)}</p><p>{html.escape(stored.description)}</p>"
            f"<p>Parameters: {params}; paging: <code>limit</code>, <code>offset</code>.</p>"
            f"<p>Example: <a href=\"{html.escape(example)}\">{html.escape(example)}</a> "
            f"(<a href=\"{html.escape(example.replace(f'/api/{stored.name}', f'/api/{stored.name}.csv', 1))}\">CSV</a>, "
            f"<a href=\"{html.escape(example.replace(f'/api/{stored.name}', f'/api/{stored.name}.html', 1))}\">HTML</a>)</p></li>"
        )
    body = (
        "<h1>The defcoop API</h1>\n<p>One operation per stored query; results as JSON, CSV, TSV or "
        "HTML (by <code>Accept</code> or the extension). The machine-readable description: "
        "<a href=\"/api/openapi.json\">OpenAPI 3.1</a>. Any SPARQL: <code>/sparql</code>.</p>\n"
        "<ul class=\"operations\">\n" + "\n".join(items) + "\n</ul>"
    )
    return HTMLResponse(_page("API", body))


# --------------------------------------------------------------------------- OpenAPI


def openapi(library: dict, server: str) -> dict:
    """The OpenAPI 3.1 document of the operations (one per stored query)."""
    from defcoop import __version__

    problem = {"description": "a problem document (RFC 9457) naming what is wrong",
               "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    paths = {}
    for stored in library.values():
        examples = example_values(stored)
        parameters = []
        for p in stored.params:
            schema = dict(_SCHEMAS[p.type])
            if p.default is not None:
                schema["default"] = p.default
            parameters.append({
                "name": p.name, "in": "query", "required": p.required,
                "description": p.description or P.TYPES[p.type],
                "schema": schema,
                "example": examples.get(p.name, p.default if p.default is not None else ""),
            })
        parameters += [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}]
        content = {media: {"schema": {"type": "string"}} for media in ("text/csv", "text/tab-separated-values", "text/html")}
        content["application/sparql-results+json"] = {"schema": {"$ref": "#/components/schemas/Results"}}
        paths[f"/api/{stored.name}"] = {"get": {
            "operationId": re.sub(r"[^A-Za-z0-9_]", "_", stored.name),
            "summary": stored.summary,
            "description": f"{stored.description}\n\nExample call: `GET {example_url(stored)}`",
            "parameters": parameters,
            "responses": {
                "200": {"description": "the rows (one page of them with limit/offset)",
                        "headers": {"Link": {"description": "RFC 8288 links to the first, previous and next page",
                                             "schema": {"type": "string"}}},
                        "content": content},
                "400": problem, "406": problem, "503": problem,
            },
            "x-example-call": example_url(stored),
        }}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "defcoop: the stored queries of the defence cooperation graph",
            "version": __version__,
            "description": "One operation per stored query of the defcoop library (Kamerstuk 33 279, nr. 29). "
                           "Any other SPARQL query: the SPARQL 1.1 Protocol at /sparql.",
            "license": {"name": "CC0-1.0 (data)", "identifier": "CC0-1.0"},
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "parameters": {
                "limit": {"name": "limit", "in": "query", "required": False,
                          "description": "at most this many rows", "schema": {"type": "integer", "minimum": 0}},
                "offset": {"name": "offset", "in": "query", "required": False,
                           "description": "skip this many rows first", "schema": {"type": "integer", "minimum": 0, "default": 0}},
            },
            "schemas": {
                "Results": {"type": "object", "description": "W3C SPARQL 1.1 Query Results JSON",
                            "properties": {"head": {"type": "object"}, "results": {"type": "object"}}},
                "Problem": {"type": "object", "description": "RFC 9457 problem details",
                            "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                                           "status": {"type": "integer"}, "detail": {"type": "string"},
                                           "parameter": {"type": "string"}}},
            },
        },
    }


async def openapi_json(request: Request) -> Response:
    service = request.app.state.service
    service.require()
    server = str(request.base_url).rstrip("/")
    return JSONResponse(json.loads(json.dumps(openapi(service.library, server))))


routes = [
    Route("/api", listing),
    Route("/api/", listing),
    Route("/api/openapi.json", openapi_json),
    Route("/api/{name}", operation),
]
