"""The graph links to Wikidata only where data/sources/wikidata-links.tsv lists the item
(the list travels with the repository; the reference files cite it)."""

from __future__ import annotations

import csv

from defcoop import resources
from defcoop.namespaces import WD

LIST = resources.resolve("data/sources/wikidata-links.tsv")


def listed() -> set[str]:
    with LIST.open(encoding="utf-8", newline="") as f:
        return {row["qid"].strip() for row in csv.DictReader(f, delimiter="\t") if row["qid"].strip()}


def test_every_wikidata_link_is_listed(project_graph):
    used = {str(o)[len(WD):] for o in project_graph.objects() if str(o).startswith(str(WD))}
    assert used, "no Wikidata links at all"
    assert used <= listed(), f"not in {LIST.name}: {sorted(used - listed())}"


def test_the_reference_files_cite_the_list_in_the_repository():
    for path in resources.reference_files():
        text = path.read_text(encoding="utf-8")
        if "wd:" in text:
            assert "data/sources/wikidata-links.tsv" in text, path.name
            assert "shared/sources/" not in text, path.name
