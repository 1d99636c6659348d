"""The readable exports (`defcoop.graph.serialize`, `defcoop export`).

- Each case of ``tests/serialize/manifest.csv``: the input written in the
  format gives exactly the expected file, whatever the order of the statements and
  the parser's blank-node labels, and the expected file holds the same graph.
- The project's export in every format is the same bytes on two runs, holds the
  graph it was made of, and (``--graphs data``) re-validates clean with
  ``defcoop validate`` (which adds the ontology itself).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from defcoop.graph import serialize as S

CASES = Path(__file__).parent / "serialize"
MANIFEST = list(csv.DictReader((CASES / "manifest.csv").open(encoding="utf-8")))
#: the prefixes the writers are given for the cases (one of them never used)
PREFIXES = {"ex": "http://example.org/", "oa": "http://www.w3.org/ns/oa#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#",
            "unused": "http://unused.example/"}
_OX = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
       "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}


def write(statements, fmt: str) -> bytes:
    if fmt in ("ttl", "trig", "jsonld"):
        return {"ttl": S.turtle, "trig": S.trig, "jsonld": S.jsonld}[fmt](statements, PREFIXES)
    return S.serialize(statements, fmt)


def graphs_of(data: bytes, fmt: str) -> dict:
    """Graph name -> rdflib Graph, as Oxigraph parses ``data`` (RDF 1.1 terms: "x"^^xsd:string
    is "x", language tags in lower case)."""
    from collections import defaultdict

    from defcoop.query.engine import to_rdflib_graph

    by_graph = defaultdict(list)
    for q in ox.parse(data, format=_OX[fmt]):
        graph = getattr(q, "graph_name", None)  # a Triple has none
        by_graph[None if graph is None or isinstance(graph, ox.DefaultGraph) else graph.value].append(q)
    return {g: to_rdflib_graph(qs) for g, qs in by_graph.items()}


def same_graph(a: bytes, b: bytes, fmt_a: str, fmt_b: str) -> bool:
    ga, gb = graphs_of(a, fmt_a), graphs_of(b, fmt_b)
    return ga.keys() == gb.keys() and all(isomorphic(ga[k], gb[k]) for k in ga)


@pytest.mark.parametrize("case", MANIFEST, ids=[f"{c['input']}-{c['format']}" for c in MANIFEST])
def test_each_case_gives_the_expected_bytes(case):
    source = CASES / case["input"]
    in_fmt = "trig" if source.suffix == ".trig" else "ttl"
    parsed = list(ox.parse(path=str(source), format=_OX[in_fmt]))
    statements = parsed if S.FORMATS[case["format"]][2] else [q.triple for q in parsed]
    expected = (CASES / case["expected"]).read_bytes()
    assert write(statements, case["format"]) == expected
    # another order of the statements, other blank-node labels: the same bytes
    again = list(ox.parse(path=str(source), format=_OX[in_fmt]))
    again = again if S.FORMATS[case["format"]][2] else [q.triple for q in again]
    assert write(list(reversed(again)), case["format"]) == expected
    assert same_graph(expected, source.read_bytes(), case["format"], in_fmt)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(S.FORMATS))
def test_the_project_export_is_stable_holds_the_graph_and_revalidates(fmt, tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "defcoop", *args], check=False,
                              capture_output=True, timeout=600)

    first = run("export", "--format", fmt)
    second = run("export", "--format", fmt)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout, "not byte-stable"
    from defcoop.graph.files import load_dataset

    got = graphs_of(first.stdout, fmt)
    if S.FORMATS[fmt][2]:
        local = load_dataset()
        named = {str(g.identifier): g for g in local.graphs() if len(g)}
        assert got.keys() == named.keys()
        for name, graph in named.items():
            assert isomorphic(got[name], graph), name
    else:
        from defcoop.graph.files import load_graph

        assert isomorphic(got[None], load_graph())
    data = tmp_path / f"data{S.FORMATS[fmt][1]}"
    out = run("export", "--format", fmt, "--graphs", "data", "-o", str(data))
    assert out.returncode == 0, out.stderr
    checked = run("validate", "--strict", str(data))
    assert checked.returncode == 0, checked.stdout.decode()[-3000:]
    assert b"conforms" in checked.stdout + checked.stderr


def test_the_export_comes_with_its_dataset_description(tmp_path):
    import hashlib

    out = subprocess.run([sys.executable, "-m", "defcoop", "export", "--format", "trig", "-o",
                          str(tmp_path / "defcoop.trig"), "--dataset", str(tmp_path / "dataset.ttl")],
                         check=False, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    description = ox.Store()
    description.load(path=str(tmp_path / "dataset.ttl"), format=ox.RdfFormat.TURTLE)
    spdx = "http://spdx.org/rdf/terms#"
    values = [q.object.value for q in description.quads_for_pattern(None, ox.NamedNode(spdx + "checksumValue"), None)]
    assert values == [hashlib.sha256((tmp_path / "defcoop.trig").read_bytes()).hexdigest()]
    urls = [q.object.value for q in description.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/ns/dcat#downloadURL"), None)]
    assert urls == [(tmp_path / "defcoop.trig").resolve().as_uri()]
    no_output = subprocess.run([sys.executable, "-m", "defcoop", "export", "--dataset", str(tmp_path / "d.ttl")],
                               check=False, capture_output=True, text=True, timeout=600)
    assert no_output.returncode == 2 and no_output.stdout == "" and "--dataset" in no_output.stderr
