"""Can't pick (re-route to other stock in this task or a new one, then backorder), skip, and paused tasks."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from floorapp.domain import events, picking, receiving, shortpick, stock
from floorapp.domain.errors import DomainError
from floorapp.domain.models import CycleCount, FloorException, PickTask, PickTaskLine
from floorapp.domain.states import (
    CountSource,
    ExceptionKind,
    OrderState,
    PickStep,
    ScanResult,
    TaskLineState,
    TaskState,
)
from tests.factories import pick_task, place_order, release, take_task, warehouse

from .picking_helpers import scanner, stock_at


@pytest.fixture
def wh(session):
    return warehouse(session)


def _task(session, wh, lines, external_id="SO-S"):
    order = place_order(session, external_id, lines)
    release(session, order)
    session.commit()
    task = take_task(session, wh.picker, order)
    session.commit()
    return order, task


def test_an_empty_bin_re_routes_to_stock_ahead_on_this_route(session, wh):
    order, task = _task(session, wh, [("MUG-350", 3)])
    session.info.pop(events.KEY, None)
    outcome = shortpick.cant_pick(session, task, wh.picker, "empty")
    session.commit()

    assert outcome.ok
    assert outcome.message == ("Short 3 x MUG-350 at A-01-01-1 (location empty). "
                               "3 more at BULK-01-01 added to your route. Go to BULK-01-01 and scan the location.")
    assert [(line.location.code, line.state, line.qty, line.short) for line in task.lines] == [
        ("A-01-01-1", TaskLineState.SHORT, 3, 3), ("BULK-01-01", TaskLineState.OPEN, 3, 0)]
    assert task.current_line.location.code == "BULK-01-01" and task.step == PickStep.LOCATION
    assert stock_at(session, wh, "MUG-350", "A-01-01-1").reserved == 0
    assert stock_at(session, wh, "MUG-350", "A-01-01-1").on_hand == 10  # nothing moved: the count will tell
    assert stock_at(session, wh, "MUG-350", "BULK-01-01").reserved == 3
    exception = session.scalar(select(FloorException))
    assert (exception.kind, exception.qty, exception.note, exception.order_id) == (
        ExceptionKind.SHORT_PICK, 3, "location empty", order.id)
    count = session.scalar(select(CycleCount))
    assert (count.location.code, count.source, count.product.sku) == ("A-01-01-1", CountSource.SHORT_PICK, "MUG-350")

    pick_task(session, task, wh.picker, "T-0001")
    session.commit()
    assert order.status == OrderState.PICKED
    assert (order.lines[0].picked, order.lines[0].backordered) == (3, 0)
    assert stock.ledger_mismatches(session) == []


def test_re_routing_skips_an_expired_lot(session, wh):
    # L-OLD expires first, so first-expiry-first-out would choose it, but picking would refuse it there.
    order, task = _task(session, wh, [("VITC-60", 1)])  # L-SOON at B-01-01-1
    receiving.receive(session, {"lines": [{"sku": "VITC-60", "location": "A-02-02-1", "qty": 5, "lot": "L-OLD",
                                           "expiry": (wh.today - dt.timedelta(days=1)).isoformat()}]})
    assert shortpick.cant_pick(session, task, wh.picker, "empty").ok
    session.commit()
    visits = session.scalars(select(PickTaskLine).where(PickTaskLine.state == TaskLineState.OPEN)).all()
    assert [(v.location.code, v.lot, v.qty) for v in visits] == [("A-02-01-1", "L-LATE", 1)]


def test_the_board_hears_of_the_exception(session, wh):
    _, task = _task(session, wh, [("GLOVE-L", 1)])
    session.info.pop(events.KEY, None)
    shortpick.cant_pick(session, task, wh.picker, "cant_find")
    raised = [data for name, data, rooms in events.take(session) if name == "exception.raised"]
    assert raised == [{"kind": "short_pick", "order": "SO-S", "sku": "GLOVE-L", "location": "A-01-02-1",
                       "reason": "cant_find", "qty": 1, "user": "P-0001"}]


def test_stock_behind_the_picker_goes_to_a_new_task_in_the_wave(session, wh):
    # VITC-60 x5: 1 of lot L-LATE at A-02-01-1 (seq 30), 4 of L-SOON at B-01-01-1 (seq 50)
    order, task = _task(session, wh, [("VITC-60", 5)])
    scan = scanner(session, wh.picker)
    for raw in ("A-02-01-1", wh.barcode["VITC-60"], "L-LATE", "T-0001"):
        assert scan(task, raw).ok
    assert task.current_line.location.code == "B-01-01-1"

    outcome = shortpick.cant_pick(session, task, wh.picker, "damaged")
    session.commit()

    assert outcome.message == ("Short 4 x VITC-60 at B-01-01-1 (damaged). 4 at A-02-01-1 sent to another picker. "
                               "All picked. Take tote T-0001 to packing.")
    assert task.state == TaskState.DONE
    assert order.status == OrderState.PICKING  # the new task still has to bring the rest
    assert session.scalar(select(FloorException)).kind == ExceptionKind.DAMAGE
    new = session.scalar(select(PickTask).where(PickTask.id != task.id))
    assert (new.wave_id, new.order_id, new.state) == (task.wave_id, order.id, TaskState.OPEN)
    assert [(line.location.code, line.lot, line.qty) for line in new.lines] == [("A-02-01-1", "L-LATE", 4)]

    other = take_task(session, wh.picker2, order)
    pick_task(session, other, wh.picker2, "T-0002")
    session.commit()
    assert order.status == OrderState.PICKED and order.lines[0].picked == 5
    assert stock_at(session, wh, "VITC-60", "B-01-01-1", "L-SOON").reserved == 0
    assert stock.ledger_mismatches(session) == []


def test_what_no_stock_covers_is_backordered_after_what_is_in_hand_goes_to_the_tote(session, wh):
    order, task = _task(session, wh, [("GLOVE-L", 5)])
    scan = scanner(session, wh.picker)
    scan(task, "A-01-02-1")
    scan(task, wh.barcode["GLOVE-L"])
    scan(task, wh.barcode["GLOVE-L"])

    outcome = shortpick.cant_pick(session, task, wh.picker, "empty")
    session.commit()
    assert outcome.message == ("Short 3 x GLOVE-L at A-01-02-1 (location empty). 3 backordered. "
                               "Put 2 x GLOVE-L into a tote and scan the tote.")
    assert task.step == PickStep.TOTE
    done = scan(task, "T-0001")
    assert done.message == "All picked. Take tote T-0001 to packing."
    line = order.lines[0]
    assert (line.picked, line.allocated, line.backordered) == (2, 2, 3)
    assert (task.lines[0].picked, task.lines[0].short) == (2, 3)
    assert order.status == OrderState.PICKED
    bin_ = stock_at(session, wh, "GLOVE-L", "A-01-02-1")
    assert (bin_.on_hand, bin_.reserved) == (3, 0)
    assert stock.ledger_mismatches(session) == []


def test_re_route_what_it_can_then_backorder_the_rest(session, wh):
    order, task = _task(session, wh, [("MUG-350", 30)])  # 10 from the face, 20 from bulk (4 left there)
    assert [(line.location.code, line.qty) for line in task.lines] == [("A-01-01-1", 10), ("BULK-01-01", 20)]
    outcome = shortpick.cant_pick(session, task, wh.picker, "empty")
    session.commit()
    assert outcome.message.startswith("Short 10 x MUG-350 at A-01-01-1 (location empty). "
                                      "4 more at BULK-01-01 added to your route. 6 backordered.")
    assert [(line.location.code, line.qty) for line in picking.open_lines(task)] == [
        ("BULK-01-01", 20), ("BULK-01-01", 4)]
    assert (order.lines[0].allocated, order.lines[0].backordered) == (24, 6)
    pick_task(session, task, wh.picker, "T-0001")
    session.commit()
    assert order.status == OrderState.PICKED and order.lines[0].picked == 24
    assert stock.ledger_mismatches(session) == []


def test_an_order_with_nothing_picked_waits_as_a_backorder_and_a_receipt_fills_it(session, wh):
    order, task = _task(session, wh, [("GLOVE-L", 5)])
    outcome = shortpick.cant_pick(session, task, wh.picker, "empty")
    session.commit()
    assert outcome.message.endswith("Done: nothing could be picked. Get the next task.")
    assert order.status == OrderState.BACKORDERED
    assert (order.lines[0].allocated, order.lines[0].backordered) == (0, 5)

    receiving.receive(session, {"lines": [{"sku": "GLOVE-L", "location": "A-02-02-1", "qty": 5}]})
    session.commit()
    assert order.status == OrderState.ALLOCATED


def test_cant_pick_is_only_for_the_item_being_picked(session, wh):
    _, task = _task(session, wh, [("GLOVE-L", 1)])
    scan = scanner(session, wh.picker)
    scan(task, "A-01-02-1")
    scan(task, wh.barcode["GLOVE-L"])
    assert task.step == PickStep.TOTE
    refused = shortpick.cant_pick(session, task, wh.picker, "empty")
    assert refused.result == ScanResult.REFUSED and task.lines[0].short == 0


# Skip and come back


def test_a_skipped_location_comes_back_at_the_end(session, wh):
    order, task = _task(session, wh, [("MUG-350", 1), ("GLOVE-L", 1)])
    outcome = picking.skip(session, task, wh.picker)
    session.commit()
    assert outcome.message == "Skipped A-01-01-1; it comes back at the end. Go to A-01-02-1 and scan the location."
    assert picking.next_line_after(task).location.code == "A-01-01-1"
    scan = scanner(session, wh.picker)
    for raw in ("A-01-02-1", wh.barcode["GLOVE-L"], "T-0001"):
        scan(task, raw)
    assert task.current_line.location.code == "A-01-01-1"
    last = picking.skip(session, task, wh.picker)
    assert last.result == ScanResult.REFUSED
    assert last.message == "A-01-01-1 is the last place left: pick it, or tap Can't pick."
    pick_task(session, task, wh.picker, "T-0001")
    session.commit()
    assert order.status == OrderState.PICKED


def test_no_skipping_with_items_in_hand(session, wh):
    _, task = _task(session, wh, [("MUG-350", 3), ("GLOVE-L", 1)])
    scan = scanner(session, wh.picker)
    scan(task, "A-01-01-1")
    scan(task, wh.barcode["MUG-350"])
    outcome = picking.skip(session, task, wh.picker)
    assert outcome.result == ScanResult.REFUSED
    assert task.current_line.location.code == "A-01-01-1"


# Paused by a supervisor


def test_a_paused_task_refuses_scans_and_is_not_offered(session, wh):
    _, task = _task(session, wh, [("MUG-350", 1)])
    task.state = TaskState.PAUSED
    session.commit()

    outcome = scanner(session, wh.picker)(task, "A-01-01-1")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "Your supervisor paused this task. Wait, or ask them to resume it."
    assert task.step == PickStep.LOCATION
    assert shortpick.cant_pick(session, task, wh.picker, "empty").result == ScanResult.REFUSED
    assert picking.skip(session, task, wh.picker).result == ScanResult.REFUSED
    assert picking.current_task(session, wh.picker) is None
    with pytest.raises(DomainError, match="No pick work waiting"):
        picking.take_next_task(session, wh.picker)
    with pytest.raises(DomainError, match="No pick work waiting"):
        picking.take_next_task(session, wh.picker2)


def test_items_whose_lot_was_not_confirmed_go_back_when_the_picker_cannot_pick(session, wh):
    _, task = _task(session, wh, [("VITC-60", 2)])  # 2 of L-SOON at B-01-01-1
    scan = scanner(session, wh.picker)
    scan(task, "B-01-01-1")
    scan(task, wh.barcode["VITC-60"])
    assert (task.step, task.counted) == (PickStep.LOT, 1)
    outcome = shortpick.cant_pick(session, task, wh.picker, "damaged")
    session.commit()
    assert outcome.message.startswith("Short 2 x VITC-60 at B-01-01-1 (damaged). 2 at A-02-01-1 sent to another")
    assert task.lines[0].state == TaskLineState.SHORT and task.lines[0].picked == 0
