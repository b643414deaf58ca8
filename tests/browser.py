"""What the browser journeys share: gunicorn on the test database, headless Chromium and a
password sign-in in a browser context of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.platform.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.subprocesses import free_port, gunicorn_server, subprocess_env


@contextmanager
def gunicorn_port(django_db_blocker: Any,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """gunicorn serving the test database, on a free port; its log in a temporary folder."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn_server(subprocess_env(django_db_blocker), port=free_port(),
                         log_path=log_path) as port:
        yield port


@contextmanager
def chromium(*extra_args: str) -> Iterator[Browser]:
    """Headless Chromium (no ORM calls while Playwright's event loop runs in this thread)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()


def signed_in(browser: Browser, base: str, *, email: str, password: str, path: str,
              problems: list[str], viewport: ViewportSize | None = None) -> Page:
    """A browser context of its own (one person), signed in with a password at ``path``; the
    page's console errors are added to ``problems``."""
    context = browser.new_context(locale="ro-MD",
                                  viewport=viewport or {"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.goto(f"{base}/autentificare/?next={path}")
    page.get_by_label("Adresa de e-mail").fill(email)
    page.get_by_label("Parola").fill(password)
    page.get_by_role("button", name="Intră").click()
    page.wait_for_url(f"{base}{path}")
    return page
