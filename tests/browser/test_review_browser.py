"""Curation and review in a real headless Chromium, against real ``policykg serve`` processes.

The story of ``tests/test_curation.py``: the seed and the development document
``2022-01-cybersecurity-review-measures.md`` are built, the review's entry for a new agency is
filled in beside a curator's retraction of a wrong fact (Article 4 "guided by" the CAC) and
assertion of a missed one (the Data Security Law's date), the corrected build is served, and
the browser goes from the home page to ``/review``, and to the entity pages, which show the
retraction and the asserted fact with who, when and why. A second, small build merges two
agencies: the browser, sent to the merged-away IRI, lands on the kept entity's page. Every
request of the pages is recorded; any to another host is aborted and fails the test.
Screenshots go to ``test-output/screenshots/``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import servers
from test_curation import CYBER, DOC_A, DOC_B, MERGE, SEED, curation, story_entries

from policykg.pipeline.build import build
from policykg.pipeline.review import load_review


@dataclass
class Served:
    url: str
    build: Path


@dataclass
class Guard:
    """The requests of a test's pages: any not to ``base`` is aborted and recorded."""

    base: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        def on_request(request) -> None:
            self.requests.append(request.url)
            if not request.url.startswith((self.base + "/", "data:")) and request.url != self.base:
                self.foreign.append(request.url)

        def route(r) -> None:
            url = r.request.url
            if url.startswith((self.base + "/", "data:")) or url == self.base:
                r.continue_()
            else:
                r.abort()

        page.context.on("request", on_request)
        page.context.route("**/*", route)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def check(self) -> None:
        assert not self.foreign, f"the page reached beyond our server: {self.foreign}"
        assert not self.errors, f"JavaScript errors on the page: {self.errors}"
        assert self.requests


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Iterator[Served]:
    """The curated story, served."""
    root = tmp_path_factory.mktemp("review-story")
    (root / "none").mkdir()
    before = root / "before"
    assert build([SEED, CYBER], before, curation=root / "none").published
    folder = curation(root, story_entries(load_review(before).to_csv()))
    out = root / "dist"
    result = build([SEED, CYBER], out, curation=folder)
    assert result.published, result.report.to_text()
    assert len(result.curated.applied) == 3
    proc, url, _port = servers.serve(out, root / "server.log")
    try:
        yield Served(url, out)
    finally:
        servers.stop(proc)


@pytest.fixture
def guard(page, story) -> Guard:
    g = Guard(story.url)
    g.watch(page)
    return g


def test_home_page_leads_to_the_review(page, story, guard, screenshot_dir):
    page.goto(story.url + "/")
    link = page.locator("#review-link a")
    review = load_review(story.build)
    assert link.inner_text() == f"{len(review.items)} items to check"
    with page.expect_navigation():
        link.click()
    assert page.url == story.url + "/review"
    assert page.locator("h1").inner_text() == "Review: what to check in this build"
    counts = page.locator("#review-counts tbody tr")
    assert counts.count() == len(review.by_kind())

    item = page.locator("article.review-item", has_text="Article 2 of Cybersecurity Review Measures (2021) names no agency")
    assert item.count() == 1
    assert "Purchases of network products and services by CII operators" in item.locator("blockquote").inner_text()
    entry = item.locator("pre code").inner_text()
    assert 'property = "guided by"' in entry
    assert 'subject = { label = "Article 2", in = "Cybersecurity Review Measures (2021)" }' in entry
    assert 'source = "2022-01-cybersecurity-review-measures.md"' in entry
    item.locator("h3").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "review_page.png"), full_page=True)

    # the named Cybersecurity Review Office is no longer asked about; the item's link opens the measure
    assert page.locator("article.review-item", has_text="new agency: Cybersecurity Review Office").count() == 0
    with page.expect_navigation():
        item.locator("h3 a").click()
    assert page.url == story.url + "/id/measure/cybersecurity-review-measures-2021/2"

    # the same review as Markdown and CSV, as `policykg review` prints it
    md = httpx.get(story.url + "/review?format=md", timeout=30)
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# Review")
    guard.check()


def test_entity_page_shows_the_retracted_fact(page, story, guard, screenshot_dir):
    page.goto(story.url + "/id/measure/cybersecurity-review-measures-2021/4")
    section = page.locator("section.retracted")
    section.wait_for()
    row = section.locator("tr.retracted-fact")
    assert row.count() == 1
    text = row.inner_text()
    assert "guided by" in text and "Cyberspace Administration of China" in text
    assert "is located in the CAC" in row.locator("blockquote").inner_text()  # what the text said
    curation = row.locator("p.curation")
    assert curation.locator(".curator").inner_text() == "Li Wei"
    assert curation.locator("time").get_attribute("datetime") == "2024-06-03"
    assert curation.locator(".reason").inner_text() == (
        "The text says the Cybersecurity Review Office is located in the CAC, not that the CAC guides Article 4.")
    # the facts now: guided by the office, not by the CAC
    facts = page.locator("#facts-h + table").inner_text()
    assert "Cybersecurity Review Office" in facts
    assert "Cyberspace Administration of China" not in facts
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "curation_retracted.png"), full_page=True)

    # and from the agency's side: the CAC's page lists it too, as a link that went
    page.goto(story.url + "/id/agency/cac")
    assert "Article 4" in page.locator("section.retracted").inner_text()
    guard.check()


def test_entity_page_shows_the_asserted_fact(page, story, guard, screenshot_dir):
    page.goto(story.url + "/id/document/data-security-law")
    row = page.locator("#facts-h + table tr", has_text="issued on")
    assert row.count() == 1
    assert "2021-06-10" in row.inner_text()
    curation = row.locator("p.curation")
    assert curation.inner_text().startswith("Asserted by Li Wei on 2024-06-03")
    assert "Footnote 2 gives the day the law was adopted" in curation.locator(".reason").inner_text()
    quote = row.locator("blockquote.source")
    assert quote.inner_text() == "Data Security Law of the People's Republic of China, adopted on 10 June 2021"
    start, end = int(quote.get_attribute("data-start")), int(quote.get_attribute("data-end"))
    assert CYBER.read_text(encoding="utf-8")[start:end] == quote.inner_text()
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "curation_asserted.png"), full_page=True)
    guard.check()


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("merged")
    (root / "a.md").write_text(DOC_A, encoding="utf-8")
    (root / "b.md").write_text(DOC_B, encoding="utf-8")
    out = root / "dist"
    assert build([root / "a.md", root / "b.md"], out, curation=curation(root, MERGE)).published
    proc, url, _port = servers.serve(out, root / "server.log")
    try:
        yield Served(url, out)
    finally:
        servers.stop(proc)


def test_a_merged_iri_opens_the_kept_entity(page, merged, screenshot_dir):
    guard = Guard(merged.url)
    guard.watch(page)
    response = page.goto(merged.url + "/id/agency/state-data-office")
    assert page.url == merged.url + "/id/agency/ndb"
    assert response.request.redirected_from is not None
    assert response.request.redirected_from.url == merged.url + "/id/agency/state-data-office"
    assert page.locator("h1").first.inner_text().startswith("National Data Bureau")
    assert "agency/state-data-office" in page.locator("p.merged-from").inner_text()
    other_names = page.locator("p.labels", has_text="Other names").inner_text()
    assert "State Data Office" in other_names
    page.screenshot(path=str(screenshot_dir / "curation_merged.png"), full_page=True)
    guard.check()
