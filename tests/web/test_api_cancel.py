"""POST /api/v1/orders/<id>/cancel and /lines: what a shop or ERP sees."""
from __future__ import annotations

from sqlalchemy import select

from floorapp.domain.models import FloorException, Stock
from floorapp.domain.stock import ledger_mismatches
from tests.factories import order_payload, pick_order, place_order, warehouse


def _reserved(db_session) -> int:
    db_session.rollback()
    return sum(s.reserved for s in db_session.scalars(select(Stock)))


def test_cancel_before_picking_frees_the_stock(api, db_session):
    warehouse(db_session)
    assert api.post("/api/v1/orders", json=order_payload("SO-API", [("MUG-350", 4)])).status_code == 201
    assert _reserved(db_session) == 4
    response = api.post("/api/v1/orders/SO-API/cancel", json={"reason": "customer called"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["order"]["status"] == "cancelled" and body["freed"] == 4
    assert body["put_back"] == [] and body["exception"] is None and body["already_cancelled"] is False
    assert _reserved(db_session) == 0 and ledger_mismatches(db_session) == []
    again = api.post("/api/v1/orders/SO-API/cancel")  # no body at all is fine
    assert again.status_code == 200 and again.get_json()["already_cancelled"] is True


def test_cancel_after_picking_answers_with_what_goes_back(api, db_session):
    wh = warehouse(db_session)
    pick_order(db_session, place_order(db_session, "SO-PK", [("GLOVE-L", 2)]), wh.picker, tote="T-0002")
    db_session.commit()
    body = api.post("/api/v1/orders/SO-PK/cancel").get_json()
    assert body["order"]["status"] == "cancelled"
    assert body["put_back"] == [{"sku": "GLOVE-L", "qty": 2, "packed": 0, "totes": ["T-0002"]}]
    db_session.rollback()
    exception = db_session.get(FloorException, body["exception"])
    assert exception.kind.value == "order_cancelled" and "2 x GLOVE-L in tote T-0002" in exception.note


def test_cancel_errors(api, db_session):
    warehouse(db_session)
    api.post("/api/v1/orders", json=order_payload("SO-E"))
    assert api.post("/api/v1/orders/NOPE/cancel").status_code == 404
    bad = api.post("/api/v1/orders/SO-E/cancel", json={"reason": 7})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "reason"
    assert api.post("/api/v1/orders/SO-E/cancel", data="{oops", content_type="application/json").status_code == 400
    assert api.post("/api/v1/orders/SO-E/cancel", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_lines_change_until_release(api, db_session):
    warehouse(db_session)
    api.post("/api/v1/orders", json=order_payload("SO-CH", [("MUG-350", 1)]))
    changed = api.post("/api/v1/orders/SO-CH/lines", json={"lines": [{"sku": "MUG-350", "qty": 3},
                                                                     {"sku": "UMB-RED", "qty": 2}]})
    assert changed.status_code == 200 and changed.get_json()["changed"] is True
    lines = changed.get_json()["order"]["lines"]
    assert [(line["sku"], line["qty"], line["allocated"]) for line in lines] == [("MUG-350", 3, 3), ("UMB-RED", 2, 2)]
    assert _reserved(db_session) == 5
    refused = api.post("/api/v1/orders/SO-CH/lines", json={"lines": [{"sku": "NOPE", "qty": 1}]})
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "lines[0].sku"
    assert _reserved(db_session) == 5  # nothing half-changed
    # the changed order is what the shop now has: sending the old payload again is a conflict
    assert api.post("/api/v1/orders", json=order_payload("SO-CH", [("MUG-350", 1)])).status_code == 409
    from floorapp.domain.models import Order
    from tests.factories import release
    release(db_session, db_session.scalar(select(Order).where(Order.external_id == "SO-CH")))
    db_session.commit()
    late = api.post("/api/v1/orders/SO-CH/lines", json={"lines": [{"sku": "MUG-350", "qty": 1}]})
    assert late.status_code == 409 and "released" in late.get_json()["error"]["message"]
