"""``/.well-known/void`` (and ``/dataset``): the VoID + DCAT description; ``/dump/...``: the dumps.

The dumps are the readable exports of `defcoop.graph.serialize`: the merged graph
(``defcoop.ttl``, ``.nt``, ``.jsonld``) and the named graphs one per source file
(``defcoop.trig``, ``.nq``), the very bytes ``defcoop export`` writes. The
description gives each its SHA-256.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from defcoop.graph import dataset, rdf_formats
from defcoop.graph import serialize as S
from defcoop.web.api import example_url
from defcoop.web.conneg import choose
from defcoop.web.problems import Problem

_DESCRIPTION = {rdf_formats.by_name(name).media_type: name for name in ("ttl", "jsonld", "nt")} | {
    "text/html": "html"}


def description(service, base: str, fmt: str) -> bytes:
    store = service.require()
    dumps = {f"{base}/dump/defcoop{S.FORMATS[ext][1]}": (S.FORMATS[ext][0], data)
             for ext, data in service.dumps().items()}
    triples = dataset.describe(
        store, endpoint=f"{base}/sparql", api=f"{base}/api/openapi.json",
        examples=[base + example_url(q) for q in service.library.values()], dumps=dumps,
    )
    if fmt == "html":
        from defcoop.web.things import generic_page

        return generic_page(dataset.DATASET, triples)
    writer = {"ttl": S.turtle, "jsonld": S.jsonld, "nt": lambda t, _p: S.ntriples(t)}[fmt]
    return writer(triples, dataset.prefixes())


async def void(request: Request) -> Response:
    service = request.app.state.service
    service.require()
    ext = request.path_params.get("ext")
    if ext is not None:
        media = next((m for m, e in _DESCRIPTION.items() if e == ext), None)
        if media is None:
            raise Problem(404, f"no /dataset.{ext} (there are: {', '.join(_DESCRIPTION.values())})")
    else:
        media = choose(request.headers.get("accept"), list(_DESCRIPTION))
    if media is None:
        raise Problem(406, f"the description is available as {', '.join(_DESCRIPTION)}")
    base = str(request.base_url).rstrip("/")
    data = await run_in_threadpool(description, service, base, _DESCRIPTION[media])
    return Response(data, media_type=media, headers={} if ext else {"Vary": "Accept"})


async def dump(request: Request) -> Response:
    service = request.app.state.service
    service.require()
    name = request.path_params["name"]
    ext = name[len("defcoop."):] if name.startswith("defcoop.") else None
    if ext not in S.FORMATS:
        raise Problem(404, f"no dump {name!r} (there are: "
                           f"{', '.join('defcoop' + v[1] for v in S.FORMATS.values())})")
    data = (await run_in_threadpool(service.dumps))[ext]
    return Response(data, media_type=S.FORMATS[ext][0],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


routes = [
    Route("/.well-known/void", void),
    Route("/dataset", void),
    Route("/dataset.{ext}", void),
    Route("/dump/{name}", dump),
]
