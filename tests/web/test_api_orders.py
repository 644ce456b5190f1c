"""API v1 orders: create (allocating, idempotent), read, refuse as a whole, list page by page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from floorapp.domain.models import Carton, CartonLine, Order
from floorapp.domain.states import CartonState

ORDERS = "/api/v1/orders"


# -- arrange, through the API itself (products, a pick location, stock on hand) --------------------

def _stock(api, on_hand: dict[str, int], location: str = "A-01-01-1") -> None:
    assert api.put(f"/api/v1/locations/{location}", json={"zone": "A", "pick_sequence": 10}).status_code in (200, 201)
    for sku, qty in on_hand.items():
        assert api.put(f"/api/v1/products/{sku}", json={"name": f"Product {sku}"}).status_code in (200, 201)
        if qty:
            booked = api.post("/api/v1/receipts", json={"lines": [{"sku": sku, "location": location, "qty": qty}]})
            assert booked.status_code == 201, booked.get_json()


def _payload(external_id: str = "SHOP-1001", lines: list | None = None, **changes) -> dict:
    payload = {
        "external_id": external_id,
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "ship_to": {"name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
                    "postal_code": "SW1Y 4JH", "country": "GB"},
        "priority": "normal",
        "ship_by": "2026-12-24",
        "lines": lines if lines is not None else [{"sku": "MUG-RED", "qty": 2}],
    }
    payload.update(changes)
    return payload


def _fields(response) -> set[str]:
    return {d["field"] for d in response.get_json()["error"]["details"]}


# -- create -------------------------------------------------------------------------------------

def test_create_allocates_every_line_in_full(api):
    _stock(api, {"MUG-RED": 10, "MUG-BLUE": 10})
    response = api.post(ORDERS, json=_payload(lines=[{"sku": "MUG-RED", "qty": 2}, {"sku": "MUG-BLUE", "qty": 3}]))
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/api/v1/orders/SHOP-1001")
    order = response.get_json()
    assert order["external_id"] == "SHOP-1001"
    assert order["status"] == "allocated"
    assert order["customer"] == {"name": "Ada Lovelace", "email": "ada@example.com"}
    assert order["ship_to"]["city"] == "London" and order["ship_to"]["line2"] == ""
    assert order["priority"] == "normal" and order["ship_by"] == "2026-12-24"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", order["created_at"])
    assert order["cartons"] == []
    assert [(ln["line_no"], ln["sku"], ln["name"], ln["qty"], ln["allocated"], ln["backordered"])
            for ln in order["lines"]] == [(1, "MUG-RED", "Product MUG-RED", 2, 2, 0),
                                          (2, "MUG-BLUE", "Product MUG-BLUE", 3, 3, 0)]
    assert all(ln["picked"] == ln["packed"] == ln["shipped"] == 0 for ln in order["lines"])
    assert api.get(f"{ORDERS}/SHOP-1001").get_json() == order


def test_partial_allocation_shows_allocated_and_backordered_per_line(api):
    _stock(api, {"MUG-RED": 3, "MUG-BLUE": 0, "MUG-GREEN": 9})
    response = api.post(ORDERS, json=_payload(lines=[{"sku": "MUG-RED", "qty": 5}, {"sku": "MUG-BLUE", "qty": 2},
                                                     {"sku": "MUG-GREEN", "qty": 1}]))
    assert response.status_code == 201
    order = response.get_json()
    assert order["status"] == "partially_allocated"
    assert [(ln["sku"], ln["allocated"], ln["backordered"]) for ln in order["lines"]] == [
        ("MUG-RED", 3, 2), ("MUG-BLUE", 0, 2), ("MUG-GREEN", 1, 0)]


def test_nothing_in_stock_is_backordered(api):
    _stock(api, {"MUG-RED": 0})
    order = api.post(ORDERS, json=_payload()).get_json()
    assert order["status"] == "backordered"
    assert order["lines"][0]["backordered"] == 2


def test_the_same_order_again_is_200_with_the_first_order(api):
    _stock(api, {"MUG-RED": 10})
    first = api.post(ORDERS, json=_payload())
    again = api.post(ORDERS, json=_payload())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert len(api.get(ORDERS).get_json()["items"]) == 1
    stock = api.get("/api/v1/stock?sku=MUG-RED").get_json()["items"]
    assert [row["reserved"] for row in stock] == [2]  # reserved once, not twice


def test_a_changed_payload_under_the_same_external_id_is_409(api):
    _stock(api, {"MUG-RED": 10})
    assert api.post(ORDERS, json=_payload()).status_code == 201
    response = api.post(ORDERS, json=_payload(lines=[{"sku": "MUG-RED", "qty": 3}]))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert api.get(f"{ORDERS}/SHOP-1001").get_json()["lines"][0]["qty"] == 2


def test_a_refused_order_names_each_bad_line_and_field_and_saves_nothing(api):
    _stock(api, {"MUG-RED": 10})
    payload = _payload(lines=[{"sku": "MUG-RED", "qty": 2}, {"sku": "NO-SUCH-SKU", "qty": 1},
                              {"sku": "MUG-RED", "qty": 0}])
    del payload["ship_to"]["city"]
    response = api.post(ORDERS, json=payload)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert {"lines[1].sku", "lines[2].qty", "ship_to.city"} <= _fields(response)
    assert "lines[0].sku" not in _fields(response) and "lines[0].qty" not in _fields(response)
    assert all(d["message"] for d in error["details"])
    assert api.get(f"{ORDERS}/SHOP-1001").status_code == 404
    assert api.get(ORDERS).get_json()["items"] == []
    assert [row["reserved"] for row in api.get("/api/v1/stock").get_json()["items"]] == [0]


@pytest.mark.parametrize("change, field", [
    ({"customer": {"email": "ada@example.com"}}, "customer.name"),
    ({"priority": "yesterday"}, "priority"),
    ({"ship_by": "24/12/2026"}, "ship_by"),
    ({"lines": []}, "lines"),
    ({"external_id": ""}, "external_id"),
    ({"lines": [{"sku": "MUG-RED", "qty": "2"}]}, "lines[0].qty"),
])
def test_each_kind_of_bad_field_is_named(api, change, field):
    _stock(api, {"MUG-RED": 10})
    response = api.post(ORDERS, json=_payload(**change))
    assert response.status_code == 422
    assert field in _fields(response)


def test_the_carrier_asked_for_is_kept_trimmed_and_shown(api):
    _stock(api, {"MUG-RED": 10})
    response = api.post(ORDERS, json=_payload(carrier="  Local courier "))
    assert response.status_code == 201 and response.get_json()["carrier"] == "Local courier"
    assert api.get(f"{ORDERS}/SHOP-1001").get_json()["carrier"] == "Local courier"
    assert api.post(ORDERS, json=_payload(carrier="Local courier")).status_code == 200  # the same order again
    assert api.post(ORDERS, json=_payload(carrier="UPS")).status_code == 409  # another carrier is another order
    unnamed = api.post(ORDERS, json=_payload("SHOP-1002")).get_json()
    assert unnamed["carrier"] == "" and api.post(ORDERS, json=_payload("SHOP-1002", carrier="")).status_code == 200


def test_an_order_sent_before_carriers_existed_is_still_the_same_order(api, db_session):
    """Orders saved before the carrier field hashed their payload without it: sent again, they answer 200."""
    import hashlib
    import json

    from floorapp.domain.orders import payload_hash, validate
    _stock(api, {"MUG-RED": 10})
    normal, _ = validate(db_session, _payload())
    before = {key: value for key, value in normal.items() if key != "carrier"}  # the shape hashed back then
    assert payload_hash(normal) == hashlib.sha256(
        json.dumps(before, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert payload_hash(normal) != payload_hash({**normal, "carrier": "UPS"})


@pytest.mark.parametrize("carrier, message", [
    (42, "one line"), (["UPS"], "one line"), ("UPS\nDHL", "one line"), ("X" * 41, "longer than 40"),
])
def test_a_bad_carrier_is_refused_by_name_and_nothing_is_saved(api, carrier, message):
    _stock(api, {"MUG-RED": 10})
    response = api.post(ORDERS, json=_payload(carrier=carrier))
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert [d["field"] for d in details] == ["carrier"] and message in details[0]["message"]
    assert api.get(f"{ORDERS}/SHOP-1001").status_code == 404
    assert [row["reserved"] for row in api.get("/api/v1/stock").get_json()["items"]] == [0]
    assert api.post(ORDERS, json=_payload(carrier="X" * 40)).status_code == 201


def test_an_order_shows_its_cartons(api, db_session):
    _stock(api, {"MUG-RED": 10, "MUG-BLUE": 10})
    api.post(ORDERS, json=_payload(lines=[{"sku": "MUG-RED", "qty": 2}, {"sku": "MUG-BLUE", "qty": 1}]))
    order = db_session.scalar(select(Order).where(Order.external_id == "SHOP-1001"))
    carton = Carton(order=order, sscc="003456789012345675", box_type="S", weight_g=740, state=CartonState.SHIPPED,
                    carrier="DHL", service="express", tracking_number="JD0146000012345678",
                    lines=[CartonLine(order_line=line, qty=line.qty) for line in order.lines])
    db_session.add(carton)
    db_session.commit()
    cartons = api.get(f"{ORDERS}/SHOP-1001").get_json()["cartons"]
    assert cartons == [{"id": carton.id, "sscc": "003456789012345675", "state": "shipped", "box_type": "S",
                        "weight_g": 740, "carrier": "DHL", "service": "express",
                        "tracking_number": "JD0146000012345678", "tracking": "JD0146000012345678",
                        "lines": [{"sku": "MUG-RED", "qty": 2}, {"sku": "MUG-BLUE", "qty": 1}]}]
    assert api.get(ORDERS).get_json()["items"][0]["cartons"] == cartons


def test_an_unknown_order_is_404(api):
    response = api.get(f"{ORDERS}/NOPE-1")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# -- list -----------------------------------------------------------------------------------------

def test_pagination_walks_every_order_once(api):
    _stock(api, {"MUG-RED": 0})
    made = {f"SHOP-{n:03}" for n in range(7)}
    for external_id in sorted(made):
        assert api.post(ORDERS, json=_payload(external_id)).status_code == 201
    seen, after, pages = [], "", 0
    while True:
        body = api.get(f"{ORDERS}?limit=3&after={after}").get_json()
        seen += [order["external_id"] for order in body["items"]]
        pages += 1
        if body["next"] is None:
            break
        after = body["next"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == made


def test_an_exact_last_page_has_no_next(api):
    _stock(api, {"MUG-RED": 0})
    for n in range(2):
        api.post(ORDERS, json=_payload(f"SHOP-{n}"))
    body = api.get(f"{ORDERS}?limit=2").get_json()
    assert len(body["items"]) == 2 and body["next"] is None


def test_list_filters_by_status(api):
    _stock(api, {"MUG-RED": 2, "MUG-BLUE": 0})
    api.post(ORDERS, json=_payload("IN-STOCK"))
    api.post(ORDERS, json=_payload("WAITING", lines=[{"sku": "MUG-BLUE", "qty": 1}]))
    waiting = api.get(f"{ORDERS}?status=backordered").get_json()
    assert [o["external_id"] for o in waiting["items"]] == ["WAITING"]
    allocated = api.get(f"{ORDERS}?status=allocated").get_json()
    assert [o["external_id"] for o in allocated["items"]] == ["IN-STOCK"]


@pytest.mark.parametrize("query, fields", [
    ("status=lost", {"status"}),
    ("limit=0", {"limit"}),
    ("limit=501", {"limit"}),
    ("limit=ten", {"limit"}),
    ("after=-1", {"after"}),
    ("after=1e9", {"after"}),
    ("after=99999999999999999999999", {"after"}),
    ("status=lost&limit=0", {"status", "limit"}),
])
def test_bad_list_parameters_are_422_naming_each(api, query, fields):
    response = api.get(f"{ORDERS}?{query}")
    assert response.status_code == 422
    assert _fields(response) == fields


def test_limit_500_is_allowed(api):
    assert api.get(f"{ORDERS}?limit=500").status_code == 200


def test_a_page_costs_a_few_queries_however_many_orders_it_holds(app, api):
    _stock(api, {"MUG-RED": 100, "MUG-BLUE": 100})
    for n in range(30):
        api.post(ORDERS, json=_payload(f"SHOP-{n}", lines=[{"sku": "MUG-RED", "qty": 1}, {"sku": "MUG-BLUE", "qty": 1}]))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = app.extensions["floorapp.engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(api.get(f"{ORDERS}?limit=30").get_json()["items"]) == 30
        assert len(api.get("/api/v1/stock").get_json()["items"]) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 12, statements  # token checks, the pages, eager loads: no query per order
