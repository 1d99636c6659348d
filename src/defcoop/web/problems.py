"""Errors as RFC 9457 problem documents: one line of JSON, the right status, no traceback."""

from __future__ import annotations

import json

from starlette.responses import Response

PROBLEM_TYPE = "application/problem+json"
_TITLES = {
    400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    413: "Content Too Large", 415: "Unsupported Media Type", 500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(Exception):
    """Raised by a route: becomes a problem document (``parameter``: the one at fault)."""

    def __init__(self, status: int, detail: str, parameter: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.parameter = status, detail, parameter
        self.headers = headers or {}


def document(status: int, detail: str, parameter: str | None = None, instance: str | None = None) -> dict:
    out: dict = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status,
                 "detail": " ".join(str(detail).split())}
    if parameter is not None:
        out["parameter"] = parameter
    if instance is not None:
        out["instance"] = instance
    return out


def response(status: int, detail: str, parameter: str | None = None, instance: str | None = None,
             headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(document(status, detail, parameter, instance), ensure_ascii=False,
                      separators=(",", ":")) + "\n"
    return Response(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)
