"""Scanning in a real Chromium: a product read through a (fake) camera on the picking screen, and the
keyboard wedge telling a scanner's fast keys from a person's slow typing."""
from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from .floor import log_in, scan, step

TYPED = "That was typed, not scanned: tap Keypad to type a code."


def _barcode_for(server, sku: str) -> tuple[str, str]:
    return server.query("SELECT b.code, b.kind FROM barcodes b JOIN products p ON p.id = b.product_id "
                        "WHERE p.sku = :sku ORDER BY b.id LIMIT 1", sku=sku)[0]


def _start_task(page, server, badge: str = "P-0001") -> dict:
    log_in(page, server.url, badge)
    page.get_by_role("button", name="Get work").click()
    page.wait_for_selector("#step[data-expect]")
    current = step(page)
    assert current["expect"] == "location"
    return current


def _y4m_of_barcode(path, code: str, kind: str, frames: int = 20) -> None:
    """A video file Chromium plays as its camera: the product's barcode on a grey desk, 640x480 I420."""
    import barcode
    import cv2
    from barcode.writer import ImageWriter

    name = {"gtin13": "ean13", "upca": "upca"}.get(kind, "code128")
    data = code[:-1] if name in ("ean13", "upca") else code
    image = barcode.get(name, data, writer=ImageWriter()).render(writer_options={"write_text": False, "module_width": 0.3})
    label = np.array(image.convert("L"))
    scale = min(420 / label.shape[1], 160 / label.shape[0])
    label = cv2.resize(label, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    luma = np.full((480, 640), 120, np.uint8)
    y, x = (480 - label.shape[0]) // 2, (640 - label.shape[1]) // 2
    luma[y:y + label.shape[0], x:x + label.shape[1]] = label
    chroma = np.full((240, 320), 128, np.uint8).tobytes()
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        out.writelines(b"FRAME\n" + luma.tobytes() + chroma + chroma for _ in range(frames))


@pytest.fixture
def camera_phone(live_server, browser, tmp_path):
    """A separate Chromium whose camera plays a video made by the test (launched once the code is known)."""
    made = {}

    def launch(code: str, kind: str):
        video = tmp_path / "camera.y4m"
        _y4m_of_barcode(video, code, kind)
        camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
            *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        context = camera_browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
        context.grant_permissions(["camera"], origin=live_server.url)
        made.update(browser=camera_browser, context=context)
        return context.new_page()

    yield launch
    if made:
        made["context"].close()
        made["browser"].close()


def test_a_picker_scans_the_product_with_the_camera(live_server, phone, camera_phone):
    # Which product comes first is known once the task is taken: look with an ordinary browser first.
    page = phone.new_page()
    first = _start_task(page, live_server)
    at_location = scan(page, first["code"])
    assert at_location["expect"] == "product", at_location
    code, kind = _barcode_for(live_server, at_location["code"])
    page.close()

    camera = camera_phone(code, kind)
    log_in(camera, live_server.url, "P-0001")
    camera.goto(live_server.url + "/pick/")
    camera.wait_for_selector("#step[data-expect=product]")
    camera.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
    button = camera.get_by_role("button", name="Scan with the camera")
    expect(button).to_be_visible()
    button.click()
    expect(camera.locator(".viewfinder video")).to_be_visible()
    camera.wait_for_function("() => { const s = document.getElementById('step'); return s && !s.dataset.stale; }",
                             timeout=30_000)
    after = step(camera)
    assert after["result"] == "ok", camera.locator("#step .feedback").inner_text()
    expect(camera.locator(".viewfinder")).to_have_count(0)        # the viewfinder closed after the read
    expect(camera.locator("input[name=scan]")).to_be_focused()
    assert live_server.query("SELECT raw FROM scans ORDER BY id DESC LIMIT 1")[0][0] == code


def test_fast_keys_are_a_scan_and_slow_typing_is_not_unless_the_keypad_is_open(live_server, phone):
    page = phone.new_page()
    first = _start_task(page, live_server, "P-0002")
    box = page.locator("input[name=scan]")

    # A person typing the location slowly (150 ms a key) and pressing Enter: not taken, and told why.
    page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
    page.keyboard.type(first["code"], delay=150)
    page.keyboard.press("Enter")
    expect(page.locator("[data-scan-note]")).to_have_text(TYPED)
    assert step(page).get("stale") == "1"                       # no request: the step was not answered
    expect(box).to_have_value("")

    # The wedge scanner (5 ms a key, then Enter) is taken at once, and the note goes.
    at_location = scan(page, first["code"])
    assert at_location["result"] == "ok" and at_location["expect"] == "product"
    expect(page.locator("[data-scan-note]")).to_be_hidden()

    # A value landing in the box at once (paste, DataWedge "send as string") counts as a scan too.
    code, _ = _barcode_for(live_server, at_location["code"])
    page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
    box.fill(code)
    box.press("Enter")
    page.wait_for_function("() => !document.getElementById('step').dataset.stale")
    assert step(page)["result"] == "ok"

    # With the keypad open, slow typing is manual entry and is taken.
    if step(page)["expect"] in ("product", "qty"):
        page.get_by_role("button", name="Type a code").click()
        expect(box).to_have_attribute("inputmode", "text")
        page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
        page.keyboard.type(code, delay=150)
        page.keyboard.press("Enter")
        page.wait_for_function("() => !document.getElementById('step').dataset.stale")
        assert step(page)["result"] in ("ok", "refused")       # answered by the server either way
        expect(page.locator("[data-scan-note]")).to_be_hidden()


def test_the_scanner_test_page_shows_what_a_wedge_scanner_sent(live_server, phone):
    page = phone.new_page()
    log_in(page, live_server.url, "K-0001")
    page.goto(live_server.url + "/scanner-test")
    expect(page.locator("input[name=scan]")).to_be_focused()
    page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
    page.keyboard.type("]C1010950110153000310LOT-7", delay=5)
    page.keyboard.press("Control+BracketRight")                    # GS, as scanners type it
    page.keyboard.type("21S9", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.getElementById('step').dataset.stale")
    expect(page.locator(".arrived-shown")).to_have_text("]C1010950110153000310LOT-7<GS>21S9")
    expect(page.locator(".arrived-aim")).to_contain_text("]C1 (Code 128)")
    expect(page.locator(".arrived-gs1")).to_have_text("(01) 09501101530003 · (10) LOT-7 · (21) S9")
    expect(page.locator(".arrived-gaps")).to_contain_text("gaps, median")
