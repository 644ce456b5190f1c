"""Browser tests: the demo served as in production (gunicorn + gevent), driven by Debian's Chromium."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import sync_playwright


CHROMIUM = os.environ.get("FLOORAPP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 640}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A handheld-sized browser context (360x640, touch)."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    yield context
    context.close()


@pytest.fixture
def station(browser):
    """A second, separate device: the pack station."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    yield context
    context.close()
