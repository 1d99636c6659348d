"""A local SPARQL endpoint over the graph: the Oxigraph server (PyPI ``oxigraph``).

The files are loaded with ``oxigraph load`` into a fresh temporary folder, one
named graph per file (the same IRIs as ``defcoop load``), and served with
``--union-default-graph`` so that queries without ``GRAPH`` see all of it.
Read-only (``oxigraph serve-read-only``) unless ``writable``. However it stops
(Ctrl-C, SIGTERM, an error) the server process is ended and waited for and the
folder removed.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterable

from defcoop.errors import DefcoopError
from defcoop.graph.files import Source, rdf_format

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
_OXIGRAPH_FORMATS = {"turtle": "ttl", "nt": "nt", "nquads": "nq", "trig": "trig",
                     "xml": "rdf", "n3": "n3"}


def oxigraph_binary() -> str:
    """The ``oxigraph`` program installed with this Python, or on PATH."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "oxigraph"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("oxigraph")
    if not found:
        raise DefcoopError("the oxigraph server is not installed (pip install oxigraph)")
    return found


def prepare(sources: Iterable[Source], folder: Path, binary: str) -> int:
    """Load every source into an Oxigraph database in ``folder``; return the file count."""
    n = 0
    for source in sources:
        fmt = _OXIGRAPH_FORMATS.get(rdf_format(source.path))
        if fmt is None:
            raise DefcoopError(f"{source.path}: defcoop serve cannot load this file type")
        done = subprocess.run(
            [binary, "load", "--location", str(folder), "--file", str(source.path),
             "--format", fmt, "--graph", str(source.graph)],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["failed"])[-1]
            raise DefcoopError(f"{source.path}: oxigraph load: {last}")
        n += 1
    return n


def serve(
    sources: Iterable[Source],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    writable: bool = False,
    on_ready: Callable[[str], None] | None = None,
    startup_timeout: float = 30,
) -> None:
    """Run the server until interrupted (KeyboardInterrupt or SIGTERM); clean up always."""
    if not 1 <= port <= 65535:
        raise DefcoopError(f"--port: must be 1-65535 (got {port})")
    binary = oxigraph_binary()
    _check_free(host, port)
    folder = Path(tempfile.mkdtemp(prefix="defcoop-serve-"))
    process = None
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        prepare(sources, folder / "db", binary)
        mode = "serve" if writable else "serve-read-only"
        process = subprocess.Popen(
            [binary, mode, "--location", str(folder / "db"), "--bind", f"{host}:{port}",
             "--union-default-graph"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        base = f"http://{host}:{port}"
        _wait_until_answers(process, base, startup_timeout)
        if on_ready:
            on_ready(base)
        process.wait()
        raise DefcoopError(f"the oxigraph server stopped by itself (exit {process.returncode})")
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process is not None:
            _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def _check_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise DefcoopError(
                f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc}); "
                "the oxigraph server did not start"
            ) from None


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _wait_until_answers(process: subprocess.Popen, base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"{base}/query?query=ASK%7B%7D"
    while True:
        if process.poll() is not None:
            err = (process.stderr.read() if process.stderr else "").strip().splitlines()
            raise DefcoopError(
                f"the oxigraph server did not start on {base}: {err[-1] if err else 'no message'}"
                " (is the port in use? --port)"
            )
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request, timeout=2) as r:
                answer = json.loads(r.read())
            if answer.get("boolean") is True and process.poll() is None:
                return
            raise OSError("not our server")
        except (OSError, ValueError, AttributeError):
            if time.monotonic() > deadline:
                raise DefcoopError(f"the oxigraph server did not answer on {base} within {timeout:g} s")
            time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr:
        process.stderr.close()
