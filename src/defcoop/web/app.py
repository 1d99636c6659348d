"""The application (`create_app`) and the server that runs it (`run`).

Starlette on uvicorn: a small, well-kept ASGI toolkit and server (Starlette: routing,
requests, responses and nothing else, so the SPARQL Protocol, content negotiation
and problem documents stay ours and visible; uvicorn: the reference ASGI server,
with h11 from PyPI, no compiled parts needed). Read-only: GET and HEAD everywhere,
POST only for ``/sparql`` queries. Every error, ours or Starlette's, leaves as a
one-line RFC 9457 problem document; no traceback reaches a client.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from defcoop.errors import DefcoopError
from defcoop.web import api, sparql, things, void
from defcoop.web.problems import Problem, response
from defcoop.web.service import Service

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878


# Starlette types every handler as taking an Exception; each is registered for one class.
async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return response(exc.status, exc.detail, exc.parameter, request.url.path, exc.headers)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = {404: f"nothing at {request.url.path}",
              405: f"{request.method} is not allowed here: the service is read-only"}.get(exc.status_code, exc.detail)
    return response(exc.status_code, detail, None, request.url.path, dict(exc.headers or {}))


async def _crash(request: Request, exc: Exception) -> Response:
    return response(500, f"the server failed on this request ({type(exc).__name__})", None, request.url.path)


def create_app(service: Service) -> Starlette:
    app = Starlette(
        routes=[*sparql.routes, *api.routes, *void.routes, *things.routes],
        exception_handlers={Problem: _problem, HTTPException: _http, Exception: _crash},
    )
    app.state.service = service
    return app


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` with SO_REUSEADDR (a restart binds at once,
    whatever connections of the previous run are still in TIME_WAIT)."""
    if not 0 <= port <= 65535:
        raise DefcoopError(f"--port: must be 0-65535 (got {port})")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DefcoopError(f"--host {host}: cannot listen there ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise DefcoopError(
            f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc}); the server did not start"
        ) from None
    sock.set_inheritable(True)
    return sock


def run(sources, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
        query_folder: Path | None = None, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM. Answers 503 while the graph loads; if it cannot be
    loaded, stops and raises `DefcoopError` with the file and line at fault."""
    import uvicorn

    sock = listening_socket(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{bound_port}"
    service = Service(sources, query_folder)
    config = uvicorn.Config(create_app(service), log_level="warning", access_log=False,
                            lifespan="off", server_header=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)

    def load():
        service.load()
        if service.error is not None:
            server.should_exit = True
        elif on_ready:
            on_ready(base)

    threading.Thread(target=load, name="defcoop-load", daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    if service.error is not None:
        raise DefcoopError(service.error)
