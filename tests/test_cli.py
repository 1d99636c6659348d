"""The command line, run as a user runs it: a separate process, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from defcoop.graph.files import load_graph

pytestmark = pytest.mark.slow  # subprocesses, servers or builds: `pytest -m "not slow"` skips them

ROOT = Path(__file__).resolve().parent.parent


def defcoop(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "defcoop", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
    )


def test_info_counts_what_is_loaded():
    out = defcoop("info", "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["triples"] == len(load_graph())
    kinds = {f["kind"] for f in info["files"]}
    assert kinds == {"ontology", "reference", "document", "entailed"}
    assert info["classes"]["dco:StrategicPartnership"] == 7
    assert info["classes"]["dco:Letter"] == 1


def test_query_prints_a_table(tmp_path):
    q = tmp_path / "partners.rq"
    q.write_text(
        "PREFIX dco: <https://w3id.org/defcoop/ontology#>\n"
        "SELECT ?p WHERE { ?x a dco:StrategicPartnership ; dco:partner ?p } ORDER BY ?p"
    )
    out = defcoop("query", str(q))
    assert out.returncode == 0, out.stderr
    assert "id:BE" in out.stdout and "id:US" in out.stdout
    assert "14 rows" in out.stderr


def test_query_with_a_syntax_error_names_the_file(tmp_path):
    q = tmp_path / "broken.rq"
    q.write_text("SELECT ?x WHERE { ?x ?y }")
    out = defcoop("query", str(q))
    assert out.returncode == 2
    assert str(q) in out.stderr and "syntax error" in out.stderr
    assert out.stdout == ""


def test_bad_data_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    out = defcoop("info", "--data", str(bad))
    assert out.returncode == 2
    assert f"{bad}:3:" in out.stderr
    assert out.stdout == ""


@pytest.mark.parametrize("fmt, rdflib_format", [
    ("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml"),
])
def test_export_round_trips(tmp_path, fmt, rdflib_format):
    target = tmp_path / f"graph.{fmt}"
    out = defcoop("export", "--format", fmt, "-o", str(target))
    assert out.returncode == 0, out.stderr
    back = Graph().parse(target, format=rdflib_format)
    assert isomorphic(back, load_graph())


def test_export_to_a_missing_folder_writes_nothing(tmp_path):
    out = defcoop("export", "-o", str(tmp_path / "nope" / "g.ttl"))
    assert out.returncode == 2
    assert "does not exist" in out.stderr
    assert not (tmp_path / "nope").exists()


def test_unknown_command_exits_2():
    out = defcoop("frobnicate")
    assert out.returncode == 2
    assert "No such command" in out.stderr
