"""Receiving, returns, counting and replenishment as people do them, on a 360x640 handheld in Chromium,
against the demo served as in production. After each flow the stock ledger replays to the same on-hand."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import create_engine

from floorapp.db import make_sessionmaker
from floorapp.domain.stock import ledger_mismatches

from .floor import feedback, log_in, scan, step


def _barcode(server, sku: str) -> str:
    return server.query("SELECT b.code FROM barcodes b JOIN products p ON p.id = b.product_id "
                        "WHERE p.sku = :sku ORDER BY b.id LIMIT 1", sku=sku)[0][0]


def _ledger_is_true(server) -> None:
    engine = create_engine(server.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            assert ledger_mismatches(session) == []
    finally:
        engine.dispose()


def _tap(page, name: str) -> dict[str, str]:
    page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
    page.get_by_role("button", name=name).click()
    page.wait_for_function("() => { const s = document.getElementById('step'); return s && !s.dataset.stale; }")
    return step(page)


def test_receiving_against_the_expected_receipt_with_put_away(live_server, phone):
    page = phone.new_page()
    log_in(page, live_server.url, "P-0001")
    page.goto(live_server.url + "/receive/")
    assert step(page)["expect"] == "receipt"
    refused = scan(page, "ASN-NOPE")
    assert refused["result"] == "refused"
    assert feedback(page) == "ASN-NOPE is not an expected receipt. Scan the receipt number on the delivery note."
    scan(page, "ASN-1001")
    page.wait_for_url("**/receive/tasks/*")
    assert step(page)["expect"] == "product" and step(page)["receipt"] == "ASN-1001"
    sku, qty = live_server.query("SELECT p.sku, l.qty FROM expected_receipt_lines l JOIN products p "
                                 "ON p.id = l.product_id ORDER BY l.line_no LIMIT 1")[0]
    waiting = live_server.query("SELECT o.external_id FROM orders o JOIN order_lines l ON l.order_id = o.id "
                                "JOIN products p ON p.id = l.product_id WHERE p.sku = :sku AND l.backordered > 0",
                                sku=sku)
    assert scan(page, _barcode(live_server, sku))["expect"] == "qty"
    at = scan(page, str(qty))  # typed on the keypad: all expected of this line are in
    assert at["expect"] == "location" and at["result"] == "ok"
    wrong = scan(page, "PACK-01")
    assert wrong["result"] == "refused"
    assert feedback(page) == f"PACK-01 is a pack location, not storage. Put away at {at['code']}."
    done = scan(page, at["code"])
    assert done["result"] == "ok" and done["expect"] == "product"
    assert feedback(page).startswith(f"{qty} x {sku} put away at {at['code']}.")
    on_hand = live_server.query("SELECT SUM(s.on_hand) FROM stock s JOIN locations l ON l.id = s.location_id "
                                "JOIN products p ON p.id = s.product_id WHERE p.sku = :sku AND l.code = :code",
                                sku=sku, code=at["code"])[0][0]
    assert on_hand >= qty
    if waiting:  # the receipt went to the backorders first
        status = live_server.api_get(f"/api/v1/orders/{waiting[0][0]}").json()["status"]
        assert status in ("allocated", "partially_allocated")
    assert live_server.api_get("/api/v1/receipts/ASN-1001").json()["lines"][0]["received"] == qty
    _ledger_is_true(live_server)


def test_a_return_with_restock_quarantine_and_scrap(live_server, station):
    order = live_server.query("SELECT external_id FROM orders WHERE status = 'shipped' LIMIT 1")[0][0]
    page = station.new_page()
    log_in(page, live_server.url, "K-0001")
    page.goto(live_server.url + "/returns/")
    scan(page, order)
    page.wait_for_url("**/returns/tasks/*")
    assert step(page)["expect"] == "item"
    skus = [line["sku"] for line in live_server.api_get(f"/api/v1/orders/{order}").json()["lines"]
            for _ in range(line["shipped"])]
    for sku, disposition in zip(skus[:3], ("Restock", "Quarantine", "Scrap"), strict=True):
        assert scan(page, _barcode(live_server, sku))["expect"] == "reason", feedback(page)
        assert _tap(page, "Damaged" if disposition != "Restock" else "Not wanted")["expect"] == "disposition"
        after = _tap(page, disposition)
        if disposition != "Scrap":
            assert after["expect"] == "location"
            after = scan(page, after["code"])
        assert after["expect"] == "item" and after["result"] == "ok", feedback(page)
    assert _tap(page, "Done")["expect"] == "done"
    body = live_server.api_get(f"/api/v1/orders/{order}").json()
    assert body["status"] == "returned"
    assert sorted(r["disposition"] for r in body["returns"]) == ["quarantine", "restock", "scrap"]
    _ledger_is_true(live_server)


def test_a_blind_count_with_a_variance_approved_by_a_supervisor(live_server, phone, station):
    page = phone.new_page()
    log_in(page, live_server.url, "P-0002")
    page.goto(live_server.url + "/count/")
    page.get_by_role("button", name="Get count").click()
    page.wait_for_url("**/count/tasks/*")
    location = step(page)["code"]
    rows = live_server.query(
        "SELECT p.sku, s.lot, s.on_hand FROM stock s JOIN products p ON p.id = s.product_id JOIN locations l "
        "ON l.id = s.location_id WHERE l.code = :code AND s.on_hand > 0 ORDER BY s.on_hand DESC", code=location)
    sku, lot, on_hand = rows[0]
    expect(page.locator("#step")).not_to_contain_text(str(on_hand))  # blind
    assert scan(page, location)["expect"] == "item"
    for other_sku, _, other_qty in rows[1:]:  # a bin may hold two products: they are counted right
        scan(page, _barcode(live_server, other_sku))
        scan(page, str(other_qty))
    scan(page, _barcode(live_server, sku))
    assert scan(page, str(on_hand - 2))["result"] == "ok"  # two missing
    done = _tap(page, "Done: bin counted")
    assert done["expect"] == "done" and done["state"] == "awaiting_approval"

    supervisor = station.new_page()
    log_in(supervisor, live_server.url, "S-0001")
    supervisor.goto(live_server.url + "/count/supervisor")
    row = supervisor.locator("tr[data-count]", has_text=location)
    expect(row).to_contain_text(f"counted {on_hand - 2}, expected {on_hand} (-2)")
    row.get_by_role("button", name="Approve").click()
    expect(supervisor.locator("#step .feedback")).to_contain_text("approve done")
    after = live_server.query("SELECT s.on_hand FROM stock s JOIN locations l ON l.id = s.location_id JOIN products p "
                              "ON p.id = s.product_id WHERE l.code = :code AND p.sku = :sku AND s.lot = :lot",
                              code=location, sku=sku, lot=lot)[0][0]
    assert after == on_hand - 2
    assert live_server.query("SELECT COUNT(*) FROM stock_moves WHERE reason = 'count'")[0][0] == 1
    _ledger_is_true(live_server)


def test_a_replenishment_task_from_bulk_to_the_pick_face(live_server, phone):
    page = phone.new_page()
    log_in(page, live_server.url, "P-0001")
    page.goto(live_server.url + "/replenish/")
    page.get_by_role("button", name="Get work").click()
    page.wait_for_url("**/replenish/tasks/*")
    start = step(page)
    assert start["expect"] == "location" and start["step"] == "from"
    refused = scan(page, "PACK-01")
    assert refused["result"] == "refused"
    assert feedback(page) == f"Wrong location: this is PACK-01. Go to {start['code']}."
    item = scan(page, start["code"])
    assert item["expect"] == "product"
    qty = int(live_server.query("SELECT qty FROM replenishment_tasks WHERE id = :id", id=int(item["task"]))[0][0])
    after = scan(page, _barcode(live_server, item["code"]))
    if after["expect"] == "qty":
        after = scan(page, str(qty))
    assert after["expect"] == "location" and after["step"] == "to"
    done = scan(page, after["code"])
    assert done["expect"] == "done" and done["result"] == "ok"
    assert live_server.query("SELECT moved FROM replenishment_tasks WHERE id = :id", id=int(item["task"]))[0][0] == qty
    _ledger_is_true(live_server)
