"""A packer at a pack station (desktop and tablet) packs a picked order into two cartons, end to end:
station by scan, a wrong item refused, closing blocked before verification, labels printed and shown live,
ship confirm."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from floorapp.db import make_engine, make_sessionmaker
from floorapp.domain import picking
from floorapp.domain.models import User
from floorapp.domain.states import PickStep
from tests.factories import pick_task

from .floor import feedback, log_in, scan, step

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 768, "height": 1024}}


def _picked_order(server, first_tote: int) -> str:
    """Pick the next task of picker P-0002 with real scans (the domain, as the handheld would); an order
    with at least two units, so it can fill two cartons."""
    engine = make_engine(server.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            picker = session.scalar(select(User).where(User.badge == "P-0002"))
            for attempt in range(8):
                task = picking.take_next_task(session, picker)
                pick_task(session, task, picker, tote=f"T-{first_tote + attempt:04d}")
                session.commit()
                assert task.step == PickStep.DONE
                if sum(line.picked for line in task.order.lines) >= 2:
                    return task.order.external_id
    finally:
        engine.dispose()
    raise AssertionError("no picked order with two units")


def _barcode(server, sku: str) -> str:
    return server.query("SELECT b.code FROM barcodes b JOIN products p ON p.id = b.product_id "
                        "WHERE p.sku = :sku ORDER BY b.id LIMIT 1", sku=sku)[0][0]


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_packer_packs_an_order_into_two_cartons_and_ships_it(live_server, browser, device):
    order = _picked_order(live_server, 100 if device == "desktop" else 150)
    lines = live_server.api_get(f"/api/v1/orders/{order}").json()["lines"]
    units = [line["sku"] for line in lines for _ in range(line["picked"])]
    other = live_server.query("SELECT sku FROM products WHERE sku NOT IN (" +
                              ",".join(f"'{sku}'" for sku in set(units)) + ") ORDER BY sku LIMIT 1")[0][0]

    context = browser.new_context(viewport=VIEWPORTS[device], has_touch=device == "tablet")
    try:
        page = context.new_page()
        log_in(page, live_server.url, "K-0001")
        page.goto(live_server.url + "/pack/")
        assert step(page)["expect"] == "station"
        assert scan(page, "PACK-1")["expect"] == "order"            # the station's own barcode
        scan(page, order)
        page.wait_for_url("**/pack/cartons/*")

        # Nothing verified yet: both ways of closing (and so any label) are blocked.
        expect(page.get_by_role("button", name="Close carton")).to_be_disabled()
        expect(page.get_by_role("button", name="Carton full: close, next carton")).to_be_disabled()
        refused = scan(page, _barcode(live_server, other))
        assert refused["result"] == "refused" and "is not in order" in feedback(page)

        # Carton 1: one item, then "carton full".
        assert scan(page, _barcode(live_server, units[0]))["result"] == "ok"
        page.get_by_role("button", name="Carton full: close, next carton").click()
        expect(page.locator("#step")).to_have_attribute("data-expect", "done")
        expect(page.locator("#step")).to_contain_text(f"more item(s) of order {order}")
        first_sscc = step(page)["sscc"]
        page.locator("[data-next-carton]").click()
        page.wait_for_url("**/pack/cartons/*")

        # Carton 2: the rest, weighed by a scale that scans its reading.
        for sku in units[1:]:
            assert scan(page, _barcode(live_server, sku))["result"] == "ok", feedback(page)
        assert step(page)["expect"] == "close"
        page.get_by_role("button", name="Close carton").click()
        expect(page.locator("#step")).to_contain_text(f"Order {order} is packed")
        second_sscc = step(page)["sscc"]
        assert first_sscc != second_sscc and len(second_sscc) == 18

        # The station's printer (the browser) has the labels and the slip; the panel follows without a reload.
        expect(page.locator(f"#print-jobs tr[data-state=sent]:has-text('shipping-label:{second_sscc}')")).to_be_visible(timeout=20000)
        expect(page.locator(f"#print-jobs tr[data-state=sent]:has-text('packing-slip:{order}')")).to_be_visible(timeout=20000)

        # Ship confirm on the order's page.
        page.goto(f"{live_server.url}/pack/orders/{order}")
        page.get_by_role("button", name="Confirm shipped").click()
        expect(page.locator("#order")).to_contain_text(f"Order {order} is shipped.")
        body = live_server.api_get(f"/api/v1/orders/{order}").json()
        assert body["status"] == "shipped"
        assert [c["sscc"] for c in body["cartons"]] == [first_sscc, second_sscc]
        assert all(c["tracking"] and c["carrier"] == "manual" for c in body["cartons"])
    finally:
        context.close()
