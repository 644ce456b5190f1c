"""The quick lane (htmx scans: location, item, count, tote) and the full path (plain forms) must be the same
picking: the same answers, the same lines, stock, ledger and order figures."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from floorapp.domain import catalog, orders, picking_lane, receiving, users, waves
from floorapp.domain.models import Order, OrderLine, PickTask, PickTaskLine, Stock, StockMove, Tote
from floorapp.domain.states import OrderState, TaskState
from floorapp.domain.stock import ledger_mismatches

from .floor_data import log_in

PRODUCTS = {"SKU-MUG": "4006381333900", "SKU-CUP": "4006381333917", "SKU-BOWL": "4006381333924",
            "SKU-PLATE": "4006381333931"}
LINES = [("SKU-MUG", 2), ("SKU-CUP", 1), ("SKU-BOWL", 3), ("SKU-PLATE", 1)]


@pytest.fixture
def floor(db_session):
    for n, sku in enumerate(PRODUCTS, start=1):
        catalog.upsert_location(db_session, f"A-0{n}-01-1", {"zone": "A", "pick_sequence": 10 * n})
        catalog.upsert_product(db_session, sku, {"name": sku.title(), "barcodes": [PRODUCTS[sku]]})
    catalog.upsert_location(db_session, "PACK-01", {"zone": "PACK", "pick_sequence": 900, "kind": "pack"})
    receiving.receive(db_session, {"lines": [{"sku": sku, "location": f"A-0{n}-01-1", "qty": 20}
                                             for n, sku in enumerate(PRODUCTS, start=1)]})
    made = []
    for external_id in ("SO-1", "SO-2"):
        order, _ = orders.create_order(db_session, {
            "external_id": external_id, "customer": {"name": "Ada"},
            "ship_to": {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701",
                        "country": "US"},
            "lines": [{"sku": sku, "qty": qty} for sku, qty in LINES]})
        made.append(order)
    db_session.add_all([Tote(code="T-0001"), Tote(code="T-0002")])
    for badge in ("P-0001", "P-0002"):
        users.add_user(db_session, name=f"picker {badge}", badge=badge, pin="1234", role="picker")
    waves.release(db_session, made)
    db_session.commit()


def _step(text: str) -> dict[str, str]:
    tag = re.search(r'<section id="step"[^>]*>', text).group(0)
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', tag))


def _feedback(text: str) -> str:
    found = re.search(r'class="feedback[^"]*"[^>]*>(.*?)</p>', text, re.DOTALL)
    return " ".join(found.group(1).split()) if found else ""


def _pick(client, htmx: bool, tote: str, wrong_every: int = 3) -> tuple[str, list[tuple[str, str, str]]]:
    """Pick the picker's task to the end; every few scans a wrong one first. (step, scanned, answer) each."""
    task_url = client.post("/pick/next").location
    step, trail, n = _step(client.get(task_url).text), [], 0
    headers = {"HX-Request": "true"} if htmx else {}
    while step["expect"] != "done":
        right = {"location": step["code"], "product": PRODUCTS.get(step["code"]), "qty": PRODUCTS.get(step["code"]),
                 "tote": tote}[step["expect"]]
        n += 1
        scans = ["NO-SUCH-CODE", right] if n % wrong_every == 0 else [right]
        for raw in scans:
            answer = client.post(task_url + "/scan", data={"scan": raw, "scan_id": f"{tote}-{n}-{raw}"},
                                 headers=headers)
            assert answer.status_code in (200, 422)
            trail.append((step["expect"], raw, _feedback(answer.text)))
        step = _step(answer.text)
    return task_url, trail


def _lines(db_session, external_id: str) -> list[tuple]:
    order = db_session.scalar(select(Order).where(Order.external_id == external_id))
    rows = db_session.execute(
        select(PickTaskLine.seq, PickTaskLine.qty, PickTaskLine.picked, PickTaskLine.state, PickTaskLine.sorted,
               Tote.code).join(OrderLine, OrderLine.id == PickTaskLine.order_line_id).join(Tote, isouter=True)
        .where(OrderLine.order_id == order.id).order_by(PickTaskLine.seq)).all()
    picked = sorted(db_session.scalars(select(OrderLine.picked).where(OrderLine.order_id == order.id)))
    return [tuple(row) for row in rows], picked, order.status


