"""Cycle counts step by step: blind, tolerance, supervisor approval, recount, reject, schedule."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from floorapp.domain import count_schedule, counting
from floorapp.domain.counting import Tolerance
from floorapp.domain.errors import DomainError
from floorapp.domain.models import FloorException, Stock, StockMove
from floorapp.domain.states import CountSource, CountState, ExceptionKind, FlowStep, MoveReason
from floorapp.domain.stock import ledger_mismatches
from tests.factories import pick_order, place_order
from tests.flows_data import flows_warehouse


@pytest.fixture
def w(session):
    return flows_warehouse(session)


def _start(session, w, code="A-01-02-1", user=None):
    counting.request_count(session, w.locations[code], CountSource.SUPERVISOR, "test")
    return counting.next_count_for(session, user or w.picker)


def _stock(session, w, sku, code, lot=""):
    return session.scalar(select(Stock).where(Stock.product_id == w.products[sku].id,
                                              Stock.location_id == w.locations[code].id, Stock.lot == lot)).on_hand


@pytest.mark.parametrize("text, expected, counted, exceeded", [
    ("0", 5, 5, False), ("0", 5, 4, True), ("2", 5, 3, False), ("2", 5, 2, True),
    ("10%", 50, 45, False), ("10%", 50, 44, True), (" 5 % ", 0, 1, True),
])
def test_tolerance_in_units_or_percent(text, expected, counted, exceeded):
    assert Tolerance.parse(text).exceeded(expected, counted) is exceeded


def test_a_bad_tolerance_setting_is_named():
    with pytest.raises(ValueError, match="FLOORAPP_COUNT_TOLERANCE"):
        Tolerance.parse("some")


def test_request_count_is_idempotent_per_location(session, w):
    first = counting.request_count(session, w.locations["A-01-01-1"], CountSource.SHORT_PICK, "short")
    assert counting.request_count(session, w.locations["A-01-01-1"], CountSource.SUPERVISOR).id == first.id


def test_steps_of_a_count_within_tolerance_adjust_at_once(session, w):
    count = _start(session, w)
    assert count.state == CountState.COUNTING and count.step == FlowStep.LOCATION
    assert counting.prompt(count) == "Go to A-01-02-1 and scan the location."
    assert counting.scan(session, count, w.picker, "A-01-01-1").message == \
        "Wrong location: this is A-01-01-1. Go to A-01-02-1."
    assert counting.scan(session, count, w.picker, "A-01-02-1").ok and count.step == FlowStep.ITEM
    assert counting.scan(session, count, w.picker, w.barcode["MUG-350"]).message == "MUG-350: 1 counted."
    assert counting.scan(session, count, w.picker, w.barcode["GLOVE-L"]).message == "GLOVE-L: 1 counted."
    assert counting.scan(session, count, w.picker, "4").message == "GLOVE-L: 4 counted."  # typed: the last scanned
    outcome = counting.scan(session, count, w.picker, "DONE", Tolerance(units=1))
    assert outcome.ok and count.state == CountState.DONE and count.step == FlowStep.DONE
    # GLOVE-L 5 -> 4 (within 1), and one MUG-350 that was not on the books: both adjusted by a count move
    assert _stock(session, w, "GLOVE-L", "A-01-02-1") == 4 and _stock(session, w, "MUG-350", "A-01-02-1") == 1
    assert len(session.scalars(select(StockMove).where(StockMove.reason == MoveReason.COUNT)).all()) == 2
    assert ledger_mismatches(session) == []


def test_a_variance_beyond_tolerance_waits_for_approval(session, w):
    count = _start(session, w)
    counting.scan(session, count, w.picker, "A-01-02-1")
    counting.scan(session, count, w.picker, w.barcode["GLOVE-L"])
    counting.scan(session, count, w.picker, "2")
    outcome = counting.scan(session, count, w.picker, "DONE", Tolerance(units=1))
    assert outcome.message == "Count of A-01-02-1 sent to the supervisor for approval."
    assert count.state == CountState.AWAITING_APPROVAL and _stock(session, w, "GLOVE-L", "A-01-02-1") == 5
    exception = session.get(FloorException, count.exception_id)
    assert exception.kind == ExceptionKind.COUNT_VARIANCE and exception.qty == -3 and exception.resolved_at is None
    assert any(name == "exception.raised" for name, _, _ in session.info["floor_events"])
    assert counting.awaiting(session) == [count]
    counting.approve_variance(session, count, w.supervisor)
    with pytest.raises(DomainError, match="not waiting for approval"):
        counting.approve_variance(session, count, w.supervisor)  # approved once only
    assert count.state == CountState.DONE and _stock(session, w, "GLOVE-L", "A-01-02-1") == 2
    assert exception.resolved_at is not None
    assert ledger_mismatches(session) == []


def test_recount_and_reject(session, w):
    count = _start(session, w)
    counting.scan(session, count, w.picker, "A-01-02-1")
    counting.finish(session, count, w.picker)  # empty bin counted: GLOVE-L 5 missing
    assert count.state == CountState.AWAITING_APPROVAL
    counting.recount(session, count, w.supervisor)
    assert count.state == CountState.OPEN and count.lines == [] and count.user_id is None
    again = counting.next_count_for(session, w.picker2)
    assert again.id == count.id and again.user_id == w.picker2.id
    counting.scan(session, again, w.picker2, "A-01-02-1")
    counting.finish(session, again, w.picker2)
    counting.reject_variance(session, again, w.supervisor)
    assert again.state == CountState.DONE and _stock(session, w, "GLOVE-L", "A-01-02-1") == 5


def test_a_count_for_one_product_refuses_others_and_lots_come_from_the_scan(session, w):
    counting.request_count(session, w.locations["A-02-01-1"], CountSource.SUPERVISOR, product=w.products["VITC-60"])
    count = counting.next_count_for(session, w.picker)
    counting.scan(session, count, w.picker, "A-02-01-1")
    assert counting.scan(session, count, w.picker, w.barcode["MUG-350"]).message == \
        "This count is for VITC-60 only. Leave MUG-350 where it is."
    assert counting.scan(session, count, w.picker, w.barcode["VITC-60"]).ok  # one lot here: it is that lot
    assert count.lines[0].lot == "L-LATE"


def test_the_counter_sees_no_expected_figure_until_done(session, w):
    count = _start(session, w)
    counting.scan(session, count, w.picker, "A-01-02-1")
    counting.scan(session, count, w.picker, w.barcode["GLOVE-L"])
    assert all(line.expected is None for line in count.lines)


def test_supervisors_ask_by_zone_location_or_product(session, w):
    by_zone = counting.create_counts(session, w.supervisor, zone="B")
    assert sorted(c.location.code for c in by_zone) == ["B-01-01-1", "BULK-01-01"]
    by_sku = counting.create_counts(session, w.supervisor, sku="MUG-350")
    assert sorted(c.location.code for c in by_sku) == ["A-01-01-1", "BULK-01-01"]
    bulk = next(c for c in by_zone if c.location.code == "BULK-01-01")
    assert bulk.id in {c.id for c in by_sku}  # BULK-01-01 was asked for already: the same open count
    with pytest.raises(DomainError):
        counting.create_counts(session, w.supervisor, location="NOPE")


def test_short_pick_counts_come_first(session, w):
    counting.request_count(session, w.locations["A-01-01-1"], CountSource.SUPERVISOR)
    short = counting.request_count(session, w.locations["B-01-01-1"], CountSource.SHORT_PICK, "short pick")
    assert counting.next_count_for(session, w.picker).id == short.id


def test_the_schedule_counts_fast_movers_first_and_not_twice(session, w):
    order = place_order(session, "SO-FAST", [("MUG-350", 5)])
    pick_order(session, order, w.picker)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=1)
    result = count_schedule.schedule(session, now=now, limit=2)
    assert result.classes[w.products["MUG-350"].id] == "A"
    assert result.classes[w.products["GLOVE-L"].id] == "C"
    assert [c.location.code for c in result.created][0] == "A-01-01-1"  # A first
    assert all(c.source == CountSource.SCHEDULE for c in result.created)
    again = count_schedule.schedule(session, now=now, limit=2)
    assert [c.id for c in again.created] == [c.id for c in result.created]  # open counts are not asked twice
