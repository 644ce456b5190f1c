"""Each picking strategy end to end on the demo, on a 360x640 handheld: piece, batch (cart), zone + sorting."""
from __future__ import annotations

from playwright.sync_api import expect

from .floor import feedback, log_in, scan, step
from .picking import barcode, free_tote, get_work, hand_out_next, order_status, walk


def _orders_of_wave(server, strategy: str) -> list[str]:
    return [row[0] for row in server.query(
        "SELECT DISTINCT o.external_id FROM orders o JOIN order_lines ol ON ol.order_id = o.id "
        "JOIN pick_task_lines l ON l.order_line_id = ol.id JOIN pick_tasks t ON t.id = l.task_id "
        "JOIN waves w ON w.id = t.wave_id WHERE w.strategy = :s ORDER BY o.external_id", s=strategy)]


def test_piece_picking_with_a_skip_and_the_next_location_previewed(live_server, phone):
    hand_out_next(live_server, "order_id = (SELECT id FROM orders WHERE external_id = 'SO-1005')")
    page = phone.new_page()
    log_in(page, live_server.url, "P-0001")
    first = get_work(page)
    assert (first["expect"], first["order"]) == ("location", "SO-1005")
    expect(page.locator("#step .next")).to_contain_text("Next: ")
    expect(page.locator("input[name=scan]")).to_be_focused()

    page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
    page.get_by_role("button", name="Skip, come back later").click()
    page.wait_for_function("() => !document.getElementById('step').dataset.stale")
    skipped = step(page)
    assert skipped["code"] != first["code"] and skipped["result"] == "ok"
    assert feedback(page).startswith(f"Skipped {first['code']}; it comes back at the end.")

    done = walk(page, live_server, keypad=True)
    assert done["expect"] == "done"
    expect(page.locator("#step table.summary tbody tr")).to_have_count(4)
    assert order_status(live_server, "SO-1005")["status"] == "picked"


def test_batch_picking_loads_a_cart_and_tells_each_unit_its_tote(live_server, phone):
    orders = _orders_of_wave(live_server, "batch")
    assert len(orders) == 3
    hand_out_next(live_server, "wave_id = (SELECT id FROM waves WHERE strategy = 'batch')")
    page = phone.new_page()
    log_in(page, live_server.url, "P-0002")
    cart = get_work(page)
    assert (cart["step"], cart["expect"]) == ("cart", "tote")
    expect(page.locator("#step")).to_contain_text(f"for order {cart['order']}")
    totes = []
    for n in range(3):
        totes.append(free_tote(live_server))
        loaded = scan(page, totes[-1])
        assert loaded["result"] == "ok", feedback(page)
    assert loaded["expect"] == "location"

    # at the first tote step, another order's tote on the cart is refused, naming both
    current = walk(page, live_server, until="tote")
    wrong = next(t for t in totes if t != current["code"])
    refused = scan(page, wrong)
    assert refused["result"] == "refused" and refused["expect"] == "tote"
    assert feedback(page).startswith(f"Wrong tote: {wrong} is for order ")
    assert feedback(page).endswith(f"into tote {current['code']}.")

    assert walk(page, live_server)["expect"] == "done"
    expect(page.locator("#step .instruction")).to_contain_text("to packing")
    assert {order_status(live_server, o)["status"] for o in orders} == {"picked"}


def test_zone_picking_then_sorting_into_order_totes(live_server, phone):
    orders = _orders_of_wave(live_server, "zone")
    tasks = hand_out_next(live_server, "wave_id = (SELECT id FROM waves WHERE strategy = 'zone')")
    page = phone.new_page()
    log_in(page, live_server.url, "P-0001")
    zone_totes = []
    for _ in tasks:
        get_work(page)
        done = walk(page, live_server)
        expect(page.locator("#step .instruction")).to_contain_text("to sorting")
        zone_totes += done["code"].split()
        assert {order_status(live_server, o)["status"] for o in orders} <= {"released", "picking"}

    page.goto(live_server.url + "/sort/")
    assert step(page)["expect"] == "tote"
    for zone_tote in zone_totes:
        assert scan(page, zone_tote)["expect"] == "product", feedback(page)
        items = live_server.query(
            "SELECT p.sku, l.picked - l.sorted FROM pick_task_lines l JOIN products p ON p.id = l.product_id "
            "JOIN totes t ON t.id = l.tote_id WHERE t.code = :t ORDER BY l.id", t=zone_tote)
        for sku, units in items:
            for _ in range(units):
                put = scan(page, barcode(live_server, sku))
                assert (put["result"], put["expect"]) == ("ok", "sort"), feedback(page)
                if put["code"]:  # the order already has its tote: a wrong one is refused first
                    other = free_tote(live_server)
                    assert scan(page, other)["result"] == "refused"
                    assert feedback(page).startswith(f"Wrong tote: {other} is not for order {put['order']}.")
                assert scan(page, put["code"] or free_tote(live_server))["result"] == "ok", feedback(page)
        assert step(page)["expect"] == "tote"
    assert {order_status(live_server, o)["status"] for o in orders} == {"sorted"}
