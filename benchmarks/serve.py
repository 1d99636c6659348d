"""`defcoop serve` under load: requests per second, and the latency of a query inside the
server against the same query on a raw in-memory pyoxigraph store.

For each size (the project's own graph, or a corpus of ``generate.py``) it starts
``defcoop serve`` on a free port (``DEFCOOP_HOME`` at the corpus) and measures, in one run:

- **requests/s**: ``--requests`` GETs from ``--clients`` concurrent httpx clients (PyPI
  ``httpx``, the `bench` extra), for ``/api/partners.csv`` and for ``/sparql`` with the
  same bound query text (CSV);
- **latency**: the median over ``--repeat`` serial requests of the time the server spends
  on the query and on writing its answer (its ``Server-Timing`` header, HTTP excluded),
  and of the round trip, against the median of ``store.query(text)`` plus the CSV
  serialisation on an in-memory ``pyoxigraph.Store`` that holds the same files (loaded
  as the server loads them: `defcoop.query.engine.load_store(use_cache=False)`).

The machine is shared; the numbers are for ratios within one run.

The table is printed and written to ``benchmarks/SERVE.md``.

Usage: python benchmarks/serve.py [--sizes project,100k,1M] [--requests 300] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
QUERIES = ("partners", "timeline", "count-events")


def start(home: Path | None, port: int) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ)
    if home is not None:
        env["DEFCOOP_HOME"] = str(home)
    process = subprocess.Popen([sys.executable, "-m", "defcoop", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    if not line.startswith("SPARQL endpoint: "):
        process.kill()
        raise SystemExit(f"defcoop serve did not start: {line!r} {process.stderr.read()}")
    return process, line.split(": ", 1)[1].strip().rsplit("/", 1)[0]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throughput(url: str, requests: int, clients: int, params: dict | None = None) -> float:
    import httpx

    def work(n: int) -> None:
        with httpx.Client(timeout=300) as client:
            for _ in range(n):
                r = client.get(url, params=params, headers={"Accept": "text/csv"})
                r.raise_for_status()

    share = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(work, share))
    return requests / (time.perf_counter() - started)


def latency(url: str, repeat: int, params: dict | None = None) -> tuple[float, float]:
    """Median (inside the server, round trip) in milliseconds."""
    import httpx

    inside, total = [], []
    with httpx.Client(timeout=300) as client:
        for _ in range(repeat):
            started = time.perf_counter()
            r = client.get(url, params=params, headers={"Accept": "text/csv"})
            total.append((time.perf_counter() - started) * 1000)
            r.raise_for_status()
            inside.append(float(r.headers["Server-Timing"].split("dur=")[1].split(",")[0]))
    return statistics.median(inside), statistics.median(total)


def raw(store, text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        store.query(text).serialize(format=ox.QueryResultsFormat.CSV)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(size: str, work: Path, args) -> list[dict]:
    from defcoop.graph.files import default_sources
    from defcoop.query.engine import forget, load_store
    from defcoop.query.library import bind, load_library

    home = None
    if size != "project":
        sys.path.insert(0, str(HERE))
        from generate import generate, parse_size

        home = work / f"corpus-{size}"
        if not home.exists():
            print(f"generating {size} triples in {home}", file=sys.stderr, flush=True)
            generate(parse_size(size), home)
    sources = default_sources(home)
    store = load_store(sources, use_cache=False)
    triples = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    library = {q.name: q for q in load_library(home / "queries" if home else None)}
    process, base = start(home, free_port())
    rows = []
    try:
        for name in QUERIES:
            stored = library[name]
            values = {"lang": "en"} if stored.param("lang") else {}
            text = bind(stored, values)
            raw_ms = raw(store, text, args.repeat)
            api_in, api_rt = latency(f"{base}/api/{name}.csv", args.repeat)
            sparql_in, sparql_rt = latency(f"{base}/sparql", args.repeat, {"query": text})
            row = {"size": size, "triples": triples, "query": name, "raw": raw_ms,
                   "api_in": api_in, "api_rt": api_rt, "sparql_in": sparql_in, "sparql_rt": sparql_rt}
            if name == "partners":
                row["api_rps"] = throughput(f"{base}/api/partners.csv", args.requests, args.clients)
                row["sparql_rps"] = throughput(f"{base}/sparql", args.requests, args.clients, {"query": text})
            rows.append(row)
    finally:
        process.terminate()
        process.wait(timeout=60)
        del store
        forget()
    return rows


def _ratio(x: float, raw_ms: float) -> str:
    return f"{x:.2f} ({x / raw_ms:.2f}×)" if raw_ms > 0 else f"{x:.2f}"


def table(rows: list[dict]) -> str:
    lines = [
        ("| graph | triples | query | raw pyoxigraph ms | /api in server ms (×raw) | /sparql in server ms (×raw) "
         "| /api round trip ms | /sparql round trip ms | /api req/s | /sparql req/s |"),
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        rps = (f"{r['api_rps']:.0f}", f"{r['sparql_rps']:.0f}") if "api_rps" in r else ("", "")
        lines.append(
            f"| {r['size']} | {r['triples']:,} | {r['query']} | {r['raw']:.2f} | {_ratio(r['api_in'], r['raw'])} "
            f"| {_ratio(r['sparql_in'], r['raw'])} | {r['api_rt']:.2f} | {r['sparql_rt']:.2f} | {rps[0]} | {rps[1]} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="project,100k", help="comma-separated: project, 100k, 1M ...")
    ap.add_argument("--requests", type=int, default=300, help="requests per throughput run")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients")
    ap.add_argument("--repeat", type=int, default=15, help="serial requests per latency median")
    ap.add_argument("--work", type=Path, default=None, help="folder for generated corpora (kept)")
    ap.add_argument("--out", type=Path, default=HERE / "SERVE.md", help="where the table is written")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="defcoop-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for size in args.sizes.split(","):
            rows += measure(size.strip(), work, args)
            print(table(rows), flush=True)
        args.out.write_text(f"# `defcoop serve` under load\n\n`python benchmarks/serve.py --sizes {args.sizes} "
                            f"--requests {args.requests} --clients {args.clients}` ({time.strftime('%Y-%m-%d')}, "
                            f"{os.cpu_count()} CPUs; see docs/performance.md)\n\n{table(rows)}\n", encoding="utf-8")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
