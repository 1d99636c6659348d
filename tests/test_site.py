"""`defcoop site`: the static site, built into a temporary folder and read back as a
visitor's browser would (links, ids, HTML parse), counted against the graph with SPARQL."""

from __future__ import annotations

import html
import subprocess
import sys
import xml.etree.ElementTree as ET

import html5lib
import pytest
from site_support import Site

from defcoop.graph import provenance
from defcoop.graph.files import load_graph
from defcoop.site import build_site
from defcoop.site.paths import entity_path

pytestmark = pytest.mark.slow  # subprocesses, servers or builds: `pytest -m "not slow"` skips them

P = """
PREFIX dco: <https://w3id.org/defcoop/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# The tests' own words for what the site must show, independent of the site's code.
ENTITIES = P + """SELECT DISTINCT ?e WHERE {
  ?e a ?t . FILTER (isIRI(?e) && STRSTARTS(STR(?e), "https://w3id.org/defcoop/id/"))
  FILTER NOT EXISTS { ?e a oa:Annotation } }"""
NETWORK = P + """SELECT DISTINCT ?n WHERE {
  { ?n a/rdfs:subClassOf* ?c . VALUES ?c { org:Organization org:FormalOrganization org:OrganizationalUnit }
    FILTER STRSTARTS(STR(?n), "https://w3id.org/defcoop/id/") }
  UNION { ?n a/rdfs:subClassOf* ?c . VALUES ?c { dco:Agreement dco:Programme dco:Project dco:Cooperation } } }"""
EVENTS = P + "SELECT DISTINCT ?e WHERE { ?e a/rdfs:subClassOf* dco:Event }"
SVG = "{http://www.w3.org/2000/svg}"


def iris(graph, query):
    return {str(r[0]) for r in graph.query(query)}


@pytest.fixture(scope="module")
def built(built_site):
    out, report = built_site
    return out, report, Site(out)


def test_one_page_per_entity(built, project_graph):
    _, report, site = built
    entities = iris(project_graph, ENTITIES)
    assert report.entities == len(entities) > 100
    pages = {p for p in site.pages if p.startswith("id/")}
    assert len(pages) == len(entities)
    for page in ("index.html", "network.html", "timeline.html", "entities.html", "letter.html",
                 "queries.html", "ontology.html"):
        assert page in site.pages


def test_every_page_is_valid_html(built):
    out, _, site = built
    problems = []
    for page in (p for p in site.pages if p.endswith(".html")):
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            parser.parse((out / page).read_text(encoding="utf-8"))
        except html5lib.html5parser.ParseError as exc:
            problems.append(f"{page}: {exc}")
    assert not problems, "\n".join(problems[:20])


def test_ids_are_unique_and_headings_real(built):
    out, _, site = built
    for page in (p for p in site.pages if p.endswith(".html")):
        text = (out / page).read_text(encoding="utf-8")
        doc = html5lib.parse(text, namespaceHTMLElements=False)
        ids = [e.get("id") for e in doc.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), f"{page}: duplicate ids"
        assert len(doc.findall(".//h1")) == 1, f"{page}: one h1"
        assert doc.find(".").get("lang") in ("en", "nl")
        for svg in doc.iter("svg"):
            assert svg.get("role") == "img" and svg.find("title") is not None, f"{page}: svg without title"


def test_every_internal_link_resolves(built):
    out, _, site = built
    broken = []
    for page in site.pages:
        for tag, url, target, fragment in site.internal_links(page):
            if not (out / target).is_file():
                broken.append(f"{page}: {url} (no file {target})")
            elif fragment and target in site.pages and fragment not in site.pages[target].ids:
                broken.append(f"{page}: {url} (no id {fragment} in {target})")
    assert not broken, "\n".join(broken[:20])


def test_every_asset_is_local(built):
    _, _, site = built
    for page in site.pages:
        for tag, url in site.external_links(page):
            assert tag == "a", f"{page}: <{tag}> loads {url} from the network"


def test_every_entity_and_quote_within_two_clicks_of_home(built, project_graph):
    _, _, site = built
    reached = site.within("index.html", 2)
    pages = {page for page, _ in reached}
    missing = [p for p in site.pages if p.startswith("id/") and p not in pages]
    assert not missing, missing[:10]
    # every quote: marked on the letter (one click), its number leading to its statements
    assert "letter.html" in {page for page, _ in site.within("index.html", 1)}
    numbered = {frag for page, frag in site.within("letter.html", 1) if page == "letter.html"}
    quotes = provenance.quotes(project_graph)
    anchors = sorted(i for i in site.pages["letter.html"].ids if i.startswith("q-"))
    assert len(anchors) == len(quotes)
    assert all("src-" + a in numbered for a in anchors)
    # and on the page of each statement it sources (two clicks: home, entities, entity)
    for q in quotes:
        for body in q.bodies:
            assert (entity_path(str(body)), "") in reached


@pytest.mark.parametrize(
    "page, expected",
    [
        # the letter's date, as the letter states it, highlighted on the letter's page
        ("id/document/kst-33279-29.html", "<mark>Den Haag, 19 juni 2019</mark>"),
        # a signing: its quote inside its paragraph, with both labels
        ("id/event/doi-nl-de-2019-signing.html", "signing of the German-Dutch Declaration of Intent"),
        ("id/event/doi-nl-de-2019-signing.html", "ondertekening van de Duits-Nederlandse Declaration of Intent"),
        # Wikidata links where the graph has them
        ("id/NL.html", 'href="http://www.wikidata.org/entity/Q29999"'),
        ("id/FortWorth.html", 'href="http://www.wikidata.org/entity/Q16558"'),
        # statements pointing to an entity: Belgium is the lead nation of a project
        ("id/BE.html", 'href="../id/project/be-nl-mcm-replacement.html"'),
        # links to the ontology reference for types and properties
        ("id/agreement/doi-nl-de-2019.html", 'href="../../ontology.html#dco-DeclarationOfIntent"'),
        ("ontology.html", 'id="dco-signatory"'),
        ("ontology.html", 'id="status-planned"'),
        # the switch and its script on every page
        ("index.html", 'data-set-lang="nl"'),
        ("id/NL.html", 'src="../static/lang.js"'),
    ],
)
def test_page_shows(built, page, expected):
    out, _, _ = built
    assert expected in (out / page).read_text(encoding="utf-8")


def test_each_statement_node_shows_its_quotes(built, project_graph):
    out, _, _ = built
    for q in provenance.quotes(project_graph):
        for body in q.bodies:
            page = out / entity_path(str(body))
            text = page.read_text(encoding="utf-8")
            assert f"<mark>{html.escape(q.exact, quote=False)}</mark>" in text.replace("&#39;", "'"), (
                f"{page.name}: quote {q.exact[:40]!r} not highlighted"
            )


def test_network_has_a_node_per_actor_and_link(built, project_graph):
    out, _, _ = built
    tree = ET.parse(out / "network.svg")
    drawn = {a.get("data-iri") for a in tree.iter(f"{SVG}a") if a.get("data-iri")}
    assert drawn == iris(project_graph, NETWORK)
    labels = {t.text for t in tree.iter(f"{SVG}tspan")}
    assert {"Belgium", "Luxembourg", "Germany", "France", "Norway"} <= labels


def test_timeline_has_a_mark_per_event_at_its_precision(built, project_graph):
    out, _, _ = built
    tree = ET.parse(out / "timeline.svg")
    marks = {a.get("data-iri"): a for a in tree.iter(f"{SVG}a") if a.get("data-iri")}
    assert set(marks) == iris(project_graph, EVENTS)
    ev = "https://w3id.org/defcoop/id/event/"
    assert marks[ev + "doi-nl-de-2019-signing"].get("data-shape") == "day"
    assert marks[ev + "f35-takes-over-f16"].get("data-shape") == "open"  # "vanaf 2021"
    assert marks[ev + "nl-de-secure-connection"].get("data-shape") == "undated"  # "recent"
    # a year is a span of a year, a season three months of it
    year = marks[ev + "doi-nl-de-2013-signing"].find(f"{SVG}rect")
    season = marks[ev + "mq9-purchase"].find(f"{SVG}rect")
    assert float(season.get("width")) == pytest.approx(float(year.get("width")) * 92 / 365, rel=0.02)
    # done and planned differ in more than colour: fill and outline
    done = marks[ev + "mq9-purchase"].find(f"{SVG}rect")
    planned = marks[ev + "annual-report-2019-planned"].find(f"{SVG}rect")
    assert done.get("stroke-dasharray") is None and planned.get("stroke-dasharray")
    assert planned.get("fill") == "#ffffff" != done.get("fill")


def test_rebuild_replaces_the_site_whole(tmp_path):
    out = tmp_path / "site"
    build_site(out, queries=False)
    (out / "stale.html").write_text("old")
    build_site(out, queries=False)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temporary folders left


def defcoop(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "defcoop", *args], check=False, capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_cli_refuses_a_folder_that_is_not_a_site(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    out = defcoop("site", str(tmp_path), "--no-queries")
    assert out.returncode == 2
    assert str(tmp_path) in out.stderr and "not a site built by defcoop" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_cli_names_a_missing_parent_folder(tmp_path):
    out = defcoop("site", str(tmp_path / "no" / "site"), "--no-queries")
    assert out.returncode == 2 and "does not exist" in out.stderr
    assert not (tmp_path / "no").exists()


def test_cli_builds_a_site(tmp_path):
    out = defcoop("site", "site", "--no-queries", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "pages" in out.stdout and (tmp_path / "site" / "index.html").is_file()
    assert load_graph() is not None


# -- issue 14: the site for readers ---------------------------------------------------

EV = "https://w3id.org/defcoop/id/event/"


def test_timeline_draws_bounded_events_from_start_to_end_in_the_order_of_time(built):
    out, _, _ = built
    tree = ET.parse(out / "timeline.svg")
    marks = [a for a in tree.iter(f"{SVG}a") if a.get("data-iri")]
    by_iri = {a.get("data-iri"): a for a in marks}
    arctic = by_iri[EV + "joint-arctic-training-2019"]
    assert (arctic.get("data-shape"), arctic.get("data-start"), arctic.get("data-end")) == (
        "span", "2019-01-01", "2019-03-31")
    marines = by_iri[EV + "marines-mountain-training-2020"]
    assert (marines.get("data-start"), marines.get("data-end")) == ("2020-09-01", "2020-10-31")
    order = [a.get("data-iri") for a in marks if a.get("data-shape") != "undated"]
    # "eind 2018" comes after May 2018, and a bounded event sits where it starts
    assert order.index(EV + "f35-order-2018") > order.index(EV + "doi-nl-de-2018-digital-signing")
    assert order.index(EV + "joint-arctic-training-2019") < order.index(EV + "mcm-tender-award")


@pytest.mark.parametrize("lexical, datatype, season, first, last", [
    ("2019-05-21", "date", None, "2019-05-21", "2019-05-21"),
    ("2019-02", "gYearMonth", None, "2019-02-01", "2019-02-28"),
    ("2020-12", "gYearMonth", None, "2020-12-01", "2020-12-31"),
    ("2018", "gYear", None, "2018-01-01", "2018-12-31"),
    ("2018", "gYear", "spring", "2018-03-01", "2018-05-31"),
    ("2018", "gYear", "winter", "2018-12-01", "2019-02-28"),
])
def test_extent_of_a_stated_date(lexical, datatype, season, first, last):
    from rdflib import Literal
    from rdflib.namespace import XSD

    from defcoop.site.timeline import extent

    a, b = extent(Literal(lexical, datatype=XSD[datatype]), season)
    assert (a.isoformat(), b.isoformat()) == (first, last)


def test_search_index_holds_labels_alt_labels_quotes_and_facets(built, project_graph):
    import json

    out, _, _ = built
    text = (out / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith("window.DEFCOOP_INDEX = ")
    data = json.loads(text[len("window.DEFCOOP_INDEX = "):].rstrip().rstrip(";"))
    entries = {e["href"]: e for e in data["entries"]}
    assert len(entries) == len(iris(project_graph, ENTITIES))
    arctic = entries["id/event/joint-arctic-training-2019.html"]
    assert arctic["nl"].startswith("Joint Arctic Training 2019: de jaarlijkse")
    assert any("januari tot maart" in q for q in arctic["quotes"])
    assert (arctic["kind"], arctic["status"], arctic["partner"], arctic["year"]) == ("event", "done", ["NO"], [2019])
    assert any(e["alt"] for e in entries.values())
    assert [p[0] for p in data["facets"]["partner"]] == ["BE", "LU", "DE", "FR", "NO", "GB", "US"]


@pytest.mark.parametrize("page, expected", [
    # facts in words, dates at their precision, provenance as a paragraph of the letter
    ("id/event/doi-nl-de-2019-signing.html", "21 May 2019"),
    ("id/event/doi-nl-de-2019-signing.html", "21 mei 2019"),
    ("id/event/joint-arctic-training-2019.html", "from January 2019 to March 2019"),
    ("id/event/joint-arctic-training-2019.html", "van januari 2019 tot maart 2019"),
    ("id/event/f35-order-2018.html", "end of 2018"),
    # an agreement says when it was signed, from its signing
    ("id/agreement/doi-nl-de-2019.html", '<span class="l-en" lang="en">signed</span>'),
    ("id/agreement/doi-nl-de-2019.html", '<span class="l-en" lang="en">21 May 2019</span>'),
    ("id/event/joint-arctic-training-2019.html", "Stated in the letter</span><span class=\"l-nl\" lang=\"nl\">Vermeld in de brief</span>, <a href=\"../../letter.html#p"),
    ("id/event/joint-arctic-training-2019.html", "<summary><span class=\"l-en\" lang=\"en\">The triples</span>"),
    # no English rendering of a quote is in the data, and the page says so
    ("id/event/joint-arctic-training-2019.html", "the data holds no English translation of it"),
    # the partner page: the letter's section, the ties, the partner query's answer
    ("id/NO.html", "De jaarlijkse Nederlandse wintertraining in Noorwegen"),
    ("id/NO.html", 'href="../id/Skjold.html"'),
    ("id/NO.html", "defcoop query partner --param country=id:NO"),
    ("id/FR.html", 'href="../id/FlorenceParly.html"'),
    # the query page: a form per stored query, the free editor, the engine loaded lazily
    ("queries.html", 'id="run-partner"'),
    ("queries.html", 'id="run-free"'),
    ("queries.html", 'src="static/sparql.js"'),
])
def test_reader_page_shows(built, page, expected):
    out, _, _ = built
    assert expected in (out / page).read_text(encoding="utf-8")


def test_the_engine_is_the_vendored_oxigraph_and_works_without_fetch(built):
    import base64
    import gzip
    import hashlib
    from importlib import resources as importlib_resources

    out, _, _ = built
    script = (out / "static/oxigraph/oxigraph.js").read_text(encoding="utf-8")
    assert "window.oxigraph = {" in script and "\nexport " not in script and "import.meta" not in script
    packed = (out / "static/oxigraph/engine.js").read_text(encoding="ascii")
    wasm = gzip.decompress(base64.b64decode(packed.split('"')[1]))
    assert wasm[:4] == b"\0asm"
    readme = (importlib_resources.files("defcoop.site") / "static/vendor/oxigraph/README.md").read_text()
    digest = hashlib.sha256(wasm).hexdigest()
    assert f"{digest[:8]}…{digest[-5:]}" in readme, "the vendored engine is not the one the README names"
    for name in ("LICENSE-MIT", "LICENSE-APACHE"):
        assert (importlib_resources.files("defcoop.site") / "static/vendor/oxigraph" / name).is_file()
    dump = (out / "data/dump.js").read_text(encoding="ascii")
    nquads = gzip.decompress(base64.b64decode(dump.split('"')[1])).decode("utf-8")
    assert "<https://w3id.org/defcoop/id/event/joint-arctic-training-2019>" in nquads
