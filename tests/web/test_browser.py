"""The explorer in a real browser: the system Chromium, driven by Playwright, against a real
uvicorn server on 127.0.0.1, over the fixture store (with its hostile document) and the demo
store. Every page type renders without console errors, page errors or dialogs; nothing is
fetched from anywhere but the server; charts are drawn; facets narrow the results with
shareable URLs; and a review made in the page persists."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest

from accord.web.app import create_app
from fixtures.browser import CHROMIUM, CHROMIUM_ARGS
from fixtures.live import live_server
from fixtures.report_corpus import HOSTILE_ORGANISATION, HOSTILE_TEXT

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason=f"{CHROMIUM} not found: install with `apt-get install chromium`"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")

STORES = ("fixture", "demo")
TIMEOUT_MS = 15_000

# What no page may hold, whatever the store says: an inline handler, a javascript: link, a
# script that is neither ours (/static) nor inert JSON data.
UNSAFE_MARKUP_JS = """() => {
  const handlers = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) handlers.push(el.tagName + ' ' + attr.name);
    }
  }
  const links = Array.from(document.querySelectorAll('a[href]'))
    .map(a => a.getAttribute('href'))
    .filter(h => /^\\s*(javascript|data|vbscript):/i.test(h));
  const ours = s =>
    s.type === 'application/json' || (s.getAttribute('src') || '').startsWith('/static/');
  const scripts = Array.from(document.scripts).filter(s => !ours(s))
    .map(s => s.outerHTML.slice(0, 80));
  return {handlers, links, scripts};
}"""
PLOTS_JS = """() => Array.from(document.querySelectorAll('div.plot')).map(d => ({
  id: d.getAttribute('data-figure'), traces: d.data ? d.data.length : 0,
  drawn: d.querySelector('svg.main-svg') !== null}))"""


# ---------------------------------------------------------------- servers and browser


@dataclass
class Site:
    """One store served twice: read-only (the default) and, on a copy, in review mode."""

    name: str
    store: Path
    base: str
    review_base: str

    def api(self, path: str, **params: str | int) -> object:
        response = httpx.get(self.base + path, params=params, timeout=30)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def sites(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Site]]:
    """Start a store's servers the first time a test asks for it; stop them all at the end."""
    started: dict[str, Site] = {}
    with ExitStack() as stack:

        def get(name: str) -> Site:
            if name not in started:
                store = request.getfixturevalue(f"{'built' if name == 'fixture' else name}_store")
                copy = tmp_path_factory.mktemp(f"review-{name}") / "accord.db"
                _copy_store(store, copy)
                base = stack.enter_context(live_server(create_app(store)))
                review_base = stack.enter_context(live_server(create_app(copy, review=True)))
                started[name] = Site(name, store, base, review_base)
            return started[name]

        yield get


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watched:
    """A page with everything that went wrong on it, and every URL it asked for."""

    page: object
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.problems == []
        foreign = [u for u in self.requests if urlsplit(u).hostname != "127.0.0.1"]
        assert foreign == [], "a request left 127.0.0.1"


