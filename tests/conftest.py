"""Shared test settings: a hypothesis profile for CI (no deadline: timing is not tested), and
the browser for tests/browser.

Browser tests run in Debian's Chromium, driven by Playwright for Python (no browser download:
the system executable is launched). Without Chromium they are skipped with the way to enable
them — except under CI (the ``CI`` environment variable set), where a missing browser is a
failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HOW_TO_ENABLE = (
    "browser tests need Chromium and Playwright for Python: on Debian/Ubuntu "
    "'sudo apt-get install chromium' (or set TRACEGRAD_CHROMIUM to a Chromium executable); "
    "Playwright comes with 'pip install -e .[dev]' (make test installs it)"
)


def chromium_path() -> str | None:
    """The Chromium to launch: ``$TRACEGRAD_CHROMIUM``, else ``chromium`` on PATH."""
    chosen = os.environ.get("TRACEGRAD_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI is set, so browser tests must run: {reason}. {HOW_TO_ENABLE}",
                    pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}. {HOW_TO_ENABLE}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    executable = chromium_path()
    if executable is None:
        _missing("no Chromium executable found")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.errors = errors
    yield opened
    context.close()
