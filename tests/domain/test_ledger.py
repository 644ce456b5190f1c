"""The ledger: on hand anywhere is the sum of the stock moves, after any flow; tampering shows."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import pack_order, pick_order, place_order, release, take_task, warehouse
from floorapp.domain import receiving, stock
from floorapp.domain.models import Stock, StockMove
from floorapp.domain.states import MoveReason, OrderState


def _units(session) -> int:
    return session.scalar(select(func.coalesce(func.sum(Stock.on_hand), 0)))


def test_full_flow_keeps_the_ledger_true(session):
    wh = warehouse(session)
    full = place_order(session, "SO-L1", [("MUG-350", 12), ("VITC-60", 5)])
    partial = place_order(session, "SO-L2", [("GLOVE-L", 7)])
    waiting = place_order(session, "SO-L3", [("THERMO-1L", 2)])
    session.commit()
    assert (full.status, partial.status, waiting.status) == (
        OrderState.ALLOCATED, OrderState.PARTIALLY_ALLOCATED, OrderState.BACKORDERED)

    receiving.receive(session, {"lines": [{"sku": "THERMO-1L", "location": "A-02-02-1", "qty": 6}]},
                      user_id=wh.supervisor.id, reference="PO-77")
    assert waiting.status == OrderState.ALLOCATED
    release(session, full, partial, waiting, user=wh.supervisor)
    session.commit()

    for order, picker, code in ((full, wh.picker, "T-0001"), (partial, wh.picker2, "T-0002"),
                                (waiting, wh.picker, "T-0003")):
        pick_order(session, order, picker, tote=code)
        session.commit()
        pack_order(session, order, wh.packer)
        session.commit()

    assert [o.status for o in (full, partial, waiting)] == [OrderState.PACKED] * 3
    assert stock.ledger_mismatches(session) == []
    received = session.scalar(select(func.sum(StockMove.qty)).where(StockMove.reason == MoveReason.RECEIPT))
    assert _units(session) == received == 10 + 24 + 5 + 6 + 4 + 12 + 6  # nothing lost, nothing made up
    assert session.scalar(select(func.sum(Stock.reserved))) == 0
    pack = wh.locations["PACK-01"].id
    assert session.scalar(select(func.sum(Stock.on_hand)).where(Stock.location_id == pack)) == 12 + 5 + 5 + 2


def test_a_tampered_stock_row_is_caught(session):
    wh = warehouse(session)
    row = session.scalar(select(Stock).where(Stock.product_id == wh.products["GLOVE-L"].id))
    row.on_hand += 1
    session.flush()

    problems = stock.ledger_mismatches(session)
    assert problems == [f"product {row.product_id} at location {row.location_id} lot '': stock 6, ledger 5"]


def test_a_move_without_its_stock_change_is_caught(session):
    wh = warehouse(session)
    session.add(StockMove(product_id=wh.products["UMB-RED"].id, from_location_id=wh.locations["BULK-01-01"].id,
                          to_location_id=None, qty=2, reason=MoveReason.ADJUST, reference="tampered"))
    session.flush()

    problems = stock.ledger_mismatches(session)
    assert len(problems) == 1
    assert "stock 12, ledger 10" in problems[0]


def test_a_deleted_stock_row_is_caught(session):
    wh = warehouse(session)
    session.delete(session.scalar(select(Stock).where(Stock.product_id == wh.products["UMB-RED"].id)))
    session.flush()

    assert [p.endswith("stock 0, ledger 12") for p in stock.ledger_mismatches(session)] == [True]


def test_the_ledger_is_clean_mid_flow_too(session):
    wh = warehouse(session)
    order = place_order(session, "SO-MID", [("MUG-350", 3)])
    release(session, order)
    task = take_task(session, wh.picker, order)
    session.commit()
    assert stock.ledger_mismatches(session) == []
    assert task.order.status == OrderState.RELEASED