@pytest.fixture
def watched(browser) -> Iterator[Callable[..., Watched]]:
    """New pages in fresh browser contexts (no shared storage), each under watch."""
    contexts = []

    def open_page(**options: object) -> Watched:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        seen = Watched(page)
        page.on(
            "console",
            lambda m: seen.problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: seen.problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (seen.problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("request", lambda r: seen.requests.append(r.url))
        page.on("requestfailed", lambda r: seen.problems.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: seen.problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        return seen

    yield open_page
    for context in contexts:
        context.close()


# ---------------------------------------------------------------- every page type


def page_urls(site: Site) -> dict[str, str]:
    """One URL of each page type, found through the JSON API as a user's clicks would."""
    overview = site.api("/api/overview")
    domain = overview["ranked"][0]["domain"]
    institutions = site.api("/api/institutions")
    hit = site.api("/api/passages", q="capacity building", per_page=1)["hits"][0]
    crosswalk = f"/crosswalk?domain={domain}&a={institutions[0]['id']}&b={institutions[1]['id']}"
    return {
        "overview": "/",
        "domain": f"/domains/{domain}",
        "institutions": "/institutions",
        "institution": f"/institutions/{institutions[0]['id']}",
        "document": f"/documents/{_largest_document(site.store)}",
        "passage": f"/passages/{hit['passage_id']}",
        "search": "/passages?q=" + quote("capacity building"),
        "crosswalk form": "/crosswalk",
        "crosswalk": crosswalk,
    }


@pytest.mark.parametrize("store", STORES)
def test_every_page_type_renders_cleanly_and_fetches_only_from_the_server(
    sites, watched, store: str
):
    site = sites(store)
    seen = watched()
    page = seen.page
    charts = len(site.api("/api/overview")["charts"])
    for kind, path in page_urls(site).items():
        response = page.goto(site.base + path)
        assert response is not None and response.status == 200, kind
        assert page.locator("h1").count() == 1, kind
        assert page.locator("#review-form").count() == 0, "read-only pages offer no review"
        assert page.evaluate(UNSAFE_MARKUP_JS) == {"handlers": [], "links": [], "scripts": []}
        plots = _drawn_plots(page)
        if kind == "overview":
            assert len(plots) == charts > 0
        if kind == "domain":
            assert len(plots) == 1
        assert [p for p in plots if not (p["drawn"] and p["traces"])] == [], kind
    page.goto(site.review_base + "/review/next")
    assert re.search(r"/passages/[^/?]+$", page.url), "the queue opens a passage"
    assert page.locator("#review-form").count() == 1
    seen.assert_clean()


@pytest.mark.parametrize("store", STORES)
def test_document_highlights_by_the_chosen_dimension(sites, watched, store: str):
    site = sites(store)
    seen = watched()
    page = seen.page
    page.goto(site.base + f"/documents/{_largest_document(site.store)}")
    passages = page.locator("section.passage").count()
    assert passages > 0
    page.select_option("select[name=dimension]", "approach")
    page.click("form.inline button[type=submit]")
    page.wait_for_url(re.compile(r"dimension=approach"))
    assert page.locator("section.passage").count() == passages
    assert page.locator("select[name=dimension]").input_value() == "approach"
    seen.assert_clean()


def test_copy_button_copies_the_citation(sites, watched):
    site = sites("fixture")
    seen = watched(permissions=["clipboard-read", "clipboard-write"])
    page = seen.page
    hit = site.api("/api/passages", per_page=1)["hits"][0]
    page.goto(site.base + f"/passages/{hit['passage_id']}")
    page.click("button.copy")
    assert page.locator("button.copy").inner_text() == "Copied"
    assert page.evaluate("navigator.clipboard.readText()") == hit["citation"]
    seen.assert_clean()


# ---------------------------------------------------------------- hostile content


def test_hostile_text_and_manifest_fields_never_run_or_become_links(sites, watched):
    site = sites("fixture")
    seen = watched()
    page = seen.page
    hostile = site.api("/api/passages", q="alert")["hits"]
    assert hostile, "the hostile document is in the fixture store"
    first = hostile[0]
    institutions = site.api("/api/institutions")
    institution = next(i for i in institutions if i["name"] == HOSTILE_ORGANISATION)
    for path in (
        f"/documents/{first['document_id']}",
        f"/passages/{first['passage_id']}",
        "/passages?q=alert",
        f"/passages?institution={quote(institution['id'])}",
        "/institutions",
        f"/institutions/{quote(institution['id'])}",
    ):
        page.goto(site.base + path)
        assert page.evaluate(UNSAFE_MARKUP_JS) == {"handlers": [], "links": [], "scripts": []}
        assert page.locator("a.source").count() == 0, "a javascript: URL is not a source link"
        body = page.inner_text("body")
        assert HOSTILE_ORGANISATION in body, path  # shown as text, not dropped
    page.goto(site.base + f"/passages/{first['passage_id']}")
    assert "<script>alert(1)</script>" in page.inner_text("blockquote.this")
    assert "<img src=x onerror=alert(2)>" in page.inner_text("blockquote.this")
    assert page.locator("main img").count() == 0
    assert page.title().startswith("Passage ")
    page.goto(site.base + f"/documents/{first['document_id']}")
    assert "<script>alert(3)</script>" in page.inner_text("h1")
    assert HOSTILE_TEXT.split(" <script>")[0] in page.inner_text(".document-text")
    seen.assert_clean()


def test_text_views_work_without_javascript(sites, watched):
    site = sites("fixture")
    seen = watched(java_script_enabled=False)
    page = seen.page
    page.goto(site.base + "/passages")
    everything = _total(page)
    link = page.locator("section.facet[data-facet=institution] a").last
    link.click()
    assert 0 < _total(page) < everything
    page.locator("ol.hits a").first.click()
    assert page.locator("blockquote.this").inner_text()
    page.locator("h1 a").click()
    assert page.locator(".document-text section.passage").count() > 0
    seen.assert_clean()


# ---------------------------------------------------------------- search and facets


@pytest.mark.parametrize("store", STORES)
def test_facets_change_the_results_and_their_urls_are_shareable(sites, watched, store: str):
    site = sites(store)
    seen = watched()
    page = seen.page
    page.goto(site.base + "/passages")
    everything = _total(page)
    # An institution facet: the total becomes the count the link showed.
    facet = page.locator("section.facet[data-facet=institution] li").last
    count = int(facet.locator(".count").inner_text())
    facet.locator("a").click()
    page.wait_for_url(re.compile(r"institution="))
    assert _total(page) == count < everything
    # A codebook facet on top narrows further; the URL holds both.
    label = page.locator("section.facet[data-facet='label.domain'] li").first
    narrowed = int(label.locator(".count").inner_text())
    label.locator("a").click()
    page.wait_for_url(re.compile(r"label\.domain="))
    assert _total(page) == narrowed <= count
    shared = page.url
    page.reload()
    assert _total(page) == narrowed
    other = watched()
    other.page.goto(shared)
    assert _total(other.page) == narrowed
    assert other.page.locator("section.facet a.selected").count() == 2
    # Words from the search box keep the facets.
    other.page.fill("form.search input[name=q]", "data")
    other.page.press("form.search input[name=q]", "Enter")
    other.page.wait_for_url(re.compile(r"q=data"))
    assert "institution=" in other.page.url and "label.domain=" in other.page.url
    assert _total(other.page) <= narrowed
    # Unticking the selected facet widens the list again.
    page.locator("section.facet[data-facet='label.domain'] a.selected").click()
    page.wait_for_url(lambda url: "label.domain" not in url)
    assert _total(page) == count
    seen.assert_clean()
    other.assert_clean()


# ---------------------------------------------------------------- review mode


@pytest.mark.parametrize("store", STORES)
def test_review_round_trip_persists_and_c_saves_and_moves_on(sites, watched, store: str):
    site = sites(store)
    seen = watched()
    page = seen.page
    page.goto(site.review_base + "/review/next?reviewer=Ana")
    first = _passage_id(page.url)
    page.fill("#reviewer", "Ana")
    box = page.locator("#review-form input[type=checkbox][name^='label.']").first
    dimension = box.get_attribute("name").removeprefix("label.")
    category = box.get_attribute("value")
    ticked = not box.is_checked()
    box.set_checked(ticked)
    expected = set(
        page.eval_on_selector_all(
            f"#review-form input[name='label.{dimension}']:checked", "els => els.map(e => e.value)"
        )
    )
    page.click("#review-form button[value=stay]")
    page.wait_for_url(re.compile(r"saved=1"))
    assert page.locator("p.notice").inner_text() == "Review saved."
    page.reload()
    rows = page.locator("#reviews tbody tr", has_text=dimension)
    assert rows.filter(has_text="Ana").count() == 1
    saved = _reviews(site, first, "Ana")[dimension]
    assert set(saved["categories"]) == expected and (category in expected) == ticked
    # The name is remembered; `n` skips to the next unreviewed passage, `c` confirms it as
    # shown and moves on.
    page.goto(site.review_base + f"/passages/{first}")
    assert page.input_value("#reviewer") == "Ana"
    page.keyboard.press("n")
    page.wait_for_url(lambda url: _passage_id(url) not in (None, first))
    second = _passage_id(page.url)
    shown = {
        d: set(
            page.eval_on_selector_all(
                f"#review-form input[name='label.{d}']:checked", "els => els.map(e => e.value)"
            )
        )
        - {""}
        for d in page.eval_on_selector_all(
            "#review-form input[name=dimensions]", "els => els.map(e => e.value)"
        )
    }
    page.keyboard.press("c")
    page.wait_for_url(lambda url: "saved=1" in url and _passage_id(url) != second)
    assert _passage_id(page.url) not in (first, second)
    confirmed = _reviews(site, second, "Ana")
    assert {d: set(r["categories"]) for d, r in confirmed.items()} == shown
    assert {r["verdict"] for r in confirmed.values()} == {"confirm"}
    seen.assert_clean()


# ---------------------------------------------------------------- helpers


def _copy_store(source: Path, target: Path) -> None:
    """A consistent copy (the backup API includes anything still in the WAL)."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _largest_document(store: Path) -> str:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT id FROM documents WHERE is_current = 1 ORDER BY n_passages DESC, id LIMIT 1"
        ).fetchone()[0]


def _drawn_plots(page) -> list[dict]:
    if page.locator("div.plot").count():
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('div.plot'))"
            ".every(d => d.querySelector('svg.main-svg'))"
        )
    return page.evaluate(PLOTS_JS)


def _total(page) -> int:
    return int(page.locator("#total").inner_text())


def _passage_id(url: str) -> str | None:
    found = re.search(r"/passages/([^/?#]+)", url)
    return found.group(1) if found else None


def _reviews(site: Site, passage_id: str, reviewer: str) -> dict[str, dict]:
    response = httpx.get(site.review_base + "/api/reviews", params={"passage": passage_id})
    return {r["dimension"]: r for r in response.json()["reviews"] if r["reviewer"] == reviewer}
