"""The W3C SHACL Core test suite is the compiled engine's oracle.

The data-shapes test suite (https://w3c.github.io/data-shapes/data-shapes-test-suite/)
ships in pySHACL's source distribution (``test/resources/sht_tests``). It is fetched
once with ``pip download --no-binary :all: --no-deps pyshacl==<installed version>``
and kept in ``$DEFCOOP_W3C_SUITE`` (default ``~/.cache/defcoop/sht_tests-<version>``);
without it (no package index) every test here is skipped, saying so.

Every core test whose shapes the compiled engine claims entirely (`compile_shapes`
leaves nothing to pySHACL and there is no SHACL-SPARQL) runs on the compiled engine,
and must give the suite's result: ``sh:conforms`` and the set of results (focus node,
path, value, constraint component, severity, and the source shape where it is an IRI).
A test listed in `KNOWN` must fail (strict xfail) for the reason given.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, Namespace

from defcoop.validation.report import names
from defcoop.validation.shacl import compiled
from defcoop.validation.shacl.components import COMPONENTS
from defcoop.validation.vocabulary import SH

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
PYSHACL = version("pyshacl")
# rdflib logs a traceback for every ill-typed literal (the suite has some on purpose)
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

#: tests of claimed components the compiled engine fails, with the reason
KNOWN: dict[str, str] = {
    "property/uniqueLang-002": 'only "true" activates sh:uniqueLang, but rdflib normalises '
    '"1"^^xsd:boolean to "true" as it parses the shapes, so no engine on rdflib can tell them apart',
}


def suite_root() -> Path | str:
    """The suite's ``core`` folder, fetched if need be; or why it cannot be had."""
    home = os.environ.get("DEFCOOP_W3C_SUITE")
    root = Path(home) if home else Path.home() / ".cache" / "defcoop" / f"sht_tests-{PYSHACL}"
    core = root / "core"
    if (core / "manifest.ttl").exists():
        return core
    with tempfile.TemporaryDirectory() as tmp:
        got = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
             f"pyshacl=={PYSHACL}", "-d", tmp, "-q"],
            capture_output=True, text=True, timeout=300, check=False,
        )
        archives = list(Path(tmp).glob("pyshacl-*.tar.gz"))
        if got.returncode or not archives:
            last = (got.stderr.strip().splitlines() or ["no archive"])[-1]
            return f"the W3C SHACL suite could not be fetched (pip download pyshacl=={PYSHACL}): {last}"
        prefix = f"pyshacl-{PYSHACL}/test/resources/sht_tests/"
        with tarfile.open(archives[0]) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
            root.mkdir(parents=True, exist_ok=True)
            for m in members:
                target = root / m.name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(m)
                if source is not None:
                    target.write_bytes(source.read())
    return core if (core / "manifest.ttl").exists() else f"no core manifest in pyshacl {PYSHACL}'s sdist"


def suite_files(core: Path) -> list[Path]:
    """Every test file the core manifest includes (through the sub-manifests)."""
    out = []
    top = Graph().parse(core / "manifest.ttl", format="turtle")
    for sub in sorted(top.objects(None, MF.include), key=str):
        path = Path(str(sub).removeprefix("file://"))
        g = Graph().parse(path, format="turtle")
        out += sorted(Path(str(f).removeprefix("file://")) for f in g.objects(None, MF.include))
    return out


def pytest_generate_tests(metafunc):
    if "w3c_test" not in metafunc.fixturenames:
        return
    core = suite_root()
    if isinstance(core, str):
        metafunc.parametrize("w3c_test", [pytest.param(None, marks=pytest.mark.skip(reason=core))], ids=["suite"])
        return
    files = suite_files(core)
    metafunc.parametrize(
        "w3c_test", files, ids=[str(f.relative_to(core).with_suffix("")) for f in files],
    )


def expected(g: Graph, entry) -> tuple[bool, set]:
    result = g.value(entry, MF.result)
    conforms = g.value(result, SH.conforms).toPython()
    return conforms, {_key(g, r) for r in g.objects(result, SH.result)}


def _graph(manifest: Graph, path: Path, iri) -> Graph:
    """The graph a test's action names: its own file, or another beside it."""
    if str(iri) == path.resolve().as_uri():
        return manifest
    return Graph().parse(Path(str(iri).removeprefix("file://")), format="turtle")


def _key(g: Graph, r) -> tuple:
    shape = g.value(r, SH.sourceShape)
    return (
        g.value(r, SH.focusNode), names.path_name(g.value(r, SH.resultPath), g),
        g.value(r, SH.value), g.value(r, SH.sourceConstraintComponent),
        g.value(r, SH.resultSeverity), shape if isinstance(shape, URIRef) else "[]",
    )


def _found(g: Graph, findings) -> set:
    return {
        (f.focus, names.path_name(f.path, g), f.value, f.component, f.severity,
         f.shape if isinstance(f.shape, URIRef) else "[]")
        for f in findings
    }


def test_w3c_core(w3c_test):
    g = Graph().parse(w3c_test, format="turtle")
    (entry,) = [e for m in g.subjects(RDF.type, MF.Manifest) for lst in g.objects(m, MF.entries)
                for e in Collection(g, lst)]
    if (entry, RDF.type, SHT.Validate) not in g:
        pytest.skip("not a validation test (sht:Validate)")
    action = g.value(entry, MF.action)
    data, shapes = (_graph(g, w3c_test, g.value(action, p)) for p in (SHT.dataGraph, SHT.shapesGraph))
    plan = compiled.compile_shapes(shapes, require_messages=False)
    if plan.fallback or plan.sparql:
        left = sorted({str(p) for _, parts in plan.fallback for p, _ in parts})
        pytest.skip(f"not claimed by the compiled engine (left to pySHACL: {', '.join(left) or 'SHACL-SPARQL'})")
    name = f"{w3c_test.parent.name}/{w3c_test.stem}"
    if name in KNOWN:
        pytest.xfail(KNOWN[name])
    conforms, results = expected(g, entry)
    findings = compiled.run(data, shapes, plan)
    assert _found(shapes, findings) == results
    assert (not findings) == conforms


def test_the_suite_covers_what_the_engine_claims():
    """Enough of the suite runs on the compiled engine that it is an oracle, not a formality."""
    core = suite_root()
    if isinstance(core, str):
        pytest.skip(core)
    claimed = 0
    components = set()
    for f in suite_files(core):
        g = Graph().parse(f, format="turtle")
        plan = compiled.compile_shapes(g, require_messages=False)
        if not plan.fallback and not plan.sparql:
            claimed += 1
            components |= plan.claimed()
    assert claimed >= 80
    # every component of the registry is exercised by at least one test of the suite
    assert {c.iri for c in COMPONENTS} - components == set()

