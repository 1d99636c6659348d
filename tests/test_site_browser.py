"""The built site in a real headless browser (Debian's Chromium through its chromedriver):
every internal link followed, the pictures rendered with a node or mark for every entity
and event, the language switch used, and screenshots at laptop and phone width saved to
tests/artifacts/ (git-ignored) for a person to look at."""

from __future__ import annotations

import os
import shutil
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from test_site import EVENTS, NETWORK, iris

CHROMIUM = os.environ.get("DEFCOOP_CHROMIUM") or shutil.which("chromium")
DRIVER = os.environ.get("DEFCOOP_CHROMEDRIVER") or shutil.which("chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"
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
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

LINKS_JS = """
return Array.from(document.querySelectorAll('a[href]')).map(
  a => new URL(a.getAttribute('href'), document.baseURI).href);
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
    ARTIFACTS.mkdir(exist_ok=True)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
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
    queue, seen, broken, anchors = deque([start]), {start}, [], []
    while queue:
        url = queue.popleft()
        browser.get(url)
        page = unquote(url[len(root):])
        if page.endswith(".html"):
            if not browser.find_elements(By.CSS_SELECTOR, "main h1"):
                broken.append(f"{page}: no page rendered")
                continue
        links = browser.execute_script(LINKS_JS)
        for link in links:
            if not link.startswith(root):
                assert urlsplit(link).scheme in ("http", "https"), f"{page}: odd link {link}"
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
    # every fragment names an element of its page, as the browser sees it
    by_target = {}
    for page, target, fragment in anchors:
        by_target.setdefault(target, set()).add(fragment)
    for target, fragments in by_target.items():
        browser.get(target)
        missing = browser.execute_script(
            "return arguments[0].filter(f => !document.getElementById(f));", sorted(fragments))
        assert not missing, f"{target}: no element with id {missing[:5]}"


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


PAGES = ["index.html", "network.html", "timeline.html", "letter.html", "entities.html",
         "id/agreement/doi-nl-de-2019.html", "ontology.html", "queries.html"]


@pytest.mark.parametrize("width, height, device", [(1280, 900, "laptop"), (375, 812, "phone")])
def test_pages_fit_the_screen(browser, site, width, height, device):
    ARTIFACTS.mkdir(exist_ok=True)
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