def test_the_lane_and_the_full_path_pick_alike(app, client, db_session, floor, monkeypatch):
    saved = []
    original = picking_lane.save

    def counting_save(session, task, user):
        saved.append(("tote" if "confirm" in task.__dict__ else task.was[0].value))
        return original(session, task, user)

    monkeypatch.setattr(picking_lane, "save", counting_save)
    log_in(client, "P-0001")
    quick_url, quick = _pick(client, htmx=True, tote="T-0001")
    lane_saves = list(saved)
    plain_client = app.test_client()
    log_in(plain_client, "P-0002")
    plain_url, plain = _pick(plain_client, htmx=False, tote="T-0002")

    # The lane took the location, item and count scans and all but the last line's tote scans; plain forms none.
    assert {"location", "product", "tote"} <= set(lane_saves) and len(saved) == len(lane_saves)
    assert lane_saves.count("tote") == len(LINES) - 1  # the task's last line (it finishes the task): full path
    same = [(step, raw.replace("T-0002", "T-0001"), text.replace("T-0002", "T-0001")) for step, raw, text in plain]
    assert quick == same
    assert quick[-1][2] == "All picked. Take tote T-0001 to packing."

    db_session.rollback()
    db_session.expire_all()  # the fixture's objects: read what the server committed
    one, two = _lines(db_session, "SO-1"), _lines(db_session, "SO-2")
    assert [row[:5] for row in one[0]] == [row[:5] for row in two[0]]
    assert {row[5] for row in one[0]} == {"T-0001"} and {row[5] for row in two[0]} == {"T-0002"}
    assert one[1] == two[1] == sorted(qty for _, qty in LINES) and one[2] == two[2] == OrderState.PICKED
    moves = db_session.execute(select(StockMove.reference, StockMove.qty, StockMove.from_location_id,
                                      StockMove.to_location_id).where(StockMove.reference.like("task %"))).all()
    task_ids = {url: url.rsplit("/", 1)[-1] for url in (quick_url, plain_url)}
    by_task = {url: sorted((qty, src, dst) for ref, qty, src, dst in moves if ref.startswith(f"task {tid} "))
               for url, tid in task_ids.items()}
    assert by_task[quick_url] == by_task[plain_url] and len(by_task[quick_url]) == len(LINES)
    assert ledger_mismatches(db_session) == []
    on_hand = db_session.scalars(select(Stock.on_hand)).all()  # each face, and each product at packing
    assert sorted(on_hand) == sorted([20 - 2 * qty for _, qty in LINES] + [2 * qty for _, qty in LINES])
    reserved = db_session.scalars(select(Stock.reserved)).all()
    assert set(reserved) == {0}


def test_a_task_moved_since_the_lane_read_it_is_read_again(app, client, db_session, floor):
    """Two devices of one picker scan the same location at once: one moves the task, the other's lane
    finds it moved, writes nothing, and the full path answers from where the task now is."""
    log_in(client, "P-0001")
    task_url = client.post("/pick/next").location
    task_id = int(task_url.rsplit("/", 1)[-1])
    with app.test_request_context():
        from floorapp.web.security import db
        from floorapp.domain.models import User
        session = db()
        picker = session.scalar(select(User).where(User.badge == "P-0001"))
        copy = picking_lane.load(session, task_id)
        outcome = picking_lane.scan(session, copy, picker, copy.current_line.location.code)
        assert outcome.ok and copy.step.value == "product"
        session.rollback()
        other = client.post(task_url + "/scan", data={"scan": copy.current_line.location.code, "scan_id": "a"},
                            headers={"HX-Request": "true"})
        assert _step(other.text)["expect"] == "product"
        assert picking_lane.save(session, copy, picker) is False  # the task is no longer at the location step
        assert copy.step.value == "location"
        session.rollback()
    db_session.rollback()
    db_session.expire_all()
    task = db_session.get(PickTask, task_id)
    assert task.step.value == "product" and task.counted == 0 and task.state == TaskState.ASSIGNED


def test_a_tote_scan_whose_stock_went_meanwhile_writes_nothing(app, client, db_session, floor):
    """The lane decided a line's tote scan; before it wrote, the units left the bin another way. Nothing of
    the pick is written (task, line, tote, stock, ledger), and the task still waits for its tote."""
    from floorapp.domain import stock
    from floorapp.domain.models import Location, Product, User
    from floorapp.domain.states import MoveReason
    from floorapp.web.security import db

    log_in(client, "P-0001")
    task_url = client.post("/pick/next").location
    task_id = int(task_url.rsplit("/", 1)[-1])
    step = _step(client.get(task_url).text)
    lines_done = 0
    while not (step["expect"] == "tote" and lines_done == 1):  # the second line, at its tote step
        raw = {"location": step["code"], "tote": "T-0001"}.get(step["expect"]) or PRODUCTS[step["code"]]
        lines_done += step["expect"] == "tote"
        step = _step(client.post(task_url + "/scan", data={"scan": raw, "scan_id": f"s-{raw}-{lines_done}-{step}"},
                                 headers={"HX-Request": "true"}).text)
    with app.test_request_context():
        session = db()
        picker = session.scalar(select(User).where(User.badge == "P-0001"))
        copy = picking_lane.load(session, task_id)
        line = copy.current_line
        assert picking_lane.scan(session, copy, picker, "T-0001").ok and "confirm" in copy.__dict__
        session.rollback()
        bin_stock = db_session.scalar(select(Stock).where(Stock.location_id == line.location_id))
        stock.move(db_session, product=db_session.get(Product, line.product_id), qty=bin_stock.on_hand,
                   reason=MoveReason.ADJUST, source=db_session.get(Location, line.location_id))
        db_session.commit()
        moves_before = len(db_session.scalars(select(StockMove.id)).all())
        assert picking_lane.save(session, copy, picker) is False
        session.rollback()
    db_session.expire_all()
    task = db_session.get(PickTask, task_id)
    assert task.step.value == "tote" and task.current_line_id == line.id
    assert db_session.get(PickTaskLine, line.id).state.value == "open"
    assert len(db_session.scalars(select(StockMove.id)).all()) == moves_before
    assert ledger_mismatches(db_session) == []
