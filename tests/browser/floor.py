"""What a person does on a floor screen, as helpers for browser tests."""
from __future__ import annotations

from playwright.sync_api import Page, expect

WEDGE_KEY_DELAY_MS = 5  # a keyboard-wedge scanner types a few ms per key, then Enter


def log_in(page: Page, base_url: str, badge: str, pin: str = "1234") -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=badge]", badge)
    page.fill("input[name=pin]", pin)
    page.press("input[name=pin]", "Enter")
    page.wait_for_load_state()


def step(page: Page) -> dict[str, str]:
    """The current step as the automation contract shows it: data-step, data-expect, data-code, ..."""
    return page.eval_on_selector("#step", "el => Object.assign({}, el.dataset)")


def scan(page: Page, code: str) -> dict[str, str]:
    """Type `code` into the focused scan box like a wedge scanner, press Enter, wait for the new step."""
    page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
    expect(page.locator("input[name=scan]")).to_be_focused()
    page.keyboard.type(code, delay=WEDGE_KEY_DELAY_MS)
    page.keyboard.press("Enter")
    page.wait_for_function("() => { const s = document.getElementById('step'); return s && !s.dataset.stale; }")
    return step(page)


def feedback(page: Page) -> str:
    return page.locator("#step .feedback").inner_text()
