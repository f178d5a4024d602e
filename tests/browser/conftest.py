"""Fixtures for tests that drive a real headless Chromium (Debian's ``chromium`` package).

Playwright (the PyPI package, in the ``test`` extra) drives the system browser at
``/usr/bin/chromium``; nothing is downloaded (``playwright install`` is never needed). Each
launch gets a fresh, empty profile (Playwright makes a new ``--user-data-dir`` in a temporary
folder and removes it afterwards). The flags keep Chromium from reaching for Google's services,
which a closed network refuses; ``--no-sandbox`` lets it run as root.

``site``: the seed, built once for the session and served by a real ``policykg serve`` on
127.0.0.1 (``site.url``, ``site.build``). ``traffic``: records every request of a test's pages
and aborts any to another host; ``traffic.check()`` fails the test on such a request or on a
JavaScript error of the page.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import servers

from policykg.resources import data_root

CHROMIUM = Path(os.environ.get("POLICYKG_CHROMIUM", "/usr/bin/chromium"))

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (a Playwright ``Browser``), shared by the whole session."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(scripts/system-deps.sh, run by `make test`)"
        )
    from playwright.sync_api import sync_playwright  # the test extra

    with sync_playwright() as pw:
        # headless=True adds --headless; Playwright refuses a --user-data-dir in args and
        # makes a fresh one itself for every launch.
        b = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            chromium_sandbox=False,
            args=CHROMIUM_ARGS,
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A new page in its own browser context (no cookies or storage shared between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``test-output/screenshots/`` under the repository root (git-ignored), created on demand."""
    d = REPO_ROOT / "test-output" / "screenshots"
    d.mkdir(parents=True, exist_ok=True)
    return d


# ------------------------------------------------------------------------- the server

SEED = "2020-09-services-trade-pilot-areas-data.md"


@dataclass
class Site:
    url: str
    build: Path


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    """The seed, built and served by ``python -m policykg serve --no-build`` on a free port."""
    from policykg.pipeline.build import build

    root = tmp_path_factory.mktemp("ui-browser")
    out = root / "dist"
    assert build([data_root() / "sources" / SEED], out).published
    proc, url, _port = servers.serve(out, root / "server.log")
    try:
        yield Site(url, out)
    finally:
        servers.stop(proc)


# ------------------------------------------------------------------------- the network guard

@dataclass
class Traffic:
    base: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.foreign, f"the page reached beyond 127.0.0.1: {self.foreign}"
        assert not self.errors, f"JavaScript errors on the page: {self.errors}"
        assert self.requests


@pytest.fixture
def traffic(page, site) -> Traffic:
    """Records every request of the page (and of pages it opens); aborts any not to our server."""
    t = Traffic(site.url)

    def on_request(request) -> None:
        t.requests.append(request.url)
        if not request.url.startswith(("http://127.0.0.1:", "data:")):
            t.foreign.append(request.url)

    def guard(route) -> None:
        url = route.request.url
        if url.startswith((site.url + "/", "data:")) or url == site.url:
            route.continue_()
        else:
            route.abort()

    page.context.on("request", on_request)
    page.context.route("**/*", guard)
    page.on("pageerror", lambda exc: t.errors.append(str(exc)))
    return t
