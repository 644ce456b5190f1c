"""Lots, expiry, serial numbers and counted-by-scan items while picking; GS1 as scanners send it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from floorapp.domain import receiving, stock
from floorapp.domain.models import PickSerial
from floorapp.domain.states import OrderState, PickStep, ScanResult, Tracking
from tests.factories import place_order, release, take_task, warehouse

from .picking_helpers import gs1, scanner

TODAY = dt.datetime.now(dt.UTC).date()
PAST = TODAY - dt.timedelta(days=30)


@pytest.fixture
def wh(session):
    return warehouse(session)


def _task(session, wh, lines):
    order = place_order(session, "SO-L", lines)
    release(session, order)
    session.commit()
    task = take_task(session, wh.picker, order)
    session.commit()
    return order, task


@pytest.fixture
def vitc(session, wh):
    """VITC-60 x1: FEFO allocated lot L-SOON at B-01-01-1."""
    order, task = _task(session, wh, [("VITC-60", 1)])
    scan = scanner(session, wh.picker)
    scan(task, "B-01-01-1")
    return order, task, scan


def test_a_lot_tracked_item_without_its_lot_asks_for_the_lot(session, wh, vitc):
    order, task, scan = vitc
    outcome = scan(task, wh.barcode["VITC-60"])
    assert outcome.ok and outcome.message == "Scan the lot number of VITC-60 (lot L-SOON)."
    assert task.step == PickStep.LOT
    elsewhere = scan(task, "L-LATE")
    assert elsewhere.result == ScanResult.REFUSED
    assert elsewhere.message == "Lot L-LATE is not at B-01-01-1. Take lot L-SOON."
    assert scan(task, "L-SOON").ok
    assert task.step == PickStep.TOTE and task.counted == 1
    scan(task, "T-0001")
    assert order.status == OrderState.PICKED
    assert stock.ledger_mismatches(session) == []


@pytest.mark.parametrize("prefix", ["]d2", "", "]C1", "]Q3"])
def test_a_gs1_scan_with_lot_and_expiry_is_taken_at_once(session, wh, vitc, prefix):
    _, task, scan = vitc
    outcome = scan(task, gs1(wh.barcode["VITC-60"], expiry=TODAY + dt.timedelta(days=30), lot="L-SOON",
                             prefix=prefix))
    assert outcome.ok, outcome.message
    assert outcome.parsed["lot"] == "L-SOON"
    assert task.step == PickStep.TOTE


def test_an_expired_gs1_lot_is_refused(session, wh, vitc):
    _, task, scan = vitc
    outcome = scan(task, gs1(wh.barcode["VITC-60"], expiry=PAST, lot="L-SOON"))
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == f"Lot L-SOON expired on {PAST.isoformat()}; take another lot."
    assert (task.step, task.counted) == (PickStep.PRODUCT, 0)


def test_a_lot_expired_in_stock_is_refused_even_without_ai_17(session, wh, vitc):
    _, task, scan = vitc
    receiving.receive(session, {"lines": [{"sku": "VITC-60", "location": "B-01-01-1", "qty": 3, "lot": "L-OLD",
                                           "expiry": PAST.isoformat()}]})
    session.commit()
    outcome = scan(task, gs1(wh.barcode["VITC-60"], lot="L-OLD"))
    assert outcome.message == f"Lot L-OLD expired on {PAST.isoformat()}; take another lot."


def test_another_good_lot_at_the_bin_is_refused_for_fefo(session, wh, vitc):
    _, task, scan = vitc
    receiving.receive(session, {"lines": [{"sku": "VITC-60", "location": "B-01-01-1", "qty": 3, "lot": "L-NEW",
                                           "expiry": (TODAY + dt.timedelta(days=300)).isoformat()}]})
    session.commit()
    outcome = scan(task, gs1(wh.barcode["VITC-60"], lot="L-NEW"))
    assert outcome.message == "Wrong lot: this is lot L-NEW. Take lot L-SOON, it expires first."


def test_an_expired_item_is_refused_even_when_not_lot_tracked(session, wh):
    _, task = _task(session, wh, [("MUG-350", 1)])
    scan = scanner(session, wh.picker)
    scan(task, "A-01-01-1")
    outcome = scan(task, gs1(wh.barcode["MUG-350"], expiry=PAST))
    assert outcome.message == f"This item expired on {PAST.isoformat()}; take another one."


@pytest.fixture
def serial(session, wh):
    wh.products["UMB-RED"].tracking = Tracking.SERIAL
    session.commit()
    order, task = _task(session, wh, [("UMB-RED", 2)])
    scan = scanner(session, wh.picker)
    scan(task, "BULK-01-01")
    return order, task, scan


def test_serial_tracked_items_need_one_serial_each(session, wh, serial):
    _, task, scan = serial
    asked = scan(task, wh.barcode["UMB-RED"])
    assert asked.message == "Scan the serial number of this UMB-RED."
    assert task.step == PickStep.SERIAL
    item_again = scan(task, wh.barcode["UMB-RED"])
    assert item_again.message == f"{wh.barcode['UMB-RED']} is the item's barcode. Scan its serial number (S/N)."
    assert scan(task, "SN-0001").ok
    assert (task.step, task.counted) == (PickStep.QTY, 1)
    typed = scan(task, "2")
    assert typed.message == "Scan each UMB-RED: it is counted by scan, not typed."
    twice = scan(task, gs1(wh.barcode["UMB-RED"], serial="SN-0001"))
    assert twice.message == "Serial SN-0001 is already picked here. Scan the serial number of the next UMB-RED."
    assert scan(task, gs1(wh.barcode["UMB-RED"], serial="SN-0002")).ok
    assert task.step == PickStep.TOTE
    assert sorted(session.scalars(select(PickSerial.serial))) == ["SN-0001", "SN-0002"]


def test_a_product_counted_by_scan_refuses_a_typed_quantity(session, wh):
    wh.products["MUG-350"].allow_typed_qty = False
    session.commit()
    _, task = _task(session, wh, [("MUG-350", 3)])
    scan = scanner(session, wh.picker)
    scan(task, "A-01-01-1")
    scan(task, wh.barcode["MUG-350"])
    assert scan(task, "3").message == "Scan each MUG-350: it is counted by scan, not typed."
    scan(task, wh.barcode["MUG-350"])
    scan(task, wh.barcode["MUG-350"])
    assert task.step == PickStep.TOTE
