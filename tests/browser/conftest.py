"""Fixtures for tests that drive a real headless Chromium (Debian's ``chromium`` package).

Playwright (the PyPI package, in the ``test`` extra) drives the system browser at
``/usr/bin/chromium``; nothing is downloaded (``playwright install`` is never needed). Each
launch gets a fresh, empty profile (Playwright makes a new ``--user-data-dir`` in a temporary
folder and removes it afterwards). The flags keep Chromium from reaching for Google's services,
which a closed network refuses; ``--no-sandbox`` lets it run as root.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
