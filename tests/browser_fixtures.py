"""Real headless Chromium against a real ``kg serve`` of the sample corpus, for the page tests.

Debian's ``chromium`` (``/usr/bin/chromium``) and ``fonts-wqy-microhei`` (so Chinese renders as
Chinese in screenshots) are installed by ``.ci/run``; Playwright drives the browser and never
downloads one (do not run ``playwright install``). Without Chromium or Playwright the tests are
skipped, except under CI (``CI`` set), where that is a failure.

Use it from a test module::

    sys.path.insert(0, str(Path(__file__).parent))
    from browser_fixtures import *  # noqa: E402, F403 - the fixtures and screenshot()

    def test_the_page_loads(served, page, page_log):
        page.goto(served + "/editor")
        page.wait_for_selector(".yasgui")        # wait for selectors, never sleep
        screenshot(page, "editor")               # output/screenshots/editor.png
        page_log.assert_clean()                  # optional: the teardown checks it too

* ``served`` (module scope): the base URL (``http://127.0.0.1:<port>``) of ``kg serve`` over a
  store built from ``corpus/`` once per test run (``corpus_build`` of ``tests/conftest.py``).
* ``browser`` (module scope): one Chromium, launched with a fresh profile (Playwright's own
  temporary user-data dir) and no background networking, sync, component updates or QUIC.
* ``page`` (per test): a page in a fresh browser context (empty storage), 1280×800, Chinese
  locale. Its teardown fails the test on any console error (CSP violations are console
  errors in Chromium; the browser's own ``/favicon.ico`` 404 excepted), uncaught page error,
  failed request (not one cancelled because the page moved on: ``net::ERR_ABORTED``) or
  request to a host other than the server's; a test that expects one calls
  ``page_log.clear()`` after provoking it.
* ``page_log`` (per test): what ``page`` recorded: ``console_errors``, ``page_errors``,
  ``failed`` (URL and reason), ``requests`` (every URL asked for) and ``hosts`` (their
  hosts); ``external()`` lists requests that left 127.0.0.1; ``assert_clean()``.
* ``screenshot(page, name)`` writes ``output/screenshots/<name>.png`` and returns its path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

__all__ = ["PageLog", "browser", "page", "page_log", "screenshot", "served"]

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1"}
#: URL schemes that never reach a network (inline data, the page's own blobs).
LOCAL_SCHEMES = {"data", "blob", "about"}


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: .ci/run installs it (apt-get install chromium "
                    "fonts-wqy-microhei; pip install -e '.[test]')")
    pytest.skip(f"{what} is missing: apt-get install chromium fonts-wqy-microhei")


@dataclass
class PageLog:
    """What one page did: console errors, page errors, failed and all requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def hosts(self) -> set[str]:
        return {urlsplit(u).hostname or "" for u in self.requests
                if urlsplit(u).scheme not in LOCAL_SCHEMES}

    def external(self) -> list[str]:
        """Requests to any host but the server's (127.0.0.1)."""
        return [u for u in self.requests if urlsplit(u).scheme not in LOCAL_SCHEMES
                and urlsplit(u).hostname not in LOCAL_HOSTS]

    def console(self, kind: str, text: str, url: str, line: int) -> None:
        # Chromium asks for /favicon.ico by itself on pages that name no icon (JSON, text)
        if kind == "error" and not url.endswith("/favicon.ico"):
            self.console_errors.append(f"{text} ({url}:{line})")

    def clear(self) -> None:
        for items in (self.console_errors, self.page_errors, self.failed, self.requests):
            items.clear()

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"failed request: {m}" for m in self.failed]
                + [f"request to another host: {u}" for u in self.external()])

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the page went wrong:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def served(corpus_build) -> Iterator[str]:
    """Base URL of ``kg serve`` over the sample corpus store."""
    from web_fixtures import kg_serve  # tests/ is on sys.path once a test module imports us

    with kg_serve(corpus_build[0], "--workers", "1", "--access-log", "off") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium per test module. Not per session: each module that
    star-imports these fixtures holds its own copy, and two Playwright instances cannot run
    at once in one thread, so each module's browser stops before the next module's starts."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        _missing(str(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright (Python)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser, page_log) -> Iterator[Any]:
    """A fresh page that records into ``page_log``; fails the test on what went wrong."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  service_workers="block")
    context.set_default_timeout(10_000)
    p = context.new_page()
    p.on("console", lambda m: page_log.console(m.type, m.text, m.location.get("url", ""),
                                               m.location.get("lineNumber", 0)))
    p.on("pageerror", lambda e: page_log.page_errors.append(str(e)))
    p.on("request", lambda r: page_log.requests.append(r.url))
    # net::ERR_ABORTED: the page navigated or closed before the answer came (a favicon, say)
    p.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED" and page_log.failed.append(
        f"{r.url}: {r.failure}"))
    try:
        yield p
    finally:
        context.close()
    page_log.assert_clean()


def screenshot(page: Any, name: str) -> Path:
    """Write ``output/screenshots/<name>.png`` of the whole page; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
