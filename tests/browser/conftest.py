# SPDX-License-Identifier: AGPL-3.0-or-later
"""Playwright driving Debian's Chromium (never a downloaded browser build)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety
# check would otherwise refuse the live server's database work in the tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("OPENIOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


def _watch_for_csp_violations(page: Any) -> list[str]:
    """Chromium reports each Content-Security-Policy refusal on the console;
    a page that needs something the policy blocks fails its test."""
    refused: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return refused


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _watch_for_csp_violations(page)
    yield page
    context.close()
    assert refused == [], "\n".join(refused)


@pytest.fixture
def axe_page(browser: object) -> Iterator[object]:
    """A page with axe-core loaded for the accessibility checks, under the real
    Content-Security-Policy: axe comes in through the browser's DevTools
    protocol (add_init_script), which the policy does not govern, rather than
    as an inline <script> tag, which it rightly refuses. No context bypasses
    the policy."""
    from django.conf import settings

    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.add_init_script(path=str(Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"))
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _watch_for_csp_violations(page)
    yield page
    context.close()
    assert refused == [], "\n".join(refused)
