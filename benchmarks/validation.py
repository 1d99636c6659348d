"""Validation at scale, side by side in one run: defcoop against Apache Jena, rudof and pySHACL.

Reproduce the committed table with one command (from the project folder, with
``pip install -e '.[test,bench]'``, Java and Debian's ``libapache-jena-java``)::

    python benchmarks/validation.py --sizes 100k,1M

``--sizes 10k`` is a quick smoke run. For each size it generates a corpus
(``benchmarks/generate.py``, ``--defects`` injected defects) and writes, once and not
timed, the graph ``defcoop validate`` checks (the ontology, the data, the reference
data and the class and property hierarchy of ``ontology/imports``) as one N-Triples
file and the shapes (``ontology/shapes*.ttl``) as one Turtle file (`jena.write_merged`,
`jena.shapes_file`). Then, each in a fresh process (wall time; peak memory is the
process's maximum resident set size from ``os.wait4``):

* defcoop (``validate()``, the engine "oxigraph", on the corpus's own files) with an
  empty cache (cold), again with the cache warm, and after a one-document edit;
* Apache Jena's ``shacl validate`` (`jena.py`) on the N-Triples file;
* rudof (``pyrudof``, `rudof.py`) on the same N-Triples file;
* pySHACL, the baseline (``validate(engine="pyshacl")``: pySHACL for SHACL Core over the
  whole graph, the ``sh:sparql`` constraints by rdflib), capped by ``--pyshacl-timeout``;

then cold ``defcoop validate`` on the project's own graph (median of ``--repeat``).

"The same violations": every engine's results become (focus node, path, constraint
component) triples, blank-node focus nodes as ``_:`` and paths as text without spaces,
brackets or parentheses (``^p``, ``a|b``, ``a/b``); the multisets are compared with
defcoop's. defcoop also runs checks that are not SHACL (terms, quotes, literals, link
targets: components outside ``sh:``); only its SHACL findings (components in ``sh:``)
are counted and compared. Where an engine lacks a feature the shapes use, the findings
that need it are left out of that engine's comparison (`LEFT_OUT`, printed with the
table). Prints the tables and writes ``benchmarks/VALIDATION.md`` and ``.json``;
``--report-only`` re-renders the Markdown from the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SH = "http://www.w3.org/ns/shacl#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
TARGETS = {"revalidate_s": 1.5, "revalidate_at": 100_000, "cli_s": 1.0, "full_sizes": (100_000, 1_000_000)}
#: a ratio this close to 1 is within what one engine's time varies from run to run here
NOISE = 1.2
ENGINES = ("defcoop", "jena", "rudof", "pyshacl")
NAMES = {"defcoop": "defcoop", "jena": "Apache Jena SHACL", "rudof": "rudof", "pyshacl": "pySHACL"}

#: engine -> (what it lacks, which of defcoop's findings that leaves out of its comparison)
LEFT_OUT = {
    "rudof": ("rudof 0.3.35 accepts an xsd:date whose day does not exist (\"2018-02-30\"^^xsd:date "
              "passes sh:datatype xsd:date; it does reject e.g. \"abc\"^^xsd:integer)",
              "defcoop findings whose sh:value is an ill-typed xsd:date literal"),
}


# -- results as comparable keys --------------------------------------------------------------


def path_key(text: str | None) -> str:
    """A path as text, spaces, brackets and parentheses removed: ``(a | b)`` -> ``a|b``."""
    return re.sub(r"[\s()<>]", "", text or "")


def path_text(graph, node) -> str:
    """A SHACL path node of an rdflib ``graph`` as text (``^p``, ``a|b``, ``a/b``, ``p*``)."""
    from rdflib import RDF, BNode, Namespace
    from rdflib.collection import Collection

    if node is None:
        return ""
    if not isinstance(node, BNode):
        return str(node)
    sh = Namespace(SH)
    inverse = graph.value(node, sh.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    alternatives = graph.value(node, sh.alternativePath)
    if alternatives is not None:
        return "|".join(path_text(graph, p) for p in Collection(graph, alternatives))
    for mark, prop in (("*", sh.zeroOrMorePath), ("+", sh.oneOrMorePath), ("?", sh.zeroOrOnePath)):
        inner = graph.value(node, prop)
        if inner is not None:
            return path_text(graph, inner) + mark
    if graph.value(node, RDF.first) is not None:
        return "/".join(path_text(graph, p) for p in Collection(graph, node))
    return "_:"


def focus_key(node) -> str:
    from rdflib import BNode

    return "_:" if isinstance(node, BNode) or str(node).startswith("_:") else str(node)


def defcoop_keys(report) -> list[list]:
    """defcoop's SHACL findings: [focus, path, component, value is an ill-typed xsd:date]."""
    from rdflib import Literal

    keys = []
    for f in report.findings:
        if not str(f.component).startswith(SH):
            continue  # a check that is not SHACL (terms, quotes, literals, link targets)
        graph = report.shapes if f.path is None or (f.path, None, None) in report.shapes else report.graph
        ill_date = (isinstance(f.value, Literal) and str(f.value.datatype) == XSD_DATE
                    and bool(f.value.ill_typed))
        keys.append([focus_key(f.focus), path_key(path_text(graph, f.path)), str(f.component), ill_date])
    return keys


