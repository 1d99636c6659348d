"""The built site in a real headless browser (Debian's Chromium through its chromedriver),
one browser session for every test: every internal link followed, the pictures rendered
with a node or mark for every entity and event, the language switch used, every stored
query run in the page by Oxigraph's WebAssembly build and compared with `defcoop query`,
search and filters used, the timeline's geometry read, the partner page of Norway read,
and screenshots of every kind of page at laptop and phone width saved to
``$DEFCOOP_ARTEFACTS`` or tests/artifacts/ (git-ignored) for a person to look at."""

from __future__ import annotations

import json
import os
import shutil
from collections import deque
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from test_params import INJECTIONS
from test_site import EVENTS, NETWORK, iris

from defcoop.site.paths import entity_path

CHROMIUM = os.environ.get("DEFCOOP_CHROMIUM") or shutil.which("chromium")
DRIVER = os.environ.get("DEFCOOP_CHROMEDRIVER") or shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("DEFCOOP_ARTEFACTS") or Path(__file__).parent / "artifacts")
MISSING = (
    "needs Debian's chromium and chromium-driver (installed by .ci/setup.d/40-browser.sh; "
    "or set DEFCOOP_CHROMIUM and DEFCOOP_CHROMEDRIVER)"
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not (CHROMIUM and DRIVER):
    if os.environ.get("DEFCOOP_REQUIRE_BROWSER"):
        raise RuntimeError(MISSING)
    pytest.skip(MISSING, allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options  # noqa: E402 (after the skip)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

#: what the crawl reads of each page in one call: does it render, its links, its ids
PAGE_JS = """
return [document.querySelector('main h1') !== null,
        Array.from(document.querySelectorAll('a[href]')).map(
          a => new URL(a.getAttribute('href'), document.baseURI).href),
        Array.from(document.querySelectorAll('[id]')).map(e => e.id)];
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1280,900",
    ):
        options.add_argument(arg)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_script_timeout(120)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(built_site):
    out, _ = built_site
    return out


def url_of(site: Path, page: str) -> str:
    return (site / page).resolve().as_uri()


def test_every_internal_link_leads_to_a_page_and_its_anchor(browser, site):
    start = url_of(site, "index.html")
    root = site.resolve().as_uri() + "/"
    queue, seen, broken, anchors, ids = deque([start]), {start}, [], [], {}
    while queue:
        url = queue.popleft()
        browser.get(url)
        page = unquote(url[len(root):])
        renders, links, ids[url] = browser.execute_script(PAGE_JS)
        if page.endswith(".html") and not renders:
            broken.append(f"{page}: no page rendered")
            continue
        for link in links:
            if not link.startswith(root):
                assert urlsplit(link).scheme in ("http", "https", "blob"), f"{page}: odd link {link}"
                continue
            target, fragment = urldefrag(link)
            if not (site / unquote(target[len(root):])).is_file():
                broken.append(f"{page}: {link}")
            if fragment:
                anchors.append((page, target, fragment))
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert not broken, "\n".join(broken[:20])
    assert len(seen) > 160
    # every fragment names an element of its page, as the browser saw it
    missing = [f"{page}: {target}#{fragment}" for page, target, fragment in anchors
               if fragment not in set(ids.get(target, ()))]
    assert not missing, "\n".join(missing[:10])


def rendered(browser, selector):
    """(data-iri, width, height) of every element matching ``selector``, as laid out."""
    return browser.execute_script(
        """return Array.from(document.querySelectorAll(arguments[0])).map(e => {
             const b = e.getBBox(); return [e.getAttribute('data-iri'), b.width, b.height]; });""",
        selector,
    )


def test_network_draws_a_node_per_actor_and_link(browser, site, project_graph):
    browser.set_window_size(1280, 900)
    browser.get(url_of(site, "network.html"))
    nodes = rendered(browser, "svg a.node")
    assert {iri for iri, _, _ in nodes} | {
        iri for iri, _, _ in rendered(browser, "svg a.edge-link[data-iri]")
    } >= iris(project_graph, NETWORK)
    assert len(nodes) == len({iri for iri, _, _ in nodes})
    assert all(w > 20 and h > 10 for _, w, h in nodes), "a node is not drawn"
    browser.save_screenshot(str(ARTIFACTS / "network-laptop.png"))


def test_timeline_draws_a_mark_per_event(browser, site, project_graph):
    browser.get(url_of(site, "timeline.html"))
    marks = rendered(browser, "svg a.event")
    assert {iri for iri, _, _ in marks} == iris(project_graph, EVENTS)
    assert len(marks) == len(iris(project_graph, EVENTS))
    assert all(w > 5 and h > 5 for _, w, h in marks), "a mark is not drawn"
    browser.save_screenshot(str(ARTIFACTS / "timeline-laptop.png"))


def test_language_switch_shows_one_language_and_is_remembered(browser, site):
    browser.get(url_of(site, "id/NL.html"))
    h1 = browser.find_element(By.TAG_NAME, "h1")
    assert h1.text == "the Netherlands"
    browser.find_element(By.CSS_SELECTOR, "button[data-set-lang='nl']").click()
    assert h1.text == "Nederland"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    browser.get(url_of(site, "index.html"))
    assert "Partnernetwerk" in browser.find_element(By.TAG_NAME, "nav").text
    browser.find_element(By.CSS_SELECTOR, "button[data-set-lang='en']").click()
    assert "Partner network" in browser.find_element(By.TAG_NAME, "nav").text


#: one page of every kind: home, pictures, lists, the letter, an agreement, an event, a
#: partner, a place, the query page and the ontology reference
PAGES = ["index.html", "network.html", "timeline.html", "letter.html", "entities.html",
         "id/agreement/doi-nl-de-2019.html", "id/event/joint-arctic-training-2019.html", "id/NO.html",
         "id/Bardufoss.html", "ontology.html", "queries.html"]


@pytest.mark.parametrize("width, height, device", [(1280, 900, "laptop"), (375, 812, "phone")])
def test_pages_fit_the_screen(browser, site, width, height, device):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, height)
    try:
        for page in PAGES:
            browser.get(url_of(site, page))
            inner, scroll = browser.execute_script(
                "return [window.innerWidth, document.documentElement.scrollWidth];")
            # the page never scrolls sideways: wide pictures and tables scroll in their own box
            assert scroll <= inner + 1, f"{page} at {width}px is {scroll}px wide"
            name = page.replace("/", "-").removesuffix(".html")
            browser.save_screenshot(str(ARTIFACTS / f"{name}-{device}.png"))
    finally:
        browser.set_window_size(1280, 900)


# -- the query page: every stored query run by Oxigraph in the page ---------------------

def expected_rows(name, values):
    """The rows of ``defcoop query NAME --param ...`` as SPARQL JSON results."""
    from defcoop.query import library
    from defcoop.query.formats import to_json
    from defcoop.query.runner import execute

    q = library.find(name)
    result = execute(library.bind(q, values), name=name)
    return q, json.loads(to_json(result.variables, result.rows))


def comparable(results):
    """Rows as tuples of terms (blank node labels and xsd:string left out)."""
    variables = results["head"]["vars"]

    def term(t):
        if t is None:
            return None
        if t["type"] == "bnode":
            return ("bnode",)
        dt = t.get("datatype")
        return (t["type"], t["value"], t.get("xml:lang"),
                None if dt == "http://www.w3.org/2001/XMLSchema#string" else dt)

    return variables, [tuple(term(r.get(v)) for v in variables) for r in results["results"]["bindings"]]


def run_in_page(browser, name, values):
    """Fill the query's form, press its button, and read what the page answered."""
    form = browser.find_element(By.ID, f"run-{name}")
    for key, value in values.items():
        field = form.find_element(By.CSS_SELECTOR, f"[name='{key}']")
        browser.execute_script("arguments[0].value = arguments[1];", field, value)
    browser.execute_script("arguments[0].querySelector('output').removeAttribute('data-state');", form)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    state = browser.execute_async_script(
        """const [form, done] = [arguments[0], arguments[arguments.length - 1]];
           const out = form.querySelector('output');
           (function wait() {
             const s = out.getAttribute('data-state');
             if (s === 'done' || s === 'error') done(s); else setTimeout(wait, 50);
           })();""", form)
    out = form.find_element(By.TAG_NAME, "output")
    assert state == "done", f"{name}: {out.text}"
    return json.loads(out.get_attribute("data-json"))


def runs():
    from defcoop.query import library

    cases = [(q.name, {}) for q in library.load_library()]
    return cases + [("partner", {"country": "id:NO"}), ("partner", {"country": "id:DE"})]


def test_every_stored_query_in_the_page_gives_the_rows_of_defcoop_query(browser, site):
    browser.set_window_size(1280, 900)
    browser.get(url_of(site, "queries.html"))
    problems, checked = [], 0
    for name, values in runs():
        q, expected = expected_rows(name, values)
        got = run_in_page(browser, name, values)
        (ev, erows), (gv, grows) = comparable(expected), comparable(got)
        if ev != gv:
            problems.append(f"{name} {values}: variables {gv} != {ev}")
        elif (grows if q.ordered else sorted(grows, key=repr)) != (erows if q.ordered else sorted(erows, key=repr)):
            problems.append(f"{name} {values}: {len(grows)} rows in the page, {len(erows)} by defcoop query")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked == len(runs()) >= 20
    browser.save_screenshot(str(ARTIFACTS / "queries-run-laptop.png"))


def test_free_sparql_runs_in_the_page_with_the_project_prefixes(browser, site):
    browser.get(url_of(site, "queries.html"))
    form = browser.find_element(By.ID, "run-free")
    text = form.find_element(By.TAG_NAME, "textarea").get_attribute("value")
    assert "PREFIX dco: <https://w3id.org/defcoop/ontology#>" in text
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    got = browser.execute_async_script(
        """const done = arguments[arguments.length - 1], out = document.querySelector('#run-free output');
           (function wait() { out.getAttribute('data-state') === 'done' ? done(out.getAttribute('data-json'))
                              : setTimeout(wait, 50); })();""")
    rows = json.loads(got)["results"]["bindings"]
    names = {r["name"]["value"] for r in rows}
    assert any("Joint Arctic Training 2019" in n for n in names)
    csv = browser.find_element(By.CSS_SELECTOR, "#run-free a.csv")
    assert csv.get_attribute("download") == "query.csv" and csv.get_attribute("href").startswith("blob:")


#: (type, value): each is bound in the page to the very term `defcoop query` binds, or
#: refused by both (the page's binder is a port of defcoop.query.params.to_term)
TERMS = [("string", v) for v in INJECTIONS] + [
    ("string", "back\\slash \\u0041"), ("iri", "id:NO"), ("iri", "<https://example.org/x>"),
    ("iri", "https://example.org/a b"), ("iri", "nope:NO"), ("iri", "no colon"),
    ("iri", "doc:kst-33279-29"), ("lang", "en"), ("lang", "NL"), ("lang", "e n"),
    ("int", "2019"), ("int", "+7"), ("int", "007"), ("int", "1.5"), ("decimal", "1.50"),
    ("decimal", ".5"), ("decimal", "1e3"), ("bool", "TRUE"), ("bool", "0"), ("bool", "yes"),
    ("date", "2019-05-21"), ("date", "2019-02-30"), ("date", "2019-5-1"), ("gYear", "2019"),
    ("gYear", "19"), ("gYearMonth", "2019-03"), ("gYearMonth", "2019-13"),
]


def test_the_page_binds_every_value_as_defcoop_query_does(browser, site):
    from defcoop.namespaces import PREFIXES
    from defcoop.query.params import ParameterError, to_term

    browser.get(url_of(site, "queries.html"))
    differ = []
    for type_, value in TERMS:
        try:
            expected = [True, to_term("v", type_, value, PREFIXES)]
        except ParameterError:
            expected = [False]
        got = browser.execute_script("return defcoopTerm('v', arguments[0], arguments[1]);", type_, value)
        if got[: len(expected)] != expected:
            differ.append(f"{type_} {value!r}: page {got}, defcoop query {expected}")
    assert not differ, "\n".join(differ)


def test_a_bad_parameter_is_one_clear_line_in_the_page(browser, site):
    browser.get(url_of(site, "queries.html"))
    form = browser.find_element(By.ID, "run-partner")
    field = form.find_element(By.CSS_SELECTOR, "[name='country']")
    browser.execute_script("arguments[0].value = 'xx:NO';", field)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    alert = form.find_element(By.CSS_SELECTOR, "output [role=alert]")
    assert alert.text.startswith("--param country: unknown prefix")


# -- search and filters -----------------------------------------------------------

@pytest.mark.parametrize("text, page", [("Bardufoss", "id/Bardufoss.html"), ("F-35", "id/F-35.html"),
                                        ("Parly", "id/FlorenceParly.html")])
def test_search_finds_the_entity_first(browser, site, text, page):
    browser.get(url_of(site, "entities.html"))
    box = browser.find_element(By.CSS_SELECTOR, "form.filters input[type=search]")
    box.clear()
    box.send_keys(text)
    first = browser.find_element(By.CSS_SELECTOR, "#hits li a")
    assert first.get_attribute("href") == url_of(site, page)


def visible(browser, selector):
    return browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).filter("
        "e => e.getClientRects().length > 0).length;", selector)


@pytest.mark.parametrize("page, items", [("entities.html", "[data-filterable] li[data-kind]"),
                                         ("timeline.html", "figure svg a.event")])
def test_each_filter_narrows(browser, site, page, items):
    from selenium.webdriver.support.ui import Select

    browser.get(url_of(site, page))
    every = visible(browser, items)
    assert every > 20
    for name, value in (("partner", "NO"), ("kind", "event"),
                        ("status", "planned"), ("year", "2019")):
        select = Select(browser.find_element(By.CSS_SELECTOR, f"form.filters select[name={name}]"))
        select.select_by_value(value)
        shown = visible(browser, items)
        if name == "kind" and page == "timeline.html":
            assert shown == every  # every mark of the timeline is an event
        else:
            assert 0 < shown < every, f"{page}: {name}={value} shows {shown} of {every}"
        select.select_by_value("")
        assert visible(browser, items) == every


# -- the timeline tells the truth --------------------------------------------------

def test_joint_arctic_training_2019_runs_from_january_to_the_end_of_march(browser, site):
    browser.get(url_of(site, "timeline.html"))
    years, bar = browser.execute_script(
        """const svg = document.querySelector('figure.timeline svg');
           const years = {};
           svg.querySelectorAll('line.year').forEach(l => years[l.dataset.year] = +l.getAttribute('x1'));
           const a = svg.querySelector('a.event[data-iri$="/event/joint-arctic-training-2019"]');
           const b = a.querySelector('rect').getBBox();
           return [years, [b.x, b.x + b.width]];""")
    x0, x1 = years["2019"], years["2020"]

    def x(d):
        return x0 + (x1 - x0) * (d - date(2019, 1, 1)).days / 365

    assert bar[0] == pytest.approx(x(date(2019, 1, 1)), abs=0.5)
    assert x(date(2019, 3, 1)) < bar[1] <= x(date(2019, 4, 1)) + 0.5, "the bar does not end in March 2019"


# -- partner pages ------------------------------------------------------------------

NORWAY = """
PREFIX dco: <https://w3id.org/defcoop/ontology#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?x WHERE {
  { ?x a dco:Training ; schema:location/schema:containedInPlace* <https://w3id.org/defcoop/id/NO> }
  UNION { ?x a dco:Place ; schema:containedInPlace+ <https://w3id.org/defcoop/id/NO> } }"""


def test_norway_page_lists_the_norwegian_trainings_and_places(browser, site, project_graph):
    browser.get(url_of(site, "id/NO.html"))
    links = set(browser.execute_script(
        "return Array.from(document.querySelectorAll('section.partner a')).map("
        "a => new URL(a.getAttribute('href'), document.baseURI).href);"))
    wanted = {url_of(site, entity_path(iri)) for iri in iris(project_graph, NORWAY)}
    assert len(wanted) >= 8  # four trainings, four places
    assert wanted <= links, sorted(wanted - links)
    text = browser.find_element(By.CSS_SELECTOR, "section.partner").text
    assert "Joint Arctic Training" in text and "Bardufoss" in text
    assert browser.find_elements(By.CSS_SELECTOR, "section.partner svg a.event")


def test_the_query_page_works_from_a_web_server_too(browser, site):
    """The same page served over HTTP (a free port on localhost, stopped at the end)."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/queries.html")
        _, expected = expected_rows("partner", {"country": "id:GB"})
        got = run_in_page(browser, "partner", {"country": "id:GB"})
        assert comparable(got) == comparable(expected)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
