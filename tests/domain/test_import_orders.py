"""Order files are checked as a whole: every bad row named by row, column and reason; nothing imported
unless every row is good, or the good rows on request (an order is never imported in part)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from floorapp.domain import events, receiving
from floorapp.domain.importing import check, import_orders, read_file
from floorapp.domain.models import Allocation, Order, Stock
from floorapp.domain.stock import ledger_mismatches
from tests.factories import place_order, warehouse

HEADER = ("external_id,customer_name,customer_email,ship_to_name,ship_to_line1,ship_to_line2,ship_to_city,"
          "ship_to_region,ship_to_postal_code,ship_to_country,priority,ship_by,sku,qty\n")


def row(order: str, sku: str, qty: str, *, city: str = "Köln", country: str = "DE", email: str = "a@example.com",
        ship_by: str = "") -> str:
    return f"{order},Ada Lovelace,{email},Ada Lovelace,Heidestraße 17,,{city},,51147,{country},normal,{ship_by},{sku},{qty}\n"


BAD_FILE = HEADER + "".join([
    row("CSV-1", "MUG-350", "2"),                 # row 2  good
    row("CSV-1", "GLOVE-L", "1"),                 # row 3  good
    row("CSV-2", "NOPE-1", "1"),                  # row 4  unknown SKU
    row("CSV-3", "MUG-350", "0"),                 # row 5  qty 0
    row("CSV-3", "UMB-RED", "1"),                 # row 6  good row of a bad order
    row("CSV-4", "UMB-RED", "two"),               # row 7  qty not a number
    row("CSV-5", "UMB-RED", "1", city=""),        # row 8  missing city
    row("CSV-6", "UMB-RED", "1", country="Germany"),  # row 9 bad country
    row("CSV-7", "GLOVE-L", "1", email="not-mail"),   # row 10 bad email
    row("CSV-8", "UMB-RED", "1", ship_by="31/12/2026"),  # row 11 bad date
    row("CSV-9", "UMB-RED", "3"),                 # row 12 good
])


def _counts(session):
    return (session.scalar(select(func.count()).select_from(Order)),
            session.scalar(select(func.count()).select_from(Allocation)),
            sorted((s.id, s.on_hand, s.reserved) for s in session.scalars(select(Stock))))


def test_every_bad_row_is_reported_with_row_column_and_reason_and_nothing_is_imported(session):
    warehouse(session)
    before = _counts(session)
    entries, rows = read_file("orders.csv", BAD_FILE)
    result = check(session, entries, rows)
    found = {(p.row, p.column): p.reason for p in result.problems}
    assert rows == 11
    assert found == {
        (4, "sku"): "Unknown SKU NOPE-1.",
        (5, "qty"): "Quantity must be a whole number from 1 to 1000000.",
        (7, "qty"): "Quantity must be a whole number from 1 to 1000000.",
        (8, "ship_to_city"): "ship_to.city is required.",
        (9, "ship_to_country"): "ship_to.country is a two-letter country code, like US or DE.",
        (10, "customer_email"): "customer.email is not an email address.",
        (11, "ship_by"): "ship_by is a date like 2026-12-24.",
    }
    # The caller imports nothing while there are problems: the database is as before.
    session.rollback()
    assert _counts(session) == before
    assert result.skipped_rows == [4, 5, 6, 7, 8, 9, 10, 11]


def test_import_the_good_rows_imports_exactly_the_orders_whose_rows_are_all_good(session):
    warehouse(session)
    entries, rows = read_file("orders.csv", BAD_FILE)
    result = check(session, entries, rows)
    report = import_orders(session, result.entries)
    session.commit()
    assert sorted(report.created) == ["CSV-1", "CSV-9"]
    imported = {o.external_id: o for o in session.scalars(select(Order))}
    assert sorted(imported) == ["CSV-1", "CSV-9"]
    assert [(line.product.sku, line.qty) for line in imported["CSV-1"].lines] == [("MUG-350", 2), ("GLOVE-L", 1)]
    assert imported["CSV-1"].status.value == "allocated" and imported["CSV-9"].status.value == "allocated"
    assert ledger_mismatches(session) == []


def test_rows_of_one_order_must_agree_and_existing_orders_are_respected(session):
    warehouse(session)
    place_order(session, "SO-OLD", [("MUG-350", 1)])
    session.commit()
    text = HEADER + row("CSV-A", "MUG-350", "1") + row("CSV-A", "GLOVE-L", "1", city="Bonn") \
        + row("SO-OLD", "UMB-RED", "5")
    result = check(session, *read_file("o.csv", text))
    assert [(p.row, p.column) for p in result.problems] == [(3, "ship_to_city"), (4, "external_id")]
    assert "differs from row 2" in result.problems[0].reason
    assert "already exists with different contents" in result.problems[1].reason


def test_the_carrier_column_is_imported_checked_like_the_api_and_kept_on_re_import(session):
    warehouse(session)
    header = HEADER.replace("ship_by,sku", "ship_by,carrier,sku")

    def with_carrier(order: str, sku: str, carrier: str) -> str:
        return row(order, sku, "1").replace(f",,{sku},", f",,{carrier},{sku},")

    good = header + with_carrier("CSV-U", "MUG-350", " UPS ") + with_carrier("CSV-U", "GLOVE-L", "") \
        + with_carrier("CSV-N", "MUG-350", "")
    result = check(session, *read_file("o.csv", good))
    assert result.problems == []
    assert import_orders(session, result.entries).created == ["CSV-U", "CSV-N"]
    session.commit()
    assert {o.external_id: o.carrier for o in session.scalars(select(Order))} == {"CSV-U": "UPS", "CSV-N": ""}
    again = check(session, *read_file("o.csv", good))  # the same file again: nothing new, nothing refused
    assert again.problems == [] and import_orders(session, again.entries).unchanged == ["CSV-U", "CSV-N"]
    old_file = check(session, *read_file("o.csv", HEADER + row("CSV-N", "MUG-350", "1")))  # no carrier column
    assert old_file.problems == [] and [e.existing for e in old_file.entries] == [True]
    bad = header + with_carrier("CSV-X", "MUG-350", "UPS") + with_carrier("CSV-X", "GLOVE-L", "DHL") \
        + with_carrier("CSV-Y", "MUG-350", "X" * 41) + with_carrier("CSV-U", "MUG-350", "DHL")
    problems = [(p.row, p.column, p.reason) for p in check(session, *read_file("o.csv", bad)).problems]
    assert [(r, c) for r, c, _ in problems] == [(3, "carrier"), (4, "carrier"), (5, "external_id")]
    assert "differs from row 2" in problems[0][2] and "longer than 40" in problems[1][2]
    as_json = [{"external_id": "J-C", "customer": {"name": "Ada"}, "carrier": 7, "ship_to": {
        "name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"},
        "lines": [{"sku": "MUG-350", "qty": 1}]}]
    assert [p.describe() for p in check(session, *read_file("o.json", json.dumps(as_json))).problems] == [
        "order 1: carrier: carrier is a carrier's name on one line, like UPS (or leave it out for any carrier)."]


def test_allocation_in_bulk_matches_the_api_fefo_and_backorders(session):
    """Imported orders reserve stock exactly as orders.allocate would: first expiry first, then backorder."""
    wh = warehouse(session)
    orders = [{"external_id": f"J-{i}", "customer": {"name": "Ada", "email": "ada@example.com"},
               "ship_to": {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701",
                           "country": "US"}, "lines": [{"sku": "VITC-60", "qty": 3}, {"sku": "GLOVE-L", "qty": 2}]}
              for i in range(1, 5)]
    result = check(session, *read_file("orders.json", json.dumps({"orders": orders})))
    assert result.problems == []
    events.take(session)
    report = import_orders(session, result.entries, batch_orders=2)
    session.commit()
    assert report.created == ["J-1", "J-2", "J-3", "J-4"]
    by_id = {o.external_id: o for o in session.scalars(select(Order))}
    # 10 VITC-60 (4 expiring soon at B-01-01-1 first, then 6) and 5 GLOVE-L: J-1..J-3 get vitamins, J-4 waits.
    soon = [a for a in session.scalars(select(Allocation)) if a.stock.lot == "L-SOON"]
    assert sum(a.qty for a in soon) == 4 and soon[0].order_line.order.external_id == "J-1"
    assert [by_id[k].status.value for k in ("J-1", "J-2", "J-3", "J-4")] == [
        "allocated", "allocated", "partially_allocated", "partially_allocated"]
    assert by_id["J-4"].lines[0].backordered == 2 and by_id["J-4"].lines[1].backordered == 2
    stock = {(s.location.code, s.lot): (s.on_hand, s.reserved) for s in session.scalars(select(Stock))}
    assert stock[("B-01-01-1", "L-SOON")] == (4, 4) and stock[("A-01-02-1", "")] == (5, 5)
    names = [name for name, *_ in events.take(session)]
    assert names.count("order.allocated") == 2 and names.count("order.backordered") == 2
    assert wh.products["VITC-60"].id  # the warehouse is the factories' one


def test_json_problems_name_the_order_and_field(session):
    warehouse(session)
    bad = [{"external_id": "J-1", "customer": {"name": "Ada"}, "ship_to": {}, "lines": [{"sku": "MUG-350", "qty": 1}]},
           "not an order"]
    result = check(session, *read_file("orders.json", json.dumps(bad)))
    described = [p.describe() for p in result.problems]
    assert "order 1: ship_to.city: ship_to.city is required." in described
    assert "order 2: order: expected an object" in described


@pytest.mark.parametrize("text, message", [("sku,qty\nA,1\n", "lacks columns: external_id"),
                                           ("{not json", "not valid JSON")])
def test_a_file_that_cannot_be_read_as_a_whole_is_refused(session, text, message):
    from floorapp.domain.errors import ValidationFailed
    with pytest.raises(ValidationFailed, match=message):
        read_file("x.csv" if text.startswith("sku") else "x.json", text)


def test_imported_orders_tell_subscribers_and_customers_like_api_orders(session):
    from floorapp.domain import webhooks
    from floorapp.domain.models import OutboxMessage
    warehouse(session)
    hook = webhooks.subscribe(session, "http://erp.invalid/hook", ["order.allocated"])
    session.commit()
    text = HEADER + row("IMP-1", "MUG-350", "1") + row("IMP-2", "THERMO-1L", "1", email="wait@example.com")
    result = check(session, *read_file("o.csv", text))
    import_orders(session, result.entries)
    session.commit()
    rows = [(r.event, r.channel, r.recipient, r.payload["data"]["order"])
            for r in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert rows == [("order.allocated", "webhook", hook.url, "IMP-1"),
                    ("order.backordered", "email", "wait@example.com", "IMP-2")]


def test_an_imported_order_never_reserves_an_expired_lot(session):
    wh = warehouse(session)
    receiving.receive(session, {"lines": [{"sku": "VITC-60", "location": "A-02-02-1", "qty": 5, "lot": "L-OLD",
                                           "expiry": (wh.today - dt.timedelta(days=1)).isoformat()}]})
    result = check(session, *read_file("o.csv", HEADER + row("CSV-X", "VITC-60", "12")))
    import_orders(session, result.entries)
    session.commit()
    taken = sorted((a.stock.lot, a.qty) for a in session.scalars(select(Allocation)))
    assert taken == [("L-LATE", 6), ("L-SOON", 4)]
    assert session.scalar(select(Order)).lines[0].backordered == 2
