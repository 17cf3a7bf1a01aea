"""Real Chromium through Playwright against pytest-django's live server.

Nothing leaves the machine: every request of the browser context goes to the
live server, or is answered by a local stand-in page, or is aborted.
Playwright's sync API runs an event loop in this thread, so Django's
"no ORM calls from async code" guard is switched off for these tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def e2e_settings(settings):
    """The live server speaks plain http on localhost: cookies may not be Secure.
    Verification runs in-process (no broker files left behind) and offline."""
    from sharekpi.celery import app as celery_app

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SHAREKPI_VERIFY_NETWORK = False
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield settings
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class OfflineWeb:
    """Routes a browser context: the live server passes, stand-in pages are
    answered locally, everything else is aborted (and recorded)."""

    live_server_url: str
    pages: dict[str, str] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)

    def serve(self, url: str, html: str) -> None:
        """Answer requests for ``url`` (fragment ignored) with ``html``."""
        self.pages[url.split("#", 1)[0]] = html

    def handle(self, route) -> None:
        url = route.request.url
        if url.startswith(self.live_server_url + "/"):
            route.continue_()
        elif url.split("#", 1)[0] in self.pages:
            route.fulfill(
                status=200,
                content_type="text/html; charset=utf-8",
                body=self.pages[url.split("#", 1)[0]],
            )
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")


@pytest.fixture
def offline_context(browser, live_server, e2e_settings) -> Iterator[tuple[object, OfflineWeb]]:
    """A browser context that cannot reach anything but the live server."""
    web = OfflineWeb(live_server.url)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", web.handle)
    try:
        yield context, web
    finally:
        context.close()


@pytest.fixture
def log_in(live_server) -> Callable:
    def log_in(page, staff_id: str, password: str = "pw") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", staff_id)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")  # not the language switch in the header
        page.wait_for_url(f"{live_server.url}/")

    return log_in


@pytest.fixture(autouse=True)
def audit_rows_removed_afterwards():
    """Browser tests commit for real (transaction=True), and the audit log refuses the
    DELETE with which the test database is emptied after each test: remove the entries
    behind the append-only triggers' back first, as the audit tests' tamperer does."""
    yield
    from django.db import connection

    from tests.audit.conftest import TABLE, triggers_off

    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(TABLE)}")