def jena_keys(report_turtle: str) -> list[list]:
    """Jena's ``shacl validate`` report (Turtle) as [focus, path, component]."""
    from rdflib import Graph, Namespace

    sh = Namespace(SH)
    graph = Graph().parse(data=report_turtle, format="turtle")
    return [[focus_key(graph.value(r, sh.focusNode)), path_key(path_text(graph, graph.value(r, sh.resultPath))),
             str(graph.value(r, sh.sourceConstraintComponent))]
            for r in graph.objects(None, sh.result)]


def rudof_keys(results: list[list]) -> list[list]:
    """rudof's results (`rudof.validate`) as [focus, path, component]."""
    return [[focus_key(focus), path_key(path), component] for focus, path, component, _ in results]


def compare(reference: list[list], other: list[list], engine: str) -> dict:
    """Whether ``other``'s (focus, path, component) multiset equals defcoop's, leaving out of
    defcoop's what ``engine`` does not support (`LEFT_OUT`)."""
    kept = [k for k in reference if not (engine in LEFT_OUT and k[3])]
    ours, theirs = Counter(tuple(k[:3]) for k in kept), Counter(tuple(k[:3]) for k in other)
    missing, extra = ours - theirs, theirs - ours
    return {"equal": not missing and not extra, "compared": sum(ours.values()),
            "left_out": len(reference) - len(kept), "missing": sorted(missing.elements())[:10],
            "extra": sorted(extra.elements())[:10], "n_missing": sum(missing.values()),
            "n_extra": sum(extra.values())}


# -- the workers: one validation in a fresh process -------------------------------------------


def worker(engine: str, corpus: str, keys_out: str) -> None:
    """defcoop's ``validate`` with ``engine`` ("oxigraph" or "pyshacl") on ``corpus``;
    its SHACL findings to ``keys_out``, a summary (JSON) on stdout."""
    import hashlib
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    from defcoop.graph.files import default_sources
    from defcoop.validation.validate import validate

    sources = default_sources(Path(corpus))
    start = time.perf_counter()
    report = validate(sources, engine=engine)
    rows = report.rows()
    elapsed = time.perf_counter() - start
    keys = defcoop_keys(report)
    Path(keys_out).write_text(json.dumps(keys) + "\n", encoding="utf-8")
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    print(json.dumps({"inner": elapsed, "rows": len(rows), "digest": digest, "results": len(keys)}))


def session_rss_mb(session: int) -> float:
    """The resident memory (MB) of all processes of ``session`` now (Linux ``/proc``; 0 elsewhere)."""
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    total = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            if int(stat[stat.rindex(")") + 2:].split()[3]) == session:
                total += int((entry / "statm").read_text().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue  # gone, or not ours to read
    return total / 2**20


def measure(cmd: list[str], env: dict, timeout: float, stdout: Path) -> dict:
    """Run ``cmd`` (its stdout to ``stdout``, in a session of its own): wall time, the
    process's peak memory (MB, ``os.wait4``), the peak of its whole process tree (MB,
    sampled every 0.1 s: a worker pool's processes are in it), its exit code and the JSON
    of its last line of output, if any; ``{"timeout": timeout}`` if it ran longer (it is
    killed, with its children)."""
    start = time.perf_counter()
    with stdout.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.DEVNULL, start_new_session=True)
    tree_peak, polls = 0.0, 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            return {"timeout": timeout, "tree_peak_mb": tree_peak}
        if polls % 5 == 0:
            tree_peak = max(tree_peak, session_rss_mb(proc.pid))
        polls += 1
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    with_tree = max(tree_peak, usage.ru_maxrss / 1024)
    result = {"time": elapsed, "peak_mb": usage.ru_maxrss / 1024, "tree_peak_mb": with_tree, "exit": proc.returncode}
    lines = stdout.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    try:
        result.update(json.loads(lines[-1]))
    except (ValueError, IndexError):
        pass
    return result


