"""`defcoop anchor` fills in quote positions and refuses what it cannot place."""

from __future__ import annotations

import pytest

from defcoop.graph.anchor import anchor_text
from defcoop.errors import DefcoopError
from defcoop.graph.sources import SourceText

SOURCE = SourceText("Alpha beta-\ngamma delta. Alpha again.\n", name="src.txt")
TEMPLATE = (
    'ex:t oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{q}" ] ,\n'
    "    [ a oa:TextPositionSelector ; oa:start {s} ; oa:end {e} ] .\n"
)


def test_fills_in_a_unique_quote():
    out, changed = anchor_text(TEMPLATE.format(q="betagamma delta", s=0, e=0), SOURCE)
    assert changed == 1
    assert "oa:start 6 ; oa:end 23" in out
    assert SOURCE.quote_at(6, 23) == "betagamma delta"


def test_keeps_a_correct_position_of_a_repeated_quote():
    text = TEMPLATE.format(q="Alpha", s=25, e=30)
    assert anchor_text(text, SOURCE) == (text, 0)


@pytest.mark.parametrize(
    "quote, message",
    [("Alpha", "occurs 2 times"), ("omega", "quote not in src.txt")],
)
def test_refuses_what_it_cannot_place(quote, message):
    with pytest.raises(DefcoopError, match=message):
        anchor_text(TEMPLATE.format(q=quote, s=0, e=0), SOURCE, name="data.ttl")
