"""The comparison of `benchmarks/validation.py`: defcoop, Apache Jena's SHACL, rudof and
pySHACL validate the smallest generated corpus (10k triples: one of each kind of
injected defect), and their (focus, path, component) results agree with defcoop's SHACL
findings where the engine supports what the shapes use (`validation.LEFT_OUT`).

An engine that is not here (Java and Debian's ``libapache-jena-java``; ``pyrudof``, the
``bench`` extra) is skipped, saying so.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import generate  # noqa: E402  (benchmarks/generate.py, on the path just above)
import validation  # noqa: E402  (benchmarks/validation.py)

SHACL_DEFECTS = ("bad-date", "dangling-partner", "missing-status", "plain-date")  # quote-mismatch is no SHACL


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    args = argparse.Namespace(defects=20, timeout=900, pyshacl_timeout=900, no_edit=True,
                              engines=list(validation.ENGINES[1:]))
    return validation.run_size(10_000, args, tmp_path_factory.mktemp("valbench"))


@pytest.mark.slow
def test_defcoop_finds_every_injected_shacl_defect(run):
    kinds = Counter(d["kind"] for d in run["defects"])
    assert set(kinds) == set(generate.DEFECTS), kinds  # one of each kind at 10k
    focus = {k[0] for k in run["engines"]["defcoop"]["keys"]}
    assert [d for d in run["defects"] if d["kind"] in SHACL_DEFECTS and d["focus"] not in focus] == []
    assert all(k[2].startswith(validation.SH) for k in run["engines"]["defcoop"]["keys"])


@pytest.mark.slow
@pytest.mark.parametrize("engine", validation.ENGINES[1:])
def test_engine_counts_the_same_violations(run, engine):
    r = run["engines"][engine]
    if "skipped" in r:
        pytest.skip(r["skipped"])
    assert "time" in r, r
    same = r["same"]
    assert same["equal"], same
    ours = run["engines"]["defcoop"]["keys"]
    ill_dates = sum(1 for k in ours if k[3])
    bad_dates = sum(1 for d in run["defects"] if d["kind"] == "bad-date")
    assert ill_dates >= bad_dates >= 1
    if engine in validation.LEFT_OUT:
        # what is left out is exactly what the engine misses: compared in full, those are missing
        assert same["left_out"] == ill_dates
        full = validation.compare(ours, r["keys"], "all of it")
        assert (full["n_missing"], full["n_extra"]) == (ill_dates, 0), full
    else:
        assert same["left_out"] == 0 and same["compared"] == len(ours) == r["results"]


PATHS = """
@prefix ex: <http://ex/> . @prefix sh: <http://www.w3.org/ns/shacl#> .
ex:alt sh:path [ sh:alternativePath ( ex:p ex:r ) ] .
ex:inv sh:path [ sh:inversePath ex:q ] .
ex:seq sh:path ( ex:s ex:t ) .
ex:star sh:path [ sh:zeroOrMorePath ex:p ] .
ex:plain sh:path ex:p .
ex:nested sh:path ( ex:s [ sh:inversePath ex:t ] ) .
"""


@pytest.mark.parametrize("shape, rudof_text", [
    ("alt", "(http://ex/p | http://ex/r)"),
    ("inv", "^(http://ex/q)"),
    ("seq", "(http://ex/s / http://ex/t)"),
    ("star", "(http://ex/p)*"),
    ("plain", "http://ex/p"),
    ("nested", "(http://ex/s / ^(http://ex/t))"),
])
def test_a_path_reads_the_same_from_a_shapes_graph_and_from_rudof(shape, rudof_text):
    """rudof's path strings (as pyrudof 0.3.35 prints them) and paths in a report or shapes graph."""
    from rdflib import Graph, URIRef

    graph = Graph().parse(data=PATHS, format="turtle")
    node = graph.value(URIRef("http://ex/" + shape), URIRef(validation.SH + "path"))
    assert validation.path_key(validation.path_text(graph, node)) == validation.path_key(rudof_text)
    assert validation.path_key(rudof_text) != validation.path_key(None)
