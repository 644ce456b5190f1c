"""Expected receipts, counts and returns through API v1, and the handheld receiving against an expected receipt."""
from __future__ import annotations

from sqlalchemy import select

from floorapp.domain import inbound
from floorapp.domain.models import User
from floorapp.domain.stock import ledger_mismatches
from tests.flows_data import flows_warehouse, shipped_order


def test_an_expected_receipt_is_announced_received_on_the_handheld_and_read_back(api, db_session):
    w = flows_warehouse(db_session)
    body = {"reference": "ASN-55", "supplier": "Acme", "lines": [{"sku": "GLOVE-L", "qty": 2}]}
    created = api.post("/api/v1/receipts/expected", json=body)
    assert created.status_code == 201 and created.get_json()["status"] == "open"
    assert api.post("/api/v1/receipts/expected", json=body).status_code == 200
    conflict = api.post("/api/v1/receipts/expected", json={**body, "lines": [{"sku": "GLOVE-L", "qty": 3}]})
    assert conflict.status_code == 409
    bad = api.post("/api/v1/receipts/expected", json={"reference": "X", "lines": [{"sku": "NOPE", "qty": 1}]})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "lines[0].sku"

    picker = db_session.scalar(select(User).where(User.badge == "P-0001"))
    task, _ = inbound.start(db_session, picker, "ASN-55")
    inbound.scan(db_session, task, picker, w.barcode["GLOVE-L"])
    inbound.scan(db_session, task, picker, "2")
    inbound.scan(db_session, task, picker, task.proposed.code)
    db_session.commit()
    receipt = api.get("/api/v1/receipts/ASN-55").get_json()
    assert receipt["status"] == "done" and receipt["lines"][0]["received"] == 2
    listing = api.get("/api/v1/receipts?status=done").get_json()
    assert [r["reference"] for r in listing["items"]] == ["ASN-55"]
    assert api.get("/api/v1/receipts/NOPE").status_code == 404
    assert ledger_mismatches(db_session) == []


def test_counts_are_asked_for_and_stay_blind_until_counted(api, db_session):
    flows_warehouse(db_session)
    made = api.post("/api/v1/counts", json={"zone": "A"})
    assert made.status_code == 201
    codes = [c["location"] for c in made.get_json()["items"]]
    assert codes == ["A-01-01-1", "A-01-02-1", "A-02-01-1", "A-02-02-1"]
    assert all(c["lines"] == [] for c in made.get_json()["items"])
    again = api.post("/api/v1/counts", json={"location": "A-01-01-1"}).get_json()["items"][0]
    assert again["id"] == made.get_json()["items"][0]["id"]  # an open count is not asked for twice
    assert api.post("/api/v1/counts", json={}).status_code == 422
    assert len(api.get("/api/v1/counts?state=open").get_json()["items"]) == 4
    assert api.get("/api/v1/counts/9999").status_code == 404


def test_the_order_json_shows_what_came_back(api, db_session):
    from floorapp.domain import returns
    w = flows_warehouse(db_session)
    order = shipped_order(db_session, w)
    task, _ = returns.start(db_session, w.packer, order.external_id)
    for code in (w.barcode["GLOVE-L"], "defective", "quarantine", "QUA-01", "DONE"):
        assert returns.scan(db_session, task, w.packer, code).ok, code
    db_session.commit()
    body = api.get(f"/api/v1/orders/{order.external_id}").get_json()
    assert body["status"] == "returned"
    assert [(r["sku"], r["qty"], r["reason"], r["disposition"], r["location"]) for r in body["returns"]] == [
        ("GLOVE-L", 1, "defective", "quarantine", "QUA-01")]
    assert api.get(f"/api/v1/orders/{order.external_id}/returns").get_json()["returns"] == body["returns"]
    assert ledger_mismatches(db_session) == []


def test_pick_faces_and_reorder_points_are_set_through_the_api(api, db_session):
    from floorapp.domain.models import ReplenishmentTask
    flows_warehouse(db_session)
    made = api.put("/api/v1/pick-faces/A-01-02-1/GLOVE-L", json={"capacity": 20, "min": 6, "max": 15})
    assert made.status_code == 201 and made.get_json() == {"location": "A-01-02-1", "sku": "GLOVE-L",
                                                           "capacity": 20, "min": 6, "max": 15}
    bad = api.put("/api/v1/pick-faces/A-01-02-1/GLOVE-L", json={"capacity": 5, "min": 6, "max": 15})
    assert bad.status_code == 422
    assert api.put("/api/v1/pick-faces/NOPE/GLOVE-L", json={"capacity": 5, "min": 1, "max": 2}).status_code == 404
    assert api.put("/api/v1/pick-faces/A-01-01-1/MUG-350", json={"capacity": 40, "min": 12, "max": 30}).status_code \
        == 200  # changed; now 10 < min 12: a task from bulk
    db_session.expire_all()
    task = db_session.scalar(select(ReplenishmentTask))
    assert task is not None and task.qty == 20 and task.from_location.code == "BULK-01-01"
    low = api.put("/api/v1/reorder-points/GLOVE-L", json={"reorder_point": 10}).get_json()
    assert low == {"sku": "GLOVE-L", "reorder_point": 10, "low": True}
    assert api.put("/api/v1/reorder-points/GLOVE-L", json={"reorder_point": -1}).status_code == 422
