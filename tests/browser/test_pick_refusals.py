"""What a picker must trust on the demo: wrong scans refused with the right sentence, GS1 lots and expiry read,
and a short pick that re-routes to other stock and backorders the rest."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from .floor import feedback, log_in, scan, step
from .picking import (
    barcode,
    free_tote,
    get_work,
    gtin,
    hand_out_next,
    order_status,
    order_task,
    walk,
)


def test_a_gs1_datamatrix_with_lot_and_expiry_is_accepted_and_an_expired_lot_refused(live_server, phone):
    hand_out_next(live_server, order_task(live_server, "SO-1051"))
    sku, lot, location = live_server.query(
        "SELECT p.sku, l.lot, loc.code FROM pick_task_lines l JOIN products p ON p.id = l.product_id "
        "JOIN locations loc ON loc.id = l.location_id JOIN order_lines ol ON ol.id = l.order_line_id "
        "JOIN orders o ON o.id = ol.order_id WHERE o.external_id = 'SO-1051'")[0]
    expired_lot, expired_on = live_server.query(
        "SELECT s.lot, s.expiry FROM stock s JOIN products p ON p.id = s.product_id WHERE p.sku = :s AND s.lot = :l",
        s=sku, l="X" + lot)[0]
    good_expiry = live_server.query("SELECT s.expiry FROM stock s JOIN products p ON p.id = s.product_id "
                                    "WHERE p.sku = :s AND s.lot = :l", s=sku, l=lot)[0][0]
    gtin14 = gtin(live_server, sku).zfill(14)
    as_date = (lambda d: d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10]))
    page = phone.new_page()
    log_in(page, live_server.url, "P-0001")
    assert get_work(page)["code"] == location
    scan(page, location)

    # the expired lot lying in the same bin: a DataMatrix with the ]d2 symbology id, lot, GS, expiry
    expired = scan(page, f"]d201{gtin14}10{expired_lot}\x1d17{as_date(expired_on):%y%m%d}")
    assert (expired["result"], expired["expect"]) == ("refused", "product")
    assert feedback(page) == f"Lot {expired_lot} expired on {as_date(expired_on).isoformat()}; take another lot."

    accepted = scan(page, f"]d201{gtin14}17{as_date(good_expiry):%y%m%d}10{lot}")
    assert (accepted["result"], accepted["expect"]) == ("ok", "tote"), feedback(page)
    done = scan(page, free_tote(live_server))
    assert done["expect"] == "done"
    assert order_status(live_server, "SO-1051")["status"] == "picked"


def test_a_short_pick_re_routes_to_other_stock_and_backorders_the_rest(live_server, phone):
    hand_out_next(live_server, order_task(live_server, "SO-1052"))
    page = phone.new_page()
    log_in(page, live_server.url, "P-0002")
    first = get_work(page)
    at_product = scan(page, first["code"])
    sku = at_product["code"]
    elsewhere = live_server.query("SELECT loc.code FROM stock s JOIN products p ON p.id = s.product_id "
                                  "JOIN locations loc ON loc.id = s.location_id WHERE p.sku = :s AND loc.code != :c",
                                  s=sku, c=first["code"])[0][0]

    page.get_by_text("Can't pick").click()
    page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
    page.get_by_role("button", name="Location empty").click()
    page.wait_for_function("() => !document.getElementById('step').dataset.stale")
    rerouted = step(page)
    assert (rerouted["result"], rerouted["expect"], rerouted["code"]) == ("ok", "location", elsewhere)
    assert feedback(page) == (f"Short 3 x {sku} at {first['code']} (location empty). 1 more at {elsewhere} added "
                              f"to your route. 2 backordered. Go to {elsewhere} and scan the location.")

    assert walk(page, live_server)["expect"] == "done"
    expect(page.locator("#step table.summary")).to_contain_text(first["code"])
    body = order_status(live_server, "SO-1052")
    assert body["status"] == "picked"
    assert [(line["picked"], line["backordered"]) for line in body["lines"]] == [(1, 2)]
    assert live_server.query("SELECT count(*) FROM cycle_counts c JOIN locations l ON l.id = c.location_id "
                             "WHERE l.code = :c", c=first["code"])[0][0] == 1


def test_wrong_location_product_and_tote_are_refused_with_the_right_sentence(live_server, phone):
    # runs last in this module: the orders picked above hold their totes, so one can be scanned by mistake
    hand_out_next(live_server, order_task(live_server, "SO-1002"))
    page = phone.new_page()
    log_in(page, live_server.url, "P-0001")
    first = get_work(page)
    other_location = live_server.query("SELECT code FROM locations WHERE kind = 'pick' AND code != :c "
                                       "ORDER BY code LIMIT 1", c=first["code"])[0][0]
    assert scan(page, other_location)["result"] == "refused"
    assert feedback(page) == f"Wrong location: this is {other_location}. Go to {first['code']}."
    at_product = scan(page, first["code"])
    sku = at_product["code"]
    name = live_server.query("SELECT name FROM products WHERE sku = :s", s=sku)[0][0]
    other_sku, other_name = live_server.query("SELECT sku, name FROM products WHERE sku != :s AND id IN "
                                              "(SELECT product_id FROM barcodes) ORDER BY sku LIMIT 1", s=sku)[0]
    wrong = scan(page, barcode(live_server, other_sku))
    assert (wrong["result"], wrong["expect"]) == ("refused", "product")
    assert feedback(page) == f"Wrong item: this is {other_sku} {other_name}. Scan {sku} {name}."
    assert scan(page, "4006381999996")["result"] == "refused"
    assert feedback(page) == f"Barcode 4006381999996 not found. Scan the barcode on the item: {sku} {name}."

    current = scan(page, barcode(live_server, sku))
    if current["expect"] == "qty":
        current = scan(page, page.locator("#step .instruction").inner_text().split(" of ")[1])
    busy_tote, holder = live_server.query("SELECT t.code, o.external_id FROM totes t JOIN orders o ON o.id = t.order_id "
                                          "ORDER BY t.code LIMIT 1")[0]
    assert scan(page, busy_tote)["result"] == "refused"
    assert feedback(page) == f"Tote {busy_tote} already holds order {holder}. Take an empty tote."
    assert walk(page, live_server)["expect"] == "done"
