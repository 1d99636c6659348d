"""Tables for people fit the terminal: long cells wrap, no line ends in a space, and a
pipe gets every cell whole (issue 15, item 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from defcoop.query.formats import text_table

ROWS = [
    ["strategic partnership", "id:FR", "France"],
    ["international organisation", "https://w3id.org/defcoop/id/OSCE",
     "Organization for Security and Co-operation in Europe (OSCE)"],
    ["", "id:NL", ""],
]


@pytest.mark.parametrize("width", [30, 40, 60, 80, 200])
def test_a_table_fits_its_width_and_keeps_every_character(width):
    text = text_table(["relation", "partner", "name"], ROWS, width)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), text
    assert not any(line.endswith(" ") for line in lines), text
    cells = [c for row in [["relation", "partner", "name"], *ROWS] for c in row]
    dashes = lines[1].replace(" ", "")
    assert sorted("".join(text.split())) == sorted("".join("".join(cells).split()) + dashes)


def test_without_a_width_nothing_wraps():
    text = text_table(["relation", "partner", "name"], ROWS)
    assert len(text.splitlines()) == 2 + len(ROWS)
    assert not any(line.endswith(" ") for line in text.splitlines())


def defcoop(*args, columns=None):
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns:
        env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "defcoop", *args], check=False, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.mark.slow
def test_query_and_info_tables_fit_the_terminal():
    for args in (("query", "open-items"), ("info",)):
        out = defcoop(*args, columns=72)
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert max(len(line) for line in lines) <= 72, out.stdout
        assert not any(line.endswith(" ") for line in lines)
        assert "…" not in out.stdout
    info = defcoop("info", columns=200).stdout
    assert "\nontology/defcoop.ttl " in info and "data/documents/kst-33279-29.ttl" in info


@pytest.mark.slow
def test_a_pipe_gets_whole_cells_and_json():
    piped = defcoop("query", "open-items").stdout
    assert "joint replacement of the Belgian and Dutch M-frigates" in piped
    assert not any(line.endswith(" ") for line in piped.splitlines())
    as_json = json.loads(defcoop("info", "--format", "json").stdout)
    assert {f["kind"] for f in as_json["files"]} == {"ontology", "reference", "document", "entailed"}
