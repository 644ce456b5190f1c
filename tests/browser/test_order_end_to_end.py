"""One order, end to end, as people do it: a picker on a phone-sized handheld, then a packer at a station."""
from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from .floor import feedback, log_in, scan, step


def _barcode(server, sku: str) -> str:
    return server.query("SELECT b.code FROM barcodes b JOIN products p ON p.id = b.product_id "
                        "WHERE p.sku = :sku ORDER BY b.id LIMIT 1", sku=sku)[0][0]


def _free_tote(server) -> str:
    return server.query("SELECT code FROM totes WHERE order_id IS NULL ORDER BY code LIMIT 1")[0][0]


def _pick_whole_task(page, server) -> tuple[str, list[str]]:
    """Walk the task location by location; returns the order and the totes used."""
    current = step(page)
    order = current["order"]
    tote = None
    for _ in range(200):
        expecting = current["expect"]
        if expecting == "done":
            break
        if expecting == "location":
            current = scan(page, current["code"])
        elif expecting in ("product", "qty"):
            current = scan(page, _barcode(server, current["code"]))
        elif expecting == "tote":
            tote = tote or _free_tote(server)
            current = scan(page, tote)
        assert current["result"] == "ok", feedback(page)
    assert current["expect"] == "done"
    return order, current["code"].split()


def test_picker_and_packer_take_an_order_from_pick_list_to_packing_slip(live_server, phone, station):
    # The picker logs in on a handheld and takes the next task.
    picker = phone.new_page()
    log_in(picker, live_server.url, "P-0001")
    picker.get_by_role("button", name="Get work").click()
    first = step(picker)
    assert first["expect"] == "location"
    expect(picker.locator("input[name=scan]")).to_have_attribute("inputmode", "none")

    # A wrong location is refused at once, with the one sentence that says what to do.
    wrong = live_server.query("SELECT code FROM locations WHERE kind = 'pick' AND code != :c LIMIT 1",
                              c=first["code"])[0][0]
    refused = scan(picker, wrong)
    assert refused["result"] == "refused" and refused["expect"] == "location"
    assert feedback(picker) == f"Wrong location: this is {wrong}. Go to {first['code']}."

    order, totes = _pick_whole_task(picker, live_server)
    expect(picker.locator("#step")).to_contain_text("Take " + ", ".join(totes) + " to packing")
    assert live_server.api_get(f"/api/v1/orders/{order}").json()["status"] == "picked"

    # The packer scans the tote at the station and verifies every item by scan.
    packer = station.new_page()
    log_in(packer, live_server.url, "K-0001")
    scan(packer, totes[0])
    packer.wait_for_url("**/pack/cartons/*")
    lines = live_server.api_get(f"/api/v1/orders/{order}").json()["lines"]
    other = live_server.query("SELECT sku FROM products WHERE sku NOT IN :skus LIMIT 1".replace(
        ":skus", "(" + ",".join(f"'{line['sku']}'" for line in lines) + ")"))[0][0]
    assert scan(packer, _barcode(live_server, other))["result"] == "refused"
    assert "is not in order" in feedback(packer)
    expect(packer.get_by_role("button", name="Close carton")).to_be_disabled()
    for line in lines:
        for _ in range(line["picked"]):
            assert scan(packer, _barcode(live_server, line["sku"]))["result"] == "ok", feedback(packer)
    packer.get_by_role("button", name="Close carton").click()
    expect(packer.locator("#step")).to_contain_text(f"Order {order} is packed")

    # The packing slip names the order and its lines.
    href = packer.get_by_role("link", name="Packing slip (PDF)").get_attribute("href")
    slip = packer.context.request.get(live_server.url + href)
    assert slip.ok and slip.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.body())).pages)
    assert order in text
    for line in lines:
        assert line["sku"] in text and line["name"] in text

    # The API shows the order packed, with per-line quantities.
    body = live_server.api_get(f"/api/v1/orders/{order}").json()
    assert body["status"] == "packed"
    for line in body["lines"]:
        assert line["packed"] == line["picked"] == line["allocated"] > 0
