"""Replenishment: tasks when a pick face falls below min, urgent ones first in Get work, stock.low once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from floorapp.domain import putaway, replenishment
from floorapp.domain.errors import ValidationFailed
from floorapp.domain.models import ReplenishmentTask, Stock
from floorapp.domain.states import FlowState, FlowStep, MoveReason
from floorapp.domain.stock import ledger_mismatches, move
from tests.factories import place_order, release
from tests.flows_data import flows_warehouse


@pytest.fixture
def w(session):
    return flows_warehouse(session)


def _take_out(session, w, qty, code="A-01-01-1", sku="MUG-350"):
    move(session, product=w.products[sku], qty=qty, reason=MoveReason.ADJUST, source=w.locations[code])
    session.flush()
    return replenishment.check(session, w.products[sku], w.locations[code])


def test_a_face_below_min_gets_one_task_up_to_max(session, w):
    assert _take_out(session, w, 2) is None  # 8 left, min 8
    task = _take_out(session, w, 1)          # 7 < 8
    assert (task.qty, task.from_location.code, task.state, task.urgent) == (13, "BULK-01-01", FlowState.OPEN, False)
    assert _take_out(session, w, 1).id == task.id  # one open task per face


def test_a_released_wave_that_takes_the_face_down_makes_an_urgent_task(session, w):
    order = place_order(session, "SO-W", [("MUG-350", 5)])
    wave = release(session, order)
    tasks = replenishment.check_wave(session, wave)
    assert len(tasks) == 1 and tasks[0].urgent and tasks[0].qty == 15  # 10 on hand, 5 reserved: up to 20


def test_urgent_tasks_come_first_and_a_zone_picker_gets_only_their_zone(session, w):
    putaway.set_face(session, w.products["UMB-RED"], w.locations["A-02-02-1"], capacity=20, min_qty=2, max_qty=10)
    calm = replenishment.check(session, w.products["UMB-RED"], w.locations["A-02-02-1"])
    order = place_order(session, "SO-U", [("MUG-350", 5)])
    urgent = replenishment.check_wave(session, release(session, order))[0]
    assert calm.id < urgent.id
    assert replenishment.next_task_for(session, w.picker2, urgent_only=True).id == urgent.id
    replenishment.next_task_for(session, w.picker2).user_id = None  # hand it back
    urgent.state = FlowState.OPEN
    w.picker2.zone_id = w.zones["B"].id
    assert replenishment.next_task_for(session, w.picker2) is None  # both faces are in zone A
    mine = replenishment.next_task_for(session, w.picker)
    assert mine.id == urgent.id and mine.user_id == w.picker.id and mine.step == FlowStep.FROM
    assert replenishment.next_task_for(session, w.picker).id == urgent.id  # the unfinished one again


def test_the_task_steps_and_refusals(session, w):
    task = _take_out(session, w, 5)
    replenishment.next_task_for(session, w.picker)
    scan = lambda raw: replenishment.scan(session, task, w.picker, raw)  # noqa: E731
    assert scan("A-01-01-1").message == "Wrong location: this is A-01-01-1. Go to BULK-01-01."
    assert scan("BULK-01-01").ok and task.step == FlowStep.ITEM
    assert scan(w.barcode["UMB-RED"]).message == \
        "Wrong item: this is UMB-RED Red Compact Umbrella. Scan MUG-350 Blue Enamel Mug 350ml."
    assert scan(w.barcode["MUG-350"]).ok and task.step == FlowStep.QTY
    assert scan("99").message == "Type a quantity from 1 to 15, or scan the item."
    assert scan("15").ok and task.step == FlowStep.TO
    assert scan("BULK-01-01").message == "Wrong location: this is BULK-01-01. Go to A-01-01-1."
    assert scan("A-01-01-1").ok and task.state == FlowState.DONE
    face = session.scalar(select(Stock).where(Stock.location_id == w.locations["A-01-01-1"].id,
                                              Stock.product_id == w.products["MUG-350"].id))
    assert face.on_hand == 20
    assert ledger_mismatches(session) == []


def test_bulk_running_out_is_taken_as_it_is(session, w):
    task = _take_out(session, w, 5)
    replenishment.next_task_for(session, w.picker)
    for raw in ("BULK-01-01", w.barcode["MUG-350"], "DONE"):
        assert replenishment.scan(session, task, w.picker, raw).ok
    assert task.step == FlowStep.TO and task.counted == 1


def test_stock_low_is_raised_once_until_it_recovers(session, w):
    session.info.pop("floor_events", None)
    _take_out(session, w, 4)  # 34 -> 30 in storage: not below 30
    assert not [d for n, d, _ in session.info.get("floor_events", []) if n == "stock.low"]
    _take_out(session, w, 1)
    _take_out(session, w, 1)
    lows = [d for n, d, _ in session.info["floor_events"] if n == "stock.low"]
    assert lows == [{"sku": "MUG-350", "on_hand": 29, "reorder_point": 30}]


def test_pick_face_levels_are_checked(session, w):
    with pytest.raises(ValidationFailed):
        putaway.set_face(session, w.products["MUG-350"], w.locations["A-01-01-1"], capacity=10, min_qty=5, max_qty=20)
    with pytest.raises(ValidationFailed):
        putaway.set_face(session, w.products["MUG-350"], w.locations["BULK-01-01"], capacity=10, min_qty=1,
                         max_qty=5)
    assert session.scalar(select(ReplenishmentTask)) is None
