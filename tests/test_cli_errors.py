"""Bad input through the real CLI: one line naming the file, line or parameter, exit 2,
nothing on standard output (cases: tests/cli_errors/manifest.csv)."""

from __future__ import annotations

import csv
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from defcoop.graph import rdf_formats

CASES = Path(__file__).parent / "cli_errors"
with (CASES / "manifest.csv").open(encoding="utf-8", newline="") as f:
    MANIFEST = list(csv.DictReader(f))


def defcoop(*args, cwd=CASES, umask=None):
    return subprocess.run(
        [sys.executable, "-m", "defcoop", *args], check=False, capture_output=True, text=True, cwd=cwd,
        timeout=300, preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


@pytest.mark.parametrize("case", MANIFEST, ids=[c["case"] for c in MANIFEST])
@pytest.mark.slow
def test_bad_input_gives_one_line(case):
    out = defcoop(*shlex.split(case["args"]))
    assert (out.returncode, out.stderr, out.stdout) == (int(case["exit"]), case["stderr"] + "\n", "")


@pytest.mark.slow
def test_a_folder_means_every_rdf_file_in_it():
    out = defcoop("info", "--data", "folder", "--json")
    assert out.returncode == 0, out.stderr
    import json

    users = [f["path"] for f in json.loads(out.stdout)["files"] if f["kind"] == "user"]
    assert users == ["folder/context.ttl", "folder/signing.ttl"]  # as given; notes.txt is not RDF
    assert defcoop("validate", "folder").returncode == 0


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.slow
def test_export_respects_the_umask(tmp_path, umask, mode):
    target = tmp_path / "graph.nt"
    out = defcoop("export", "-o", str(target), umask=umask)
    assert out.returncode == 0, out.stderr
    assert target.stat().st_mode & 0o777 == mode
    assert not [p for p in tmp_path.iterdir() if p != target]  # no temporary file left


@pytest.mark.slow
def test_rewriting_keeps_the_mode_of_the_file(tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old")
    target.chmod(0o640)
    assert defcoop("export", "-o", str(target), umask=0o077).returncode == 0
    assert target.stat().st_mode & 0o777 == 0o640 and target.read_text() != "old"


@pytest.mark.parametrize("suffix", [".nt", ".jsonld", ".rdf", ".ttl"])
@pytest.mark.slow
def test_export_infers_the_format_from_the_suffix(tmp_path, suffix):
    from rdflib import Graph

    target = tmp_path / f"graph{suffix}"
    assert defcoop("export", "-o", str(target)).returncode == 0
    fmt = rdf_formats.of_path(target)
    assert len(Graph().parse(target, format=fmt.rdflib)) > 3000
    if suffix == ".nt":  # N-Triples, not Turtle: no prefixes
        assert not target.read_text(encoding="utf-8").startswith("@prefix")


def test_the_format_table_agrees_with_oxigraph():
    for fmt in rdf_formats.FORMATS:
        ox = fmt.for_oxigraph()
        assert ox.media_type == fmt.media_type, fmt.name
        assert f".{ox.file_extension}" in fmt.suffixes, fmt.name
        assert ox.supports_datasets == fmt.datasets, fmt.name


@pytest.mark.slow
def test_an_empty_file_of_the_project_is_an_error_too(tmp_path):
    import shutil

    from defcoop import resources

    for folder in ("ontology", "data", "queries"):
        shutil.copytree(resources.root() / folder, tmp_path / folder)
    (tmp_path / "data" / "documents" / "new-document.ttl").write_text("")
    env = dict(os.environ, DEFCOOP_HOME=str(tmp_path))
    for args in (["validate"], ["query", "partners"]):
        out = subprocess.run([sys.executable, "-m", "defcoop", *args], check=False,
                             capture_output=True, text=True, env=env, timeout=300)
        assert (out.returncode, out.stdout) == (2, ""), out.stderr
        assert out.stderr == (f"defcoop: error: {tmp_path}/data/documents/new-document.ttl: no triples "
                              "(the file is empty or holds only prefixes and comments)\n")
