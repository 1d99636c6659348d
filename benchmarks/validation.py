"""Validation at scale: the fast path against the pyshacl engine, on generated corpora.

The reference here is ``validate(engine="pyshacl")``: pySHACL for SHACL Core over the
whole graph, and the SHACL-SPARQL constraints run by rdflib (`defcoop.validation.sparql_constraints`),
whose rows the fast path must equal. Plain pySHACL running the SPARQL constraints
itself is several times slower still; `benchmarks/run.py` measures it, and Apache
Jena, for the targets of issue 6.

For each size it generates a corpus (``benchmarks/generate.py``, with injected
defects) and measures, each in a fresh subprocess (wall time and peak memory from
``os.wait4``):

* the pyshacl engine over the whole graph (``validate(engine="pyshacl")``), capped by
  ``--timeout`` (reported as "> N s");
* the fast path (``validate()``, engine "oxigraph") with an empty cache (cold), and
  again with the cache warm and nothing changed;
* the fast path after changing one document (cache warm);
* whether the fast path's rows equal the pyshacl engine's;

then cold ``defcoop validate`` on the project's own graph (empty cache, and warm),
run ``--repeat`` times like hyperfine (median). Prints a table and writes
``benchmarks/VALIDATION.md``.

Usage: python benchmarks/validation.py [--sizes 10k,100k] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGETS = {"full_vs_pyshacl": 10.0, "revalidate": 3.0, "memory_mb": 2048, "cli": 2.0}


# -- the worker: one validation in this process --------------------------------------------


def worker(op: str, corpus: str) -> None:
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    sys.path.insert(0, str(ROOT / "src"))
    from defcoop.graph.files import default_sources
    from defcoop.validation.validate import validate

    sources = default_sources(Path(corpus))
    start = time.perf_counter()
    report = validate(sources, engine=op)
    rows = report.rows()
    elapsed = time.perf_counter() - start
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    print(json.dumps({"inner": elapsed, "rows": len(rows), "digest": digest}))


def measure(cmd: list[str], env: dict, timeout: float) -> dict:
    """Wall time, peak memory (MB) and the JSON the command printed."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"timeout": timeout}
    finally:
        pass
    elapsed = time.perf_counter() - start
    # the child has been reaped by communicate(); its rusage is folded into RUSAGE_CHILDREN
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {"time": elapsed, "peak_mb_children_max": peak, "exit": proc.returncode}
    try:
        result.update(json.loads(out.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        pass
    return result


def measure_rss(cmd: list[str], env: dict, timeout: float) -> dict:
    """As `measure`, with this child's own peak memory (from /usr/bin/time if present)."""
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if timer is None:
        return measure(cmd, env, timeout)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
        r = measure([timer, "-f", "%M", "-o", f.name, *cmd], env, timeout)
        try:
            r["peak_mb"] = int(f.read().strip().splitlines()[-1]) / 1024
        except (ValueError, IndexError):
            pass
    return r


def run_size(size: int, args, work: Path) -> dict:
    sys.path.insert(0, str(HERE))
    import generate

    corpus = work / f"corpus-{size}"
    manifest = generate.generate(size, corpus, defects=args.defects)
    cache_dir = work / f"cache-{size}"
    env = {**os.environ, "DEFCOOP_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT / "src")}
    env.pop("DEFCOOP_NO_CACHE", None)
    me = [sys.executable, str(Path(__file__).resolve()), "--worker"]
    res = {"size": size, "triples": manifest["triples"], "documents": manifest["documents"]}
    print(f"== {size:,} triples ({manifest['documents']} documents)", flush=True)
    print("   pyshacl engine over the whole graph", flush=True)
    res["pyshacl"] = measure_rss(me + ["pyshacl", str(corpus)], {**env, "DEFCOOP_NO_CACHE": "1"}, args.timeout)
    shutil.rmtree(cache_dir, ignore_errors=True)
    print("   fast path, cold cache", flush=True)
    res["fast_cold"] = measure_rss(me + ["oxigraph", str(corpus)], env, args.timeout)
    print("   fast path, warm cache, nothing changed", flush=True)
    res["fast_warm"] = measure_rss(me + ["oxigraph", str(corpus)], env, args.timeout)
    doc = sorted((corpus / "data" / "documents").glob("*.ttl"))[-1]
    doc.write_text(doc.read_text(encoding="utf-8").replace("status:done", "status:planned"), encoding="utf-8")
    print("   fast path after changing one document", flush=True)
    res["fast_changed"] = measure_rss(me + ["oxigraph", str(corpus)], env, args.timeout)
    print("   pyshacl engine after the change (for the equality check)", flush=True)
    if args.check_changed:
        res["pyshacl_changed"] = measure_rss(me + ["pyshacl", str(corpus)], {**env, "DEFCOOP_NO_CACHE": "1"}, args.timeout)
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    return res


def cli_runs(args, work: Path) -> dict:
    defcoop = Path(sys.executable).with_name("defcoop")
    out = {}
    for label, fresh in (("cold cache", True), ("warm cache", False)):
        times = []
        cache_dir = work / "cli-cache"
        shutil.rmtree(cache_dir, ignore_errors=True)
        env = {**os.environ, "DEFCOOP_CACHE_DIR": str(cache_dir)}
        if not fresh:
            subprocess.run([str(defcoop), "validate"], env=env, capture_output=True)
        for _ in range(args.repeat):
            if fresh:
                shutil.rmtree(cache_dir, ignore_errors=True)
                shutil.rmtree(str(cache_dir) + "-validation", ignore_errors=True)
            start = time.perf_counter()
            p = subprocess.run([str(defcoop), "validate"], env=env, capture_output=True)
            times.append(time.perf_counter() - start)
        out[f"defcoop validate ({label})"] = {"median": statistics.median(times), "min": min(times),
                                               "exit": p.returncode}
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            p = subprocess.run([str(defcoop), "validate"], env={**env, "DEFCOOP_VALIDATE_ENGINE": "pyshacl"},
                               capture_output=True)
            times.append(time.perf_counter() - start)
        out["defcoop validate, engine pyshacl"] = {"median": statistics.median(times), "min": min(times),
                                                    "exit": p.returncode}
    return out


# -- the report ---------------------------------------------------------------------------


def fmt_time(r: dict | None) -> str:
    if not r:
        return "–"
    if "timeout" in r:
        return f"> {r['timeout']:.0f} s"
    return f"{r['time']:.2f} s"


def fmt_mem(r: dict | None) -> str:
    if not r or "peak_mb" not in r:
        return "–"
    return f"{r['peak_mb']:.0f} MB"


def ratio(slow: dict, fast: dict) -> str:
    if not slow or not fast or "time" not in fast:
        return "–"
    if "timeout" in slow:
        return f"> {slow['timeout'] / fast['time']:.1f}×"
    return f"{slow['time'] / fast['time']:.1f}×"


def equal(a: dict, b: dict) -> str:
    if not a or not b or "digest" not in a or "digest" not in b:
        return "not checked"
    return "equal" if a["digest"] == b["digest"] and a["rows"] == b["rows"] else "DIFFERENT"


def report(results: list[dict], cli: dict, args) -> str:
    import pyoxigraph
    import pyshacl
    import rdflib

    lines = [
        "# Validation at scale: measurements",
        "",
        "Written by `python benchmarks/validation.py "
        + f"--sizes {args.sizes_text}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"rdflib {rdflib.__version__}, pyshacl {pyshacl.__version__}, pyoxigraph {pyoxigraph.__version__}.",
        "Each figure is one run in a fresh process (wall time; peak memory = the process's maximum "
        "resident set size). Corpora from `benchmarks/generate.py` with "
        f"{args.defects} injected defects.",
        "",
        "| triples | documents | pyshacl engine | fast path, cold | ratio | fast path, cache warm | "
        "after changing one document | peak memory (pyshacl / fast cold) | fast rows = pyshacl engine rows |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['triples']:,} | {r['documents']} | {fmt_time(r['pyshacl'])} | {fmt_time(r['fast_cold'])} | "
            f"{ratio(r['pyshacl'], r['fast_cold'])} | {fmt_time(r['fast_warm'])} | "
            f"{fmt_time(r['fast_changed'])} | {fmt_mem(r['pyshacl'])} / {fmt_mem(r['fast_cold'])} | "
            f"{equal(r['pyshacl'], r['fast_cold'])}"
            + (f"; after the change: {equal(r['pyshacl_changed'], r['fast_changed'])}"
               if r.get("pyshacl_changed") else "")
            + " |"
        )
    lines += ["", "Cold `defcoop validate` on the project's own graph "
              f"(median of {args.repeat} runs):", "", "| command | median | min |", "|---|---:|---:|"]
    for name, r in cli.items():
        lines.append(f"| {name} | {r['median']:.2f} s | {r['min']:.2f} s |")
    lines += ["", "## Targets (issue 6)", ""]
    lines += target_lines(results, cli)
    return "\n".join(lines) + "\n"


def target_lines(results, cli) -> list[str]:
    out = ["| target | measured | met? |", "|---|---|---|"]
    for r in results:
        n = f"{r['triples']:,} triples"
        slow, fast = r["pyshacl"], r["fast_cold"]
        if "time" in fast:
            if "timeout" in slow or "time" in slow:
                # not the target (≥ 10× plain pySHACL, which runs the SPARQL
                # constraints itself: benchmarks/RESULTS.md); shown for the record
                out.append(f"| speed-up over the pyshacl engine ({n}; the ≥ 10× target is against "
                           f"plain pySHACL: RESULTS.md) | {ratio(slow, fast)} | – |")
        ch = r["fast_changed"]
        if "time" in ch:
            out.append(f"| re-validation after a one-document change ≤ 3 s ({n}) | {ch['time']:.2f} s | "
                       f"{'yes' if ch['time'] <= 3 else 'no: %.1f s over' % (ch['time'] - 3)} |")
        if "peak_mb" in fast:
            out.append(f"| peak memory ≤ 2 GB ({n}) | {fast['peak_mb']:.0f} MB | "
                       f"{'yes' if fast['peak_mb'] <= 2048 else 'no'} |")
    for name, r in cli.items():
        if "pyshacl" in name:
            continue
        out.append(f"| cold {name} ≤ 2 s | {r['median']:.2f} s | "
                   f"{'yes' if r['median'] <= 2 else 'no: %.2f s over' % (r['median'] - 2)} |")
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        worker(argv[1], argv[2])
        return 0
    if argv[:1] == ["--report-only"]:  # re-render VALIDATION.md from VALIDATION.json
        out = HERE / "VALIDATION.md"
        saved = json.loads(out.with_suffix(".json").read_text())
        args = argparse.Namespace(sizes_text=saved.get("sizes_text", "10k,100k"),
                                  defects=saved.get("defects", 20), repeat=saved.get("repeat", 3))
        text = report(saved["sizes"], saved["cli"], args)
        if saved.get("written"):
            text = re.sub(r"on \d{4}-\d\d-\d\d \d\d:\d\d UTC", f"on {saved['written']}", text, count=1)
        out.write_text(text, encoding="utf-8")
        return 0
    sys.path.insert(0, str(HERE))
    from generate import parse_size

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10k,100k")
    ap.add_argument("--defects", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=1800, help="cap per run, seconds")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-check-changed", dest="check_changed", action="store_false",
                    help="skip the pyshacl engine after the change (the equality check)")
    ap.add_argument("--out", type=Path, default=HERE / "VALIDATION.md")
    args = ap.parse_args(argv)
    args.sizes_text = args.sizes
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="defcoop-validation-") as tmp:
        work = Path(tmp)
        results = [run_size(size, args, work) for size in sizes]
        print("== cold defcoop validate on the project", flush=True)
        cli = cli_runs(args, work)
    text = report(results, cli, args)
    print(text)
    tmp_out = args.out.with_suffix(".md.tmp")
    tmp_out.write_text(text, encoding="utf-8")
    os.replace(tmp_out, args.out)
    (args.out.with_suffix(".json")).write_text(json.dumps({
        "sizes": results, "cli": cli, "sizes_text": args.sizes_text, "defects": args.defects,
        "repeat": args.repeat, "written": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