def run_defcoop(engine: str, corpus: Path, env: dict, timeout: float, work: Path, name: str) -> dict:
    keys = work / f"{name}.keys.json"
    r = measure([sys.executable, str(Path(__file__).resolve()), "--worker", engine, str(corpus), str(keys)],
                env, timeout, work / f"{name}.out")
    if "time" in r and keys.exists():
        r["keys"] = json.loads(keys.read_text(encoding="utf-8"))
    return r


def run_jena(data: Path, shapes: Path, env: dict, timeout: float, work: Path) -> dict:
    import jena

    if not jena.available():
        return {"skipped": "no Java or Jena here (apt-get install default-jre-headless libapache-jena-java)"}
    out = work / "jena-report.ttl"
    r = measure(jena.command(work, shapes, data), env, timeout, out)
    if "time" in r:
        if r["exit"] not in (0, 1):
            return {**r, "error": f"shacl validate exited with {r['exit']}"}
        r["keys"] = jena_keys(out.read_text(encoding="utf-8"))
        r["results"] = len(r["keys"])
    return r


def run_rudof(data: Path, shapes: Path, env: dict, timeout: float, work: Path) -> dict:
    import rudof

    why = rudof.unavailable()
    if why:
        return {"skipped": why}
    out = work / "rudof-results.json"
    r = measure([sys.executable, str(HERE / "rudof.py"), str(data), str(shapes), str(out)], env, timeout,
                work / "rudof.out")
    if "time" in r:
        if r["exit"] != 0:
            return {**r, "error": f"rudof exited with {r['exit']}"}
        r["keys"] = rudof_keys(json.loads(out.read_text(encoding="utf-8")))
        r["results"] = len(r["keys"])
    return r


def clear_cache(cache_dir: Path) -> None:
    shutil.rmtree(cache_dir, ignore_errors=True)
    shutil.rmtree(str(cache_dir) + "-validation", ignore_errors=True)


