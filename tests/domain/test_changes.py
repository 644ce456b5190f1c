"""Cancel and change: before picking, reservations are freed (no stock moves); after, the supervisor
gets an exception listing what to put back, and the goods stay on the books."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from floorapp.domain import changes, events
from floorapp.domain.errors import Conflict, ValidationFailed
from floorapp.domain.models import Allocation, FloorException, Stock, StockMove, Tote
from floorapp.domain.states import ExceptionKind, OrderState, TaskLineState, TaskState
from floorapp.domain.stock import ledger_mismatches
from tests.factories import pick_order, place_order, release, take_task, warehouse


def _stock(session) -> dict:
    session.flush()
    return {(s.location.code, s.product.sku, s.lot): (s.on_hand, s.reserved)
            for s in session.scalars(select(Stock).execution_options(populate_existing=True))}


def _moves(session) -> int:
    return session.scalar(select(func.count()).select_from(StockMove))


def test_cancel_before_picking_frees_every_reservation_without_moving_stock(session):
    wh = warehouse(session)
    before, moves = _stock(session), _moves(session)
    order = place_order(session, "SO-C", [("MUG-350", 12), ("GLOVE-L", 2)])
    assert _stock(session)[("A-01-01-1", "MUG-350", "")] == (10, 10)
    result = changes.cancel(session, order, reason="customer changed their mind")
    session.commit()
    assert order.status == OrderState.CANCELLED and result.freed == 14 and result.exception is None
    assert _stock(session) == before and _moves(session) == moves
    assert session.scalar(select(func.count()).select_from(Allocation)) == 0
    assert ledger_mismatches(session) == []
    # the freed stock is available again: the next order gets all of it
    assert place_order(session, "SO-NEXT", [("MUG-350", 34)]).status == OrderState.ALLOCATED
    assert wh.products["MUG-350"]
    again = changes.cancel(session, order)
    assert again.already


def test_cancel_of_a_released_order_calls_off_the_pickers_task(session):
    wh = warehouse(session)
    before = _stock(session)
    order = place_order(session, "SO-R", [("MUG-350", 2)])
    release(session, order)
    task = take_task(session, wh.picker, order)
    events.take(session)
    changes.cancel(session, order)
    session.commit()
    assert task.state == TaskState.DONE and [line.state for line in task.lines] == [TaskLineState.CANCELLED]
    assert _stock(session) == before
    assert ("task.cancelled", ("board", f"user:{wh.picker.id}")) in [(n, r) for n, _, r in events.take(session)]


def test_cancel_after_picking_raises_an_exception_and_loses_no_stock(session):
    wh = warehouse(session)
    order = place_order(session, "SO-P", [("MUG-350", 2), ("GLOVE-L", 1)])
    pick_order(session, order, wh.picker, tote="T-0003")
    session.commit()
    before, moves = _stock(session), _moves(session)
    assert before[("PACK-01", "MUG-350", "")] == (2, 0)
    events.take(session)
    result = changes.cancel(session, order, reason="fraud check")
    session.commit()
    assert order.status == OrderState.CANCELLED
    exception = session.scalar(select(FloorException))
    assert exception is result.exception and exception.kind == ExceptionKind.ORDER_CANCELLED
    assert exception.resolved_at is None and exception.qty == 3 and exception.order_id == order.id
    assert "Put back to stock: 2 x MUG-350 in tote T-0003; 1 x GLOVE-L in tote T-0003." in exception.note
    assert _stock(session) == before and _moves(session) == moves  # still on hand at packing
    assert ledger_mismatches(session) == []
    recorded = {name: data for name, data, _ in events.take(session)}
    assert recorded["order.cancelled"]["after_picking"] is True
    assert recorded["order.cancelled"]["put_back"][0] == {"sku": "MUG-350", "qty": 2, "packed": 0, "totes": ["T-0003"]}


def test_a_shipped_order_cannot_be_cancelled(session):
    warehouse(session)
    order = place_order(session, "SO-S")
    order.status = OrderState.SHIPPED  # as shipping leaves it
    with pytest.raises(Conflict, match="book a return"):
        changes.cancel(session, order)


def test_lines_change_before_release_and_allocate_again(session):
    warehouse(session)
    order = place_order(session, "SO-L", [("MUG-350", 5), ("GLOVE-L", 1)])
    old_hash = order.payload_hash
    order, changed = changes.change_lines(session, order, [{"sku": "MUG-350", "qty": 2}, {"sku": "THERMO-1L", "qty": 1}])
    session.commit()
    assert changed and order.payload_hash != old_hash
    assert [(line.product.sku, line.qty, line.allocated, line.backordered) for line in order.lines] == [
        ("MUG-350", 2, 2, 0), ("THERMO-1L", 1, 0, 1)]
    assert order.status == OrderState.PARTIALLY_ALLOCATED
    stock = _stock(session)
    assert stock[("A-01-01-1", "MUG-350", "")] == (10, 2) and stock[("A-01-02-1", "GLOVE-L", "")] == (5, 0)
    _, changed = changes.change_lines(session, order, [{"sku": "MUG-350", "qty": 2}, {"sku": "THERMO-1L", "qty": 1}])
    assert not changed
    assert ledger_mismatches(session) == []


def test_lines_cannot_change_after_release_and_bad_lines_change_nothing(session):
    warehouse(session)
    order = place_order(session, "SO-B", [("MUG-350", 1)])
    with pytest.raises(ValidationFailed) as refused:
        changes.change_lines(session, order, [{"sku": "NOPE", "qty": 1}, {"sku": "MUG-350", "qty": 0}])
    assert [d["field"] for d in refused.value.details] == ["lines[0].sku", "lines[1].qty"]
    assert [(line.product.sku, line.allocated) for line in order.lines] == [("MUG-350", 1)]
    release(session, order)
    with pytest.raises(Conflict, match="already released"):
        changes.change_lines(session, order, [{"sku": "MUG-350", "qty": 2}])


def test_putting_back_the_goods_of_a_cancelled_pick_returns_them_to_their_bins(session):
    wh = warehouse(session)
    order = place_order(session, "SO-PB", [("MUG-350", 2), ("VITC-60", 1)])
    pick_order(session, order, wh.picker, tote="T-0004")
    result = changes.cancel(session, order)
    session.commit()
    moves = changes.put_back(session, result.exception, user_id=wh.supervisor.id)
    session.commit()
    assert [(m.reason.value, m.qty, m.lot) for m in moves] == [("transfer", 2, ""), ("transfer", 1, "L-SOON")]
    stock = _stock(session)
    assert stock[("A-01-01-1", "MUG-350", "")] == (10, 0) and stock[("B-01-01-1", "VITC-60", "L-SOON")] == (4, 0)
    assert stock[("PACK-01", "MUG-350", "")] == (0, 0)
    assert result.exception.resolved_at is not None
    assert session.scalar(select(func.count()).select_from(Tote).where(Tote.order_id.is_not(None))) == 0
    assert ledger_mismatches(session) == []
    with pytest.raises(Conflict):
        changes.put_back(session, result.exception)
