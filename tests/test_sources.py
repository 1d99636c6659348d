"""The one place where the PDF's text is normalised (defcoop.graph.sources)."""

from __future__ import annotations

import pytest

from defcoop.resources import resolve
from defcoop.graph.sources import QuoteError, SourceText

RAW = (
    " Nr. 1  TITLE \n\nFirst line with a hyphen-\nated word and \na wrapped line. \n"
    "1 A footnote line\n Heading \n\nLast para-\ngraph: Duits-\nNederlandse stays. \n"
)


@pytest.fixture(scope="module")
def letter():
    return SourceText.from_path(resolve("data/sources/kst-33279-29.txt"))


def test_hyphenation_and_wrapping_are_undone():
    s = SourceText(RAW)
    assert [p.text for p in s.paragraphs] == [
        "Nr. 1 TITLE",
        "First line with a hyphenated word and a wrapped line.",
        "1 A footnote line",
        "Heading",
        "Last paragraph: Duits- Nederlandse stays.",
    ]


def test_positions_are_raw_code_points():
    s = SourceText(RAW)
    start, end = s.locate("hyphenated word")[0]
    assert s.raw[start:end] == "hyphen-\nated word"
    assert s.quote_at(start, end) == "hyphenated word"


def test_check_quote_names_the_real_position():
    s = SourceText(RAW)
    start, end = s.locate("wrapped line")[0]
    s.check_quote("wrapped line", start, end)
    with pytest.raises(QuoteError, match=f"occurs at {start}-{end}"):
        s.check_quote("wrapped line", start + 1, end + 1)
    with pytest.raises(QuoteError, match="outside the text"):
        s.check_quote("wrapped line", 0, 10_000)


def test_the_letter_has_its_28_paragraphs(letter):
    texts = [p.text for p in letter.paragraphs]
    assert len(texts) == 28
    assert texts[0] == "Nr. 29 BRIEF VAN DE MINISTER VAN DEFENSIE"
    assert texts[12] == "1 Raadpleegbaar via www.tweedekamer.nl"  # footnote split from the heading
    assert texts[13] == "Frankrijk"
    assert texts[-1] == "De Minister van Defensie, A.Th.B. Bijleveld-Schouten"
    assert "defensiesamenwerking met de strategische partners" in texts[3]
    assert "-\n" not in letter.text


def test_the_source_of_record_is_the_shared_copy(letter):
    """data/sources keeps the letter unchanged: 193 lines, the page footer in place."""
    assert letter.raw.count("\n") == 193
    assert "Tweede Kamer, vergaderjaar 2018–2019, 33 279, nr. 29 3" in letter.raw
