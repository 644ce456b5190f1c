"""Supervisor services: who may act, what they refuse, what they record, and the exceptions feed."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from floorapp.domain import events, exceptions, scans, supervising
from floorapp.domain.errors import DomainError
from floorapp.domain.models import PrintJob, SupervisorAction
from floorapp.domain.scans import Outcome
from floorapp.domain.states import (
    OrderState,
    PrintFormat,
    PrintState,
    ScanResult,
    TaskState,
    WaveStrategy,
)
from tests.factories import (
    pack_order,
    pick_order,
    place_order,
    release,
    take_task,
    warehouse,
)


@pytest.fixture
def w(session):
    return warehouse(session)


def test_only_supervisors_and_admins_may_pull_the_levers(session, w):
    order = place_order(session, "SO-1")
    for worker in (w.picker, w.packer):
        with pytest.raises(DomainError, match="Only a supervisor"):
            supervising.release_wave(session, worker, [order], WaveStrategy.PIECE)
        with pytest.raises(DomainError, match="Only a supervisor"):
            supervising.rush(session, worker, order.id)
    wave = supervising.release_wave(session, w.admin, [order], WaveStrategy.PIECE)
    assert order.status == OrderState.RELEASED and wave.released_by_id == w.admin.id


def test_wave_filters_choose_by_priority_ship_by_and_zone_and_estimate_lines_per_zone(session, w):
    rush = place_order(session, "SO-R", [("GLOVE-L", 1)], priority="rush", ship_by="2030-01-01")
    later = place_order(session, "SO-L", [("VITC-60", 1), ("MUG-350", 1)], ship_by="2030-02-01")
    bulk = place_order(session, "SO-U", [("UMB-RED", 1)], ship_by="2030-03-01")
    pick = supervising.wave_candidates
    assert pick(session, supervising.WaveFilter(priority="rush")) == [rush]
    assert pick(session, supervising.WaveFilter(ship_by=dt.date(2030, 2, 1))) == [rush, later]
    assert pick(session, supervising.WaveFilter(zone="B")) == [later, bulk]  # B-01-01-1 (VITC L-SOON), BULK-01-01
    assert supervising.lines_per_zone(session, [rush, later, bulk]) == {"A": 2, "B": 2}


def test_wave_filter_chooses_by_carrier_and_the_estimate_follows_the_chosen_orders(session, w):
    ups = place_order(session, "SO-U1", [("GLOVE-L", 1)], carrier="UPS", ship_by="2030-01-01")
    dhl = place_order(session, "SO-D1", [("VITC-60", 1), ("MUG-350", 1)], carrier=" DHL ", ship_by="2030-01-02")
    anyone = place_order(session, "SO-N1", [("UMB-RED", 1)], ship_by="2030-01-03")
    ups_later = place_order(session, "SO-U2", [("MUG-350", 1)], carrier="UPS", ship_by="2030-01-04")
    shipped_dhl = place_order(session, "SO-D0", [("GLOVE-L", 1)], carrier="Local courier")
    release(session, shipped_dhl)  # released orders are not offered again, nor their carriers
    pick = supervising.wave_candidates
    assert dhl.carrier == "DHL" and anyone.carrier == ""
    assert supervising.releasable_carriers(session) == ["DHL", "UPS"]
    assert pick(session, supervising.WaveFilter(carrier="UPS")) == [ups, ups_later]
    assert pick(session, supervising.WaveFilter(carrier="DHL")) == [dhl]
    assert pick(session, supervising.WaveFilter(carrier="Local courier")) == []
    assert pick(session, supervising.WaveFilter()) == [ups, dhl, anyone, ups_later]
    assert pick(session, supervising.WaveFilter(carrier="UPS", zone="B")) == []
    assert pick(session, supervising.WaveFilter(carrier="DHL", zone="B")) == [dhl]
    assert supervising.lines_per_zone(session, pick(session, supervising.WaveFilter(carrier="DHL"))) == {"A": 1, "B": 1}
    assert supervising.lines_per_zone(session, pick(session, supervising.WaveFilter(carrier="UPS"))) == {"A": 2}


def test_task_levers_refuse_what_makes_no_sense(session, w):
    first, second = place_order(session, "SO-1"), place_order(session, "SO-2")
    release(session, first, second)
    mine = take_task(session, w.picker, first)
    robins = take_task(session, w.picker2, second)
    with pytest.raises(DomainError, match="Robin Reyes is on task"):
        supervising.reassign(session, w.supervisor, mine.id, w.picker2.id)
    with pytest.raises(DomainError, match="active picker"):
        supervising.reassign(session, w.supervisor, mine.id, w.packer.id)
    with pytest.raises(DomainError, match="is not paused"):
        supervising.resume(session, w.supervisor, mine.id)
    events.take(session)
    supervising.pause(session, w.supervisor, robins.id)
    pushed = [(name, data["change"], rooms) for name, data, rooms in events.take(session) if name == "task.changed"]
    assert pushed == [("task.changed", "paused", ("board", f"user:{w.picker2.id}"))]
    supervising.reassign(session, w.supervisor, mine.id, w.picker2.id)  # Robin's own task is paused: free to take it
    assert (mine.user_id, mine.state, robins.state) == (w.picker2.id, TaskState.ASSIGNED, TaskState.PAUSED)


def test_rush_moves_waiting_tasks_to_the_front_and_is_refused_once_shipped(session, w):
    order = place_order(session, "SO-1")
    release(session, order)
    supervising.rush(session, w.supervisor, order.id)
    task = take_task(session, w.picker, order)
    assert task.priority == 1
    with pytest.raises(DomainError, match="already a rush"):
        supervising.rush(session, w.supervisor, order.id)
    actions = session.scalars(select(SupervisorAction.action)).all()
    assert actions == ["order.rush"]


def test_the_feed_shows_streaks_and_failed_prints_until_seen_to(session, w):
    now = dt.datetime(2026, 3, 2, 10, 0)
    for n, result in enumerate([ScanResult.OK] + [ScanResult.REFUSED] * 3 + [ScanResult.OK] + [ScanResult.REFUSED] * 2):
        scans.keep(session, client_id=f"s{n}", user_id=w.picker.id, device="", context="pick:7", raw=f"X{n}",
                   step="product", outcome=Outcome(result, ""), at=now - dt.timedelta(minutes=10 - n))
    session.add(PrintJob(printer="ZD421", format=PrintFormat.ZPL, document="label:SO-1", state=PrintState.FAILED,
                         attempts=3, error="offline"))
    session.flush()
    feed = {issue.kind: issue for issue in exceptions.feed(session, now)}
    assert set(feed) == {"wrong_item_streak", "print_failed"}
    assert feed["wrong_item_streak"].title == "3 refused scans in a row" and "X3" in feed["wrong_item_streak"].detail
    assert [a.code for a in feed["print_failed"].actions] == ["retry"]
    assert "queued again" in exceptions.resolve(session, feed["print_failed"].key, "retry", w.supervisor)
    exceptions.resolve(session, feed["wrong_item_streak"].key, "acknowledge", w.supervisor)
    session.flush()
    assert exceptions.feed(session, now) == []
    with pytest.raises(DomainError, match="does not resolve"):
        exceptions.resolve(session, "print:1", "acknowledge", w.supervisor)


def test_shipping_moves_the_packed_units_out_and_keeps_the_ledger(session, w):
    from floorapp.domain import orders
    from floorapp.domain.stock import ledger_mismatches
    order = place_order(session, "SO-1", [("VITC-60", 5)])  # two lots: L-SOON 4 at B, L-LATE 1 at A
    pick_order(session, order, w.picker)
    pack_order(session, order, w.packer)
    moves = orders.ship_order(session, order, carrier="UPS", tracking="1Z1", user_id=w.packer.id)
    assert sorted((m.lot, m.qty) for m in moves) == [("L-LATE", 1), ("L-SOON", 4)]
    assert order.status == OrderState.SHIPPED and order.lines[0].shipped == 5
    assert {m.reference for m in moves} == {"order:SO-1"}
    assert ledger_mismatches(session) == []
    with pytest.raises(DomainError, match="only packed orders"):
        orders.ship_order(session, order, carrier="UPS")