def run_size(size: int, args, work: Path) -> dict:
    """Every engine on one generated corpus of ``size`` triples, and the comparisons."""
    import generate
    import jena

    corpus = work / f"corpus-{size}"
    manifest = generate.generate(size, corpus, defects=args.defects)
    data, shapes = work / f"merged-{size}.nt", work / f"shapes-{size}.ttl"
    merged = jena.write_merged(corpus, data)
    jena.shapes_file(corpus, shapes)
    cache_dir = work / f"cache-{size}"
    env = {**os.environ, "DEFCOOP_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT / "src")}
    env.pop("DEFCOOP_NO_CACHE", None)
    res: dict = {"size": size, "triples": manifest["triples"], "documents": manifest["documents"],
                 "merged_triples": merged, "engines": {},
                 "defects": json.loads((corpus / "defects.json").read_text(encoding="utf-8"))}
    eng = res["engines"]
    say = lambda text: print(f"   {text}", flush=True)  # noqa: E731
    print(f"== {size:,} triples ({manifest['documents']} documents; {merged:,} triples merged)", flush=True)
    clear_cache(cache_dir)
    say("defcoop, cold cache")
    eng["defcoop"] = run_defcoop("oxigraph", corpus, env, args.timeout, work, "defcoop-cold")
    say("defcoop, warm cache, nothing changed")
    res["defcoop_warm"] = run_defcoop("oxigraph", corpus, env, args.timeout, work, "defcoop-warm")
    if "jena" in args.engines:
        say("Apache Jena SHACL")
        eng["jena"] = run_jena(data, shapes, env, args.timeout, work)
    if "rudof" in args.engines:
        say("rudof")
        eng["rudof"] = run_rudof(data, shapes, env, args.timeout, work)
    if "pyshacl" in args.engines:
        say(f"pySHACL (timeout {args.pyshacl_timeout:.0f} s)")
        eng["pyshacl"] = run_defcoop("pyshacl", corpus, {**env, "DEFCOOP_NO_CACHE": "1"}, args.pyshacl_timeout,
                                     work, "pyshacl")
    if not args.no_edit:
        doc = sorted((corpus / "data" / "documents").glob("*.ttl"))[-1]
        doc.write_text(doc.read_text(encoding="utf-8").replace("status:done", "status:planned"), encoding="utf-8")
        say("defcoop after a one-document edit (cache warm)")
        res["defcoop_edit"] = run_defcoop("oxigraph", corpus, env, args.timeout, work, "defcoop-edit")
        if "time" in eng.get("pyshacl", {}):
            say("pySHACL after the edit (the equality check)")
            res["pyshacl_edit"] = run_defcoop("pyshacl", corpus, {**env, "DEFCOOP_NO_CACHE": "1"},
                                              args.pyshacl_timeout, work, "pyshacl-edit")
    reference = eng["defcoop"].get("keys")
    for name, r in eng.items():
        if name != "defcoop" and reference is not None and "keys" in r:
            r["same"] = compare(reference, r["keys"], name)
    if reference is not None and "keys" in res.get("pyshacl_edit", {}) and "keys" in res.get("defcoop_edit", {}):
        res["pyshacl_edit"]["same"] = compare(res["defcoop_edit"]["keys"], res["pyshacl_edit"]["keys"], "pyshacl")
    shutil.rmtree(corpus, ignore_errors=True)
    clear_cache(cache_dir)
    for f in (data, shapes):
        f.unlink(missing_ok=True)
    return res


def cli_runs(args, work: Path) -> dict:
    """``defcoop validate`` on the project: cold (empty cache) and warm, median of ``--repeat``."""
    defcoop = Path(sys.executable).with_name("defcoop")
    cache_dir = work / "cli-cache"
    env = {**os.environ, "DEFCOOP_CACHE_DIR": str(cache_dir)}
    env.pop("DEFCOOP_NO_CACHE", None)
    out = {}
    for label, cold in (("cold cache", True), ("warm cache", False)):
        clear_cache(cache_dir)
        if not cold:
            subprocess.run([str(defcoop), "validate"], env=env, capture_output=True)
        times = []
        for _ in range(args.repeat):
            if cold:
                clear_cache(cache_dir)
            start = time.perf_counter()
            p = subprocess.run([str(defcoop), "validate"], env=env, capture_output=True)
            times.append(time.perf_counter() - start)
        out[label] = {"median": statistics.median(times), "min": min(times), "exit": p.returncode}
    clear_cache(cache_dir)
    return out


# -- the report -------------------------------------------------------------------------------


def fmt_time(r: dict | None) -> str:
    if not r:
        return "–"
    if "skipped" in r:
        return "not run"
    if "timeout" in r:
        return f"> {r['timeout']:.0f} s ({r.get('note', 'timeout')})"
    if "error" in r:
        return f"failed ({r['error']})"
    return f"{r['time']:.2f} s"


def fmt_mem(r: dict | None) -> str:
    """The process's peak, and that of its process tree where that is more (a worker pool)."""
    if r and "peak_mb" not in r and r.get("tree_peak_mb"):
        return f"≥ {r['tree_peak_mb']:.0f} MB (when stopped)"
    if not r or "peak_mb" not in r:
        return "–"
    tree = r.get("tree_peak_mb", 0)
    return f"{r['peak_mb']:.0f} MB" + (f" (tree {tree:.0f} MB)" if tree > r["peak_mb"] * 1.05 + 1 else "")


def fmt_same(r: dict) -> str:
    if "skipped" in r:
        return f"not run: {r['skipped']}"
    same = r.get("same")
    if not same:
        return "–"
    subset = f" (on the {same['compared']} both support; {same['left_out']} left out)" if same["left_out"] else ""
    if same["equal"]:
        return "equal" + subset
    return f"DIFFERENT: {same['n_missing']} of defcoop's missing, {same['n_extra']} extra{subset}"


def speedup(other: dict, ours: dict) -> str:
    """How many times faster defcoop (``ours``) was than ``other``."""
    if "time" not in ours or not other or "skipped" in other or "error" in other:
        return "–"
    if "timeout" in other:
        return f"> {other['timeout'] / ours['time']:.1f}×"
    return f"{other['time'] / ours['time']:.1f}×"


def report(results: list[dict], cli: dict, meta: dict) -> str:
    lines = [
        "# Validation at scale: defcoop, Apache Jena SHACL, rudof and pySHACL",
        "",
        "Reproduce (from the project folder, `pip install -e '.[test,bench]'`, Java and `libapache-jena-java`):",
        "",
        "    python benchmarks/validation.py --sizes 100k,1M",
        "",
        f"Written by `python benchmarks/validation.py {meta['argv']}` on {meta['written']}. "
        f"Machine: {meta['machine']}. Versions: {meta['versions']}.",
        *[f"{note}" for note in meta.get("notes", [])],
        *([f"**Unfinished**: still to run when this was written: {', '.join(meta['unfinished'])} triples.", '']
          if meta.get("unfinished") else [""]),
        "Each figure is one run in a fresh process: wall time, and peak memory = that process's maximum "
        "resident set size (`os.wait4`), with, where it is more, the peak of its whole process tree (the sum, "
        "sampled every 0.1 s: defcoop's worker pool). "
        f"Corpora from `benchmarks/generate.py` with {meta['defects']} injected defects. defcoop reads "
        "the corpus's files (ontology, data, reference, `ontology/imports` for the class and property "
        "hierarchy); Jena and rudof read the same graph written once as one N-Triples file "
        "(`jena.write_merged`), all with the shapes of `ontology/shapes*.ttl`. pySHACL is defcoop's engine "
        "`pyshacl` (pySHACL for SHACL Core, rdflib for the `sh:sparql` constraints). \"SHACL results\" "
        "counts (focus node, path, constraint component) results; for defcoop only its SHACL findings "
        "(components in `sh:`), not its checks of terms, quotes, literals and link targets. \"Same as "
        "defcoop\" compares those multisets (blank-node focus nodes as `_:`).",
        "",
        "| triples | engine | validation | its time ÷ defcoop's cold time | peak memory | SHACL results "
        "| same (focus, path, component) as defcoop |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        n, eng = f"{r['triples']:,}", r["engines"]
        ours = eng["defcoop"]
        rows = [("defcoop, cold cache", ours, "", "(reference)"),
                ("defcoop, cache warm, nothing changed", r.get("defcoop_warm"), "", "–"),
                ("defcoop, after a one-document edit", r.get("defcoop_edit"), "", "–")]
        rows += [(NAMES[name], eng[name], speedup(eng[name], ours), fmt_same(eng[name]))
                 for name in ENGINES[1:] if name in eng]
        if r.get("pyshacl_edit"):
            rows.append(("pySHACL after the edit", r["pyshacl_edit"], "",
                         fmt_same(r["pyshacl_edit"]).replace("equal", "equal to defcoop after the edit")))
        for label, m, ratio_text, same in rows:
            if m is None:
                continue
            results_text = str(m["results"]) if "results" in m else "–"
            lines.append(f"| {n} | {label} | {fmt_time(m)} | {ratio_text or '–'} | {fmt_mem(m)} | "
                         f"{results_text} | {same} |")
    lines += ["", "Left out of a comparison (a feature the shapes use that the engine lacks):", ""]
    for name, (lacks, which) in LEFT_OUT.items():
        counts = ", ".join(f"{r['engines'][name]['same']['left_out']} at {r['triples']:,}"
                           for r in results if "same" in r["engines"].get(name, {}))
        lines.append(f"- {NAMES[name]}: {lacks}; left out: {which} ({counts or 'not run'}).")
    lines.append("- Apache Jena, pySHACL: nothing (both run all the shapes use: SHACL Core, `sh:languageIn`, "
                 "`sh:or`, qualified value shapes, SHACL-SPARQL).")
    diffs = [(r, name, m["same"]) for r in results for name, m in
             [*r["engines"].items(), ("pyshacl", r.get("pyshacl_edit", {}))] if not m.get("same", {"equal": 1})["equal"]]
    if diffs:
        lines += ["", "Differences (first 10 each; focus, path, component):", ""]
        for r, name, same in diffs:
            for kind in ("missing", "extra"):
                for key in same[kind]:
                    lines.append(f"- {r['triples']:,}, {NAMES[name]}, {kind}: `{' '.join(map(str, key))}`")
    lines += ["", f"`defcoop validate` on the project's own graph (median of {meta['repeat']} runs):", "",
              "| command | median | min |", "|---|---:|---:|"]
    for label, m in cli.items():
        lines.append(f"| defcoop validate ({label}) | {m['median']:.2f} s | {m['min']:.2f} s |")
    lines += ["", "## Targets (issue 12, item 7)", ""] + target_lines(results, cli)
    return "\n".join(lines) + "\n"


def breakdown(m: dict) -> str:
    """Where a defcoop run's time went: in ``validate()`` and around it (start-up, imports)."""
    if "inner" not in m:
        return ""
    return (f"{m['inner']:.2f} s of it in validate(), {m['time'] - m['inner']:.2f} s starting Python and "
            f"importing; peak {fmt_mem(m)}")


def warm_note(r: dict) -> str:
    warm = r.get("defcoop_warm") or {}
    return f"; with the cache warm {warm['time']:.2f} s" if "time" in warm else ""


def target_lines(results: list[dict], cli: dict) -> list[str]:
    out = ["| target | measured | met? | why, where missed |", "|---|---|---|---|"]
    for r in results:
        n, eng = f"{r['triples']:,} triples", r["engines"]
        ours = eng["defcoop"]
        for name in ("jena", "rudof"):
            other = eng.get(name)
            if other is None:
                continue
            goal = f"full validation faster than {NAMES[name]} ({n})"
            if "time" not in ours:
                out.append(f"| {goal} | defcoop {fmt_time(ours)} | not measured | defcoop did not finish |")
            elif "time" not in other or "error" in other:
                verdict = "yes" if "timeout" in other else "not measured"
                out.append(f"| {goal} | defcoop {fmt_time(ours)}, {NAMES[name]} {fmt_time(other)} | {verdict} | "
                           f"{other.get('skipped', other.get('error', ''))} |")
            elif ours["time"] < other["time"]:
                ratio = other["time"] / ours["time"]
                close = (f"by {other['time'] - ours['time']:.2f} s: within what a run's time varies "
                         f"on this machine (about ±20 %)") if ratio < NOISE else ""
                out.append(f"| {goal} | {ours['time']:.2f} s vs {other['time']:.2f} s | yes, "
                           f"{ratio:.2f}× faster | {close} |")
            else:
                out.append(f"| {goal} | {ours['time']:.2f} s vs {other['time']:.2f} s | no: "
                           f"{ours['time'] - other['time']:.2f} s ({ours['time'] / other['time']:.1f}×) slower | "
                           f"defcoop cold: {breakdown(ours)}{warm_note(r)} |")
        compared = {name: m["same"] for name, m in eng.items() if "same" in m}
        if compared:
            bad = [f"{NAMES[k]}: {v['n_missing']} missing, {v['n_extra']} extra" for k, v in compared.items()
                   if not v["equal"]]
            counts = ", ".join(f"{NAMES[k]} {eng[k].get('results', '–')}" for k in compared)
            out.append(f"| the same violations counted ({n}) | defcoop {ours.get('results', '–')}, {counts} | "
                       f"{'no' if bad else 'yes'} | {'; '.join(bad)} |")
        edit = r.get("defcoop_edit")
        if edit and "time" in edit and r["triples"] > 1.5 * TARGETS["revalidate_at"]:
            out.append(f"| re-validation after a one-document edit ({n}; the target is for "
                       f"{TARGETS['revalidate_at']:,}) | {edit['time']:.2f} s | – | "
                       f"{breakdown(edit) + warm_note(r).replace('with the cache warm', 'nothing changed')} |")
        elif edit and "time" in edit:
            goal = f"re-validation after a one-document edit ≤ {TARGETS['revalidate_s']} s ({n})"
            ok = edit["time"] <= TARGETS["revalidate_s"]
            out.append(f"| {goal} | {edit['time']:.2f} s | "
                       f"{'yes' if ok else 'no: %.2f s over' % (edit['time'] - TARGETS['revalidate_s'])} | "
                       f"{'' if ok else breakdown(edit) + warm_note(r).replace('with the cache warm', 'nothing changed')} |")
    cold = cli.get("cold cache")
    if cold:
        ok = cold["median"] <= TARGETS["cli_s"]
        out.append(f"| cold `defcoop validate` on the project ≤ {TARGETS['cli_s']} s | {cold['median']:.2f} s | "
                   f"{'yes' if ok else 'no: %.2f s over' % (cold['median'] - TARGETS['cli_s'])} | "
                   f"{'' if ok else 'warm cache: %.2f s, so about %.2f s is building the cache' % (cli['warm cache']['median'], cold['median'] - cli['warm cache']['median'])} |")
    return out


def versions() -> str:
    import pyoxigraph
    import pyshacl
    import rdflib

    import jena
    import rudof

    parts = [f"Python {platform.python_version()}", f"rdflib {rdflib.__version__}", f"pyshacl {pyshacl.__version__}",
             f"pyoxigraph {pyoxigraph.__version__}"]
    if not rudof.unavailable():
        from importlib.metadata import version

        parts.append(f"pyrudof {version('pyrudof')}")
    if jena.available():
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
        deb = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libapache-jena-java"],
                             capture_output=True, text=True).stdout.strip() if shutil.which("dpkg-query") else ""
        parts.append(f"Jena (Debian libapache-jena-java {deb or '?'}), {java[0] if java else 'java'}")
    return ", ".join(parts)


def parse_args(argv: list[str]) -> argparse.Namespace:
    from generate import parse_size

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100k,1M", help="comma-separated, e.g. 10k (a smoke run), 100k,1M")
    ap.add_argument("--defects", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=1200, help="cap per run of defcoop, Jena, rudof (s)")
    ap.add_argument("--pyshacl-timeout", type=float, default=600, help="cap per pySHACL run (s)")
    ap.add_argument("--engines", default="jena,rudof,pyshacl", help="besides defcoop")
    ap.add_argument("--repeat", type=int, default=5, help="runs of defcoop validate on the project")
    ap.add_argument("--no-edit", action="store_true", help="skip the one-document edit")
    ap.add_argument("--out", type=Path, default=HERE / "VALIDATION.md")
    args = ap.parse_args(argv)
    try:
        args.size_list = [parse_size(s) for s in args.sizes.split(",")]
    except argparse.ArgumentTypeError as e:
        ap.error(f"--sizes: {e}")
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args.out.is_dir() or not args.out.parent.is_dir():
        ap.error(f"--out {args.out}: give a file in an existing folder (the .json goes beside it)")
    unknown = set(args.engines) - set(ENGINES[1:])
    if unknown:
        ap.error(f"--engines: unknown {', '.join(sorted(unknown))} (known: {', '.join(ENGINES[1:])})")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    sys.path.insert(0, str(HERE))
    if argv[:1] == ["--worker"]:
        worker(*argv[1:4])
        return 0
    out = HERE / "VALIDATION.md"
    if argv[:1] == ["--report-only"]:  # re-render VALIDATION.md from VALIDATION.json
        saved = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        out.write_text(report(saved["sizes"], saved["cli"], saved["meta"]), encoding="utf-8")
        return 0
    args = parse_args(argv)
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # the reports' ill-typed dates
    meta = {"argv": " ".join(argv) or "(defaults)", "defects": args.defects, "repeat": args.repeat,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores", "versions": versions()}
    sys.path.insert(0, str(ROOT / "src"))
    from defcoop.graph.export import write_atomic

    def write(results: list[dict], cli: dict, todo: list[int]) -> str:
        """VALIDATION.md and .json as they stand (after each size: a long run leaves its part)."""
        meta["written"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        meta["unfinished"] = [f"{n:,}" for n in todo]
        text = report(results, cli, meta)
        write_atomic(text.encode(), args.out)
        write_atomic((json.dumps({"sizes": results, "cli": cli, "meta": meta}, indent=2) + "\n").encode(),
                     args.out.with_suffix(".json"))
        return text

    with tempfile.TemporaryDirectory(prefix="defcoop-validation-") as tmp:
        work = Path(tmp)
        print("== defcoop validate on the project", flush=True)
        cli = cli_runs(args, work) if args.repeat > 0 else {}
        results: list[dict] = []
        for i, size in enumerate(args.size_list):
            results.append(run_size(size, args, work))
            text = write(results, cli, args.size_list[i + 1:])
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
