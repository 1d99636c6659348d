"""Prefixes: the global table holds the vocabularies' and identifiers' namespaces; a
namespace one document mints (its annotations) comes from that document's own
declarations, and a prefix two documents bind differently is shown by no one."""

from pathlib import Path

import pytest

from defcoop.namespaces import PREFIX_IRIS, declared_prefixes, display_prefixes
from defcoop.query.formats import shorten

ANN = "https://w3id.org/defcoop/id/annotation/kst-33279-29/"


def test_the_letters_annotation_prefix_is_the_letters_own():
    assert "ann" not in PREFIX_IRIS
    assert display_prefixes()["ann"] == ANN
    assert shorten(ANN + "q01") == "ann:q01"


@pytest.mark.parametrize("second, expected", [
    ("@prefix ann: <https://w3id.org/defcoop/id/annotation/kst-33279-29/> .", ANN),  # the same: kept
    ("@prefix ann: <https://w3id.org/defcoop/id/annotation/other/> .", None),  # two meanings: dropped
    ("@prefix dco: <urn:not-ours#> .", PREFIX_IRIS["dco"]),  # the global table wins
])
def test_prefixes_two_documents_declare(tmp_path: Path, second: str, expected: str | None):
    docs = tmp_path / "data" / "documents"
    docs.mkdir(parents=True)
    (docs / "a.ttl").write_text(f"# a comment\n@prefix ann: <{ANN}> .\n\nann:x a ann:y .\n", encoding="utf-8")
    (docs / "b.ttl").write_text(f"{second}\n@base <urn:b> .\n<urn:s> <urn:p> <urn:o> .\n", encoding="utf-8")
    assert declared_prefixes(docs / "a.ttl") == {"ann": ANN}
    prefixes = display_prefixes(tmp_path)
    assert prefixes.get("ann" if "ann" in second else "dco") == expected


def test_declarations_after_the_first_statement_are_not_read(tmp_path: Path):
    path = tmp_path / "late.ttl"
    path.write_text("<urn:s> <urn:p> <urn:o> .\n@prefix late: <urn:late#> .\n", encoding="utf-8")
    assert declared_prefixes(path) == {}
