"""The language of the labels is one setting with one check (issue 15.6).

``--lang X`` and ``--param lang=X`` are the same setting: both accept exactly the
languages the labels are in, and two different values are refused; the row count
says "1 row".
"""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import RDFS
from test_store_support import defcoop

from defcoop.graph.files import load_graph
from defcoop.query.params import LANGUAGES


def test_the_accepted_languages_are_those_of_the_labels():
    graph = load_graph()
    langs = {o.language for o in graph.objects(None, RDFS.label) if isinstance(o, Literal) and o.language}
    assert langs == set(LANGUAGES)


# arguments -> (exit status, what stderr says, a label that must be in the answer)
CASES = [
    (["--lang", "nl"], 0, "", "Duitsland"),
    (["--param", "lang=nl"], 0, "", "Duitsland"),
    (["--param", "lang=NL", "--lang", "nl"], 0, "", "Duitsland"),
    ([], 0, "", "Germany"),
    (["--lang", "de"], 2, "--lang: the labels are in en and nl only", None),
    (["--param", "lang=de"], 2, "--param lang: the labels are in en and nl only", None),
    (["--param", "lang=en-GB"], 2, "--param lang: the labels are in en and nl only", None),
    (["--param", "lang=nl", "--lang", "en"], 2, "--lang en and --param lang=nl disagree", None),
]


@pytest.mark.parametrize("args, status, message, label", CASES)
def test_lang_is_one_setting(args, status, message, label):
    out = defcoop("query", "partners", "--format", "csv", *args)
    assert out.returncode == status, out.stderr
    if status:
        assert out.stdout == ""
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], out.stderr
    else:
        assert label in out.stdout


def test_one_row_is_one_row():
    out = defcoop("query", "letter")
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "1 row"
