"""Releasing a wave: piece, batch (cluster) and zone strategies make the right tasks."""
from __future__ import annotations

import pytest

from floorapp.domain import waves
from floorapp.domain.errors import DomainError
from floorapp.domain.states import OrderState, PickStep, WaveStrategy
from tests.factories import place_order, take_task, warehouse


@pytest.fixture
def wh(session):
    return warehouse(session)


def _orders(session):
    return [place_order(session, "SO-W1", [("MUG-350", 2), ("GLOVE-L", 1)]),
            place_order(session, "SO-W2", [("MUG-350", 1)]),
            place_order(session, "SO-W3", [("UMB-RED", 1)], priority="rush")]


def test_batch_groups_orders_onto_carts_of_n_totes(session, wh):
    orders = _orders(session)
    wave = waves.release(session, orders, strategy=WaveStrategy.BATCH, totes=2, user_id=wh.supervisor.id)
    session.commit()

    tasks = sorted({line.task for o in orders for ol in o.lines for line in _task_lines(session, ol)},
                   key=lambda t: t.id)
    assert wave.strategy == WaveStrategy.BATCH
    assert [[slot.order.external_id for slot in t.cart] for t in tasks] == [["SO-W1", "SO-W2"], ["SO-W3"]]
    first = tasks[0]
    assert first.order_id is None
    assert [(line.location.code, line.order_line.order.external_id, line.qty) for line in first.lines] == [
        ("A-01-01-1", "SO-W1", 2), ("A-01-01-1", "SO-W2", 1), ("A-01-02-1", "SO-W1", 1)]
    assert tasks[1].priority == 1  # a rush order makes its cart rush
    assert all(o.status == OrderState.RELEASED for o in orders)


def test_zone_makes_one_task_per_zone_with_every_orders_lines_there(session, wh):
    orders = _orders(session)
    waves.release(session, orders, strategy=WaveStrategy.ZONE)
    session.commit()

    tasks = sorted({line.task for o in orders for ol in o.lines for line in _task_lines(session, ol)},
                   key=lambda t: t.id)
    assert [(t.zone_id, [(line.location.code, line.order_line.order.external_id) for line in t.lines])
            for t in tasks] == [
        (wh.zones["A"].id, [("A-01-01-1", "SO-W1"), ("A-01-01-1", "SO-W2"), ("A-01-02-1", "SO-W1")]),
        (wh.zones["B"].id, [("BULK-01-01", "SO-W3")])]
    assert all(len(t.cart) == 1 and t.cart[0].order_id is None for t in tasks)  # one shared tote each


def test_a_picker_with_a_zone_gets_only_that_zones_task(session, wh):
    waves.release(session, _orders(session), strategy=WaveStrategy.ZONE)
    wh.picker2.zone_id = wh.zones["B"].id
    session.commit()
    task = take_task(session, wh.picker2)
    assert task.zone_id == wh.zones["B"].id
    assert task.step == PickStep.LOCATION and task.current_line.location.code == "BULK-01-01"


def test_a_cart_holds_one_to_twelve_totes(session, wh):
    with pytest.raises(DomainError, match="A cart holds 1 to 12 totes"):
        waves.release(session, _orders(session), strategy=WaveStrategy.BATCH, totes=0)


def test_only_allocated_orders_are_released(session, wh):
    order = place_order(session, "SO-NONE", [("THERMO-1L", 1)])
    with pytest.raises(DomainError, match="SO-NONE is backordered and cannot be released"):
        waves.release(session, [order], strategy=WaveStrategy.ZONE)


def _task_lines(session, order_line):
    from sqlalchemy import select

    from floorapp.domain.models import PickTaskLine
    return session.scalars(select(PickTaskLine).where(PickTaskLine.order_line_id == order_line.id)).all()
