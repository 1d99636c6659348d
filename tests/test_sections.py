"""One test per section of the letter: its SPARQL question gives the expected key facts.

Each case is ``tests/sections/NAME.rq`` with its expected rows in ``NAME.csv``
(compared as a multiset: order does not matter, duplicates do).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from support import rdflib_query as run
from support import read_expected, rows_as_text, to_csv

CASES = sorted((Path(__file__).parent / "sections").glob("*.rq"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
@pytest.mark.slow
def test_section_facts(case: Path, project_graph):
    header, expected = read_expected(case.with_suffix(".csv"))
    result = run(case.read_text(encoding="utf-8"), project_graph, name=str(case))
    assert result.variables == header
    got = rows_as_text(result.variables, result.rows)
    assert Counter(got) == Counter(expected), (
        f"{case.name}: rows differ; the graph gives:\n{to_csv(result.variables, result.rows)}"
    )
