"""Get work: the pick task comes first unless a face on its route holds less than it will take there and a
replenishment for that face is open; with no pick work, open replenishments keep the picker busy."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from floorapp.domain import replenishment, work
from floorapp.domain.errors import DomainError
from floorapp.domain.models import PickTask, ReplenishmentTask, Stock
from floorapp.domain.states import MoveReason
from floorapp.domain.stock import move
from tests.factories import place_order, release
from tests.flows_data import flows_warehouse


@pytest.fixture
def w(session):
    return flows_warehouse(session)


def test_the_pick_task_comes_first_when_the_face_holds_enough(session, w):
    release(session, place_order(session, "SO-W", [("MUG-350", 5)]))  # 10 at the face, 5 reserved: below min 8
    urgent = session.scalars(select(ReplenishmentTask)).one()
    assert urgent.urgent  # made when the wave was released
    held = work.next_work(session, w.picker)
    assert isinstance(held, PickTask) and held.order.external_id == "SO-W"
    assert work.current(session, w.picker).id == held.id


def test_a_face_that_cannot_cover_the_route_is_filled_first(session, w):
    release(session, place_order(session, "SO-W", [("MUG-350", 5)]))
    face = session.scalars(select(Stock).where(Stock.product_id == w.products["MUG-350"].id,
                                               Stock.location_id == w.locations["A-01-01-1"].id)).one()
    move(session, product=w.products["MUG-350"], qty=7, reason=MoveReason.COUNT, source=w.locations["A-01-01-1"])
    session.flush()
    assert face.on_hand == 3  # a count found 3 where 5 are to be picked
    held = work.next_work(session, w.picker)
    assert isinstance(held, ReplenishmentTask) and held.pick_face.location.code == "A-01-01-1"
    assert work.current(session, w.picker).id == held.id  # the pick task waits behind it
    assert session.scalar(select(func.count()).select_from(PickTask).where(PickTask.user_id == w.picker.id)) == 1


def test_with_no_pick_work_an_open_replenishment_is_given(session, w):
    move(session, product=w.products["MUG-350"], qty=3, reason=MoveReason.ADJUST, source=w.locations["A-01-01-1"])
    made = replenishment.check(session, w.products["MUG-350"], w.locations["A-01-01-1"])
    assert work.next_work(session, w.picker).id == made.id
    with pytest.raises(DomainError):
        work.next_work(session, w.picker2)  # nothing left for the second picker
