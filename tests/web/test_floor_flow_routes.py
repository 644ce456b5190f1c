"""Receiving, returns, counts and replenishment over HTTP: fragments carry the automation contract,
wrong scans are refused with one sentence, replays change nothing twice, and the ledger stays true."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from floorapp.domain import counting, replenishment
from floorapp.domain.models import CycleCount, Location, Scan, StockMove
from floorapp.domain.states import CountSource, CountState, MoveReason
from floorapp.domain.stock import ledger_mismatches
from tests.flows_data import flows_warehouse, shipped_order

from .floor_data import log_in

HX = {"HX-Request": "true"}


def _step(response) -> dict[str, str]:
    tag = re.search(r'<section id="step"([^>]*)>', response.text).group(1)
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', tag))


def _feedback(response) -> str:
    found = re.search(r'class="feedback[^>]*>([^<]*)', response.text)
    return found.group(1) if found else ""


def _fresh(session) -> None:
    """See what the server committed: end the read snapshot and forget loaded rows (expire_on_commit is off)."""
    session.rollback()
    session.expire_all()


@pytest.fixture
def w(db_session):
    return flows_warehouse(db_session)


def _post(client, url, scan, scan_id):
    return client.post(url, data={"scan": scan, "scan_id": scan_id}, headers=HX)


def test_blind_receiving_with_put_away_over_http(client, w, db_session):
    log_in(client, "P-0001")
    assert _step(client.get("/receive/"))["expect"] == "receipt"
    started = client.post("/receive/start", data={"blind": "1", "scan_id": "r0"}, headers=HX)
    task_url = started.headers["HX-Redirect"]
    page = client.get(task_url)
    assert 'name="scan"' in page.text and _step(page)["expect"] == "product"
    scan_url = task_url + "/scan"
    assert _step(_post(client, scan_url, w.barcode["MUG-350"], "r1"))["expect"] == "qty"
    located = _post(client, scan_url, "7", "r2")
    assert _step(located) == {**_step(located), "expect": "location", "code": "A-01-01-1", "result": "ok"}
    wrong = _post(client, scan_url, "PACK-01", "r3")
    assert wrong.status_code == 422
    assert _feedback(wrong) == "PACK-01 is a pack location, not storage. Put away at A-01-01-1."
    done = _post(client, scan_url, "A-01-01-1", "r4")
    again = _post(client, scan_url, "A-01-01-1", "r4")  # a replay: the first answer, nothing moved twice
    assert _feedback(again) == _feedback(done) and _step(done)["expect"] == "product"
    _fresh(db_session)
    assert db_session.scalar(select(func.count()).select_from(StockMove).where(
        StockMove.reason == MoveReason.PUTAWAY)) == 1
    assert db_session.scalar(select(func.count()).select_from(Scan).where(Scan.client_id == "r4")) == 1
    assert ledger_mismatches(db_session) == []


def test_a_return_with_restock_quarantine_and_scrap_over_http(client, w, db_session):
    order = shipped_order(db_session, w, lines=(("MUG-350", 3),))
    db_session.commit()
    log_in(client, "K-0001")
    refused = _post(client, "/returns/start", "SO-NOPE", "x0")
    assert refused.status_code == 422 and _feedback(refused).startswith("SO-NOPE is not an order.")
    started = _post(client, "/returns/start", f"https://shop.example.com/returns/{order.external_id}", "x1")
    scan_url = started.headers["HX-Redirect"] + "/scan"
    ids = iter(range(100))

    def scan(code):
        return _post(client, scan_url, code, f"x-{next(ids)}")

    wrong = scan(w.barcode["GLOVE-L"])
    assert _feedback(wrong) == ("GLOVE-L Nitrile Gloves L (100) was not shipped in order SO-RET-1. "
                                "Put it aside for your supervisor.")
    for disposition, location in (("restock", "A-01-01-1"), ("quarantine", "QUA-01"), ("scrap", None)):
        assert _step(scan(w.barcode["MUG-350"]))["expect"] == "reason"
        assert _step(scan("damaged" if disposition != "restock" else "not_wanted"))["expect"] == "disposition"
        answer = scan(disposition)
        if location:
            assert _step(answer)["expect"] == "location" and _step(answer)["code"] == location
            answer = scan(location)
        assert _step(answer)["expect"] == "item", _feedback(answer)
    assert _feedback(scan(w.barcode["MUG-350"])).startswith("All 3 x MUG-350 of order SO-RET-1 are already back.")
    assert _step(scan("DONE"))["expect"] == "done"
    history = client.get(f"/returns/orders/{order.external_id}")
    assert "quarantine" in history.text and "scrap" in history.text and "restock" in history.text
    _fresh(db_session)
    reasons = db_session.scalars(select(StockMove.reason).where(StockMove.reference.like("return %"))).all()
    assert sorted(r.value for r in reasons) == ["return", "return", "return", "scrap"]
    assert ledger_mismatches(db_session) == []


def test_a_blind_count_with_a_variance_waits_for_the_supervisor(client, w, db_session, app):
    counting.request_count(db_session, w.locations["A-01-02-1"], CountSource.SUPERVISOR, "test")
    db_session.commit()
    log_in(client, "P-0001")
    task_url = client.post("/count/next").location
    page = client.get(task_url)
    assert _step(page)["expect"] == "location" and ">5<" not in page.text  # blind: the expected 5 is not shown
    scan_url = task_url + "/scan"
    wrong = _post(client, scan_url, "A-01-01-1", "c1")
    assert _feedback(wrong) == "Wrong location: this is A-01-01-1. Go to A-01-02-1."
    assert _step(_post(client, scan_url, "A-01-02-1", "c2"))["expect"] == "item"
    assert _feedback(_post(client, scan_url, "3", "c3")) == "Scan an item first, then type how many of it there are."
    _post(client, scan_url, w.barcode["GLOVE-L"], "c4")
    _post(client, scan_url, "3", "c5")
    done = _post(client, scan_url, "DONE", "c6")
    assert _step(done)["expect"] == "done" and _step(done)["state"] == "awaiting_approval"
    client.post("/logout")
    log_in(client, "S-0001")
    board = client.get("/count/supervisor")
    assert "counted 3, expected 5 (-2)" in board.text
    count_id = db_session.scalar(select(CycleCount.id).where(CycleCount.state == CountState.AWAITING_APPROVAL))
    assert client.post(f"/count/{count_id}/approve", headers=HX).status_code == 200
    _fresh(db_session)
    count_moves = select(func.count()).select_from(StockMove).where(StockMove.reason == MoveReason.COUNT)
    assert db_session.scalar(count_moves) == 1
    assert ledger_mismatches(db_session) == []


def test_a_replenishment_task_from_bulk_to_the_pick_face(client, w, db_session):
    task = replenishment.check(db_session, w.products["MUG-350"], w.locations["A-01-01-1"])
    assert task is None  # 10 on the face, min 8
    w.mug_face.min_qty = 12
    task = replenishment.check(db_session, w.products["MUG-350"], w.locations["A-01-01-1"])
    assert task.qty == 10 and task.from_location.code == "BULK-01-01"  # up to max 20
    db_session.commit()
    log_in(client, "P-0002")
    task_url = client.post("/replenish/next").location
    scan_url = task_url + "/scan"
    assert _step(client.get(task_url))["code"] == "BULK-01-01"
    wrong = _post(client, scan_url, "A-01-01-1", "p1")
    assert _feedback(wrong) == "Wrong location: this is A-01-01-1. Go to BULK-01-01."
    assert _step(_post(client, scan_url, "BULK-01-01", "p2"))["expect"] == "product"
    assert _feedback(_post(client, scan_url, w.barcode["UMB-RED"], "p3")).startswith("Wrong item: this is UMB-RED")
    _post(client, scan_url, w.barcode["MUG-350"], "p4")
    assert _step(_post(client, scan_url, "10", "p5"))["code"] == "A-01-01-1"
    assert _step(_post(client, scan_url, "A-01-01-1", "p6"))["expect"] == "done"
    _fresh(db_session)
    face = db_session.scalar(select(Location).where(Location.code == "A-01-01-1"))
    assert sum(s.on_hand for s in face_stock(db_session, face)) == 20
    assert ledger_mismatches(db_session) == []


def face_stock(session, location):
    from floorapp.domain.models import Stock
    return session.scalars(select(Stock).where(Stock.location_id == location.id))


@pytest.mark.parametrize("badge, path, allowed", [
    ("P-0001", "/receive/", True), ("K-0001", "/receive/", False), ("K-0001", "/returns/", True),
    ("P-0001", "/returns/", False), ("P-0001", "/count/", True), ("P-0001", "/count/supervisor", False),
    ("S-0001", "/count/supervisor", True), ("P-0001", "/replenish/", True), ("K-0001", "/replenish/", False),
])
def test_roles_of_the_floor_flows(client, w, badge, path, allowed):
    log_in(client, badge)
    assert client.get(path).status_code == (200 if allowed else 403)


def _variance_waiting(db_session, w, code="A-01-02-1"):
    count = counting.request_count(db_session, w.locations[code], CountSource.SUPERVISOR, "test")
    counting.next_count_for(db_session, w.picker)
    counting.scan(db_session, count, w.picker, code)
    counting.finish(db_session, count, w.picker)  # nothing counted: all 5 GLOVE-L missing
    db_session.commit()
    return count


def test_the_supervisor_asks_for_counts_and_decides_on_variances(client, w, db_session):
    count = _variance_waiting(db_session, w)
    log_in(client, "S-0001")
    asked = client.post("/count/supervisor/ask", data={"by": "zone", "value": "B"}, headers=HX)
    assert "2 count(s) open for zone B." in asked.text and "B-01-01-1" in asked.text
    refused = client.post("/count/supervisor/ask", data={"by": "location", "value": "NOPE"}, headers=HX)
    assert refused.status_code == 422 and "Unknown location NOPE." in refused.text
    from floorapp.domain.models import FloorException
    exception = db_session.get(FloorException, count.exception_id)
    assert counting.count_for_exception(db_session, exception).id == count.id
    rejected = client.post(f"/count/{count.id}/reject", headers=HX)
    assert f"Count {count.id} at A-01-02-1: reject done." in rejected.text
    again = client.post(f"/count/{count.id}/approve", headers=HX)
    assert again.status_code == 409 and "This count is not waiting for approval." in again.text
    _fresh(db_session)
    assert db_session.scalar(select(func.count()).select_from(StockMove).where(
        StockMove.reason == MoveReason.COUNT)) == 0  # rejected: the stock table's figures stand


def test_a_recount_sends_the_location_back_to_the_counters(client, w, db_session):
    count = _variance_waiting(db_session, w)
    log_in(client, "A-0001")
    assert client.post(f"/count/{count.id}/recount", headers=HX).status_code == 200
    _fresh(db_session)
    again = db_session.get(CycleCount, count.id)
    assert again.state == CountState.OPEN and again.lines == [] and again.user_id is None
    log_in(client, "P-0002")
    assert client.post("/count/next").location.endswith(f"/count/tasks/{count.id}")


def test_pickers_cannot_approve_variances(client, w, db_session):
    count = _variance_waiting(db_session, w)
    log_in(client, "P-0001")
    assert client.post(f"/count/{count.id}/approve").status_code == 403
