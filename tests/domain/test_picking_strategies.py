"""Batch (cluster) and zone picking, and sorting zone totes into order totes, scan by scan."""
from __future__ import annotations

import pytest

from floorapp.domain import packing, picking, sorting, stock, waves
from floorapp.domain.states import (
    OrderState,
    PickStep,
    ScanResult,
    TaskState,
    WaveStrategy,
)
from tests.factories import place_order, take_task, tote, warehouse

from .picking_helpers import scanner


@pytest.fixture
def wh(session):
    return warehouse(session)


# Batch: one tote per order on the cart, each unit told its tote


@pytest.fixture
def batch(session, wh):
    b1 = place_order(session, "SO-B1", [("MUG-350", 2), ("GLOVE-L", 1)])
    b2 = place_order(session, "SO-B2", [("MUG-350", 1)])
    waves.release(session, [b1, b2], strategy=WaveStrategy.BATCH, totes=4)
    session.commit()
    task = take_task(session, wh.picker)
    session.commit()
    return task, b1, b2


def test_batch_starts_by_putting_one_empty_tote_per_order_on_the_cart(session, wh, batch):
    task, b1, b2 = batch
    scan = scanner(session, wh.picker)
    assert task.step == PickStep.CART
    assert picking.prompt(task) == "Scan an empty tote for order SO-B1 (1 of 2)."

    assert scan(task, "A-01-01-1").message == "A-01-01-1 is not a tote. Scan a tote label."
    outcome = scan(task, "T-0001")
    assert outcome.ok and outcome.message == ("Tote T-0001 is for order SO-B1. "
                                              "Scan an empty tote for order SO-B2 (2 of 2).")
    again = scan(task, "T-0001")
    assert again.result == ScanResult.REFUSED
    assert again.message == ("Tote T-0001 is already on your cart for order SO-B1. "
                             "Scan an empty tote for order SO-B2.")
    assert scan(task, "T-0002").ok
    assert task.step == PickStep.LOCATION and task.current_line.location.code == "A-01-01-1"
    assert (tote(session, "T-0001").order_id, tote(session, "T-0002").order_id) == (b1.id, b2.id)


def test_a_tote_holding_another_order_cannot_go_on_the_cart(session, wh, batch):
    task, *_ = batch
    other = place_order(session, "SO-OTHER", [("UMB-RED", 1)])
    tote(session, "T-0003").order_id = other.id
    session.commit()
    outcome = scanner(session, wh.picker)(task, "T-0003")
    assert outcome.message == "Tote T-0003 is in use. Take an empty tote."
    assert task.step == PickStep.CART


def test_batch_tells_each_unit_its_tote_and_refuses_the_wrong_one(session, wh, batch):
    task, b1, b2 = batch
    scan = scanner(session, wh.picker)
    scan(task, "T-0001")
    scan(task, "T-0002")
    scan(task, "A-01-01-1")
    scan(task, wh.barcode["MUG-350"])
    assert scan(task, "2").ok
    assert picking.prompt(task) == "Put 2 x MUG-350 into tote T-0001 (order SO-B1) and scan it."

    wrong = scan(task, "T-0002")
    assert wrong.result == ScanResult.REFUSED
    assert wrong.message == "Wrong tote: T-0002 is for order SO-B2. Put 2 x MUG-350 into tote T-0001."
    stranger = scan(task, "T-0005")
    assert stranger.message == "Wrong tote: T-0005 is not T-0001. Put 2 x MUG-350 into tote T-0001."
    assert task.step == PickStep.TOTE

    right = scan(task, "T-0001")
    assert right.ok
    # the next unit is for the other order at the same location: straight to the product
    assert task.step == PickStep.PRODUCT and task.current_line.order_line.order_id == b2.id
    scan(task, wh.barcode["MUG-350"])
    assert picking.prompt(task) == "Put 1 x MUG-350 into tote T-0002 (order SO-B2) and scan it."
    scan(task, "T-0002")
    scan(task, "A-01-02-1")
    scan(task, wh.barcode["GLOVE-L"])
    done = scan(task, "T-0001")

    assert done.message == "All picked. Take tote T-0001, T-0002 to packing."
    assert task.state == TaskState.DONE
    assert (b1.status, b2.status) == (OrderState.PICKED, OrderState.PICKED)
    assert [line.picked for line in b1.lines] == [2, 1] and b2.lines[0].picked == 1
    assert stock.ledger_mismatches(session) == []
    carton, started = packing.start(session, wh.packer, "T-0002")
    assert started.ok and carton.order_id == b2.id


# Zone: each zone's lines into one tote, sorted into order totes at the put wall


@pytest.fixture
def zone(session, wh):
    z1 = place_order(session, "SO-Z1", [("MUG-350", 1), ("UMB-RED", 1)])
    z2 = place_order(session, "SO-Z2", [("GLOVE-L", 1), ("UMB-RED", 2)])
    waves.release(session, [z1, z2], strategy=WaveStrategy.ZONE)
    session.commit()
    return z1, z2


def _pick_zone_a(session, wh):
    scan = scanner(session, wh.picker)
    task = take_task(session, wh.picker)
    assert task.zone_id == wh.zones["A"].id
    scan(task, "A-01-01-1")
    scan(task, wh.barcode["MUG-350"])
    assert picking.prompt(task) == "Put 1 x MUG-350 into a tote for sorting and scan the tote."
    assert scan(task, "T-0005").ok
    scan(task, "A-01-02-1")
    scan(task, wh.barcode["GLOVE-L"])
    wrong = scan(task, "T-0006")
    assert wrong.message == "Wrong tote: T-0006 is not T-0005. Put 1 x GLOVE-L into tote T-0005."
    done = scan(task, "T-0005")
    assert done.message == "All picked. Take tote T-0005 to sorting."
    return task


def _pick_zone_b(session, wh):
    scan = scanner(session, wh.picker2)
    task = take_task(session, wh.picker2)
    assert task.zone_id == wh.zones["B"].id
    scan(task, "BULK-01-01")
    scan(task, wh.barcode["UMB-RED"])
    busy = scan(task, "T-0005")
    assert busy.message == "Tote T-0005 is in use. Take an empty tote."  # zone A's tote waits for sorting
    scan(task, "T-0006")
    assert task.step == PickStep.PRODUCT  # same location, the other order's umbrellas
    scan(task, wh.barcode["UMB-RED"])
    scan(task, "2")
    assert scan(task, "T-0006").message == "All picked. Take tote T-0006 to sorting."
    return task


def test_zone_picks_wait_for_sorting_before_the_order_is_picked(session, wh, zone):
    z1, z2 = zone
    _pick_zone_a(session, wh)
    assert (z1.status, z2.status) == (OrderState.PICKING, OrderState.PICKING)
    _pick_zone_b(session, wh)
    session.commit()
    assert (z1.status, z2.status) == (OrderState.PICKING, OrderState.PICKING)  # not sorted yet
    assert tote(session, "T-0005").order_id is None


def test_sorting_puts_each_item_into_its_orders_tote(session, wh, zone):
    z1, z2 = zone
    _pick_zone_a(session, wh)
    _pick_zone_b(session, wh)
    work = sorting.work_for(session, wh.packer)

    def sort(raw):
        outcome = sorting.scan(session, work, wh.packer, raw)
        session.commit()
        return outcome

    assert sort("T-0007").message == "Tote T-0007 has nothing to sort. Scan a tote from zone picking."
    assert sort("T-0005").message == "Take an item from tote T-0005 and scan it."
    assert sort(wh.barcode["UMB-RED"]).message == (
        "Wrong item: UMB-RED Red Compact Umbrella is not waiting in tote T-0005. Put it aside and scan another item.")
    assert sort("4006381999996").message.startswith("Barcode 4006381999996 not found.")
    put = sort(wh.barcode["MUG-350"])
    assert put.message == "Put 1 x MUG-350 into an empty tote for order SO-Z1 and scan it."
    assert sorting.step_of(work) == "sort"
    assert sort("T-0006").message == "Tote T-0006 is in use. Take an empty tote."
    assert sort("T-0008").ok
    assert tote(session, "T-0008").order_id == z1.id
    sort(wh.barcode["GLOVE-L"])
    emptied = sort("T-0009")
    assert emptied.message.endswith("Tote T-0005 is empty: all sorted. Scan a tote from zone picking.")
    assert sorting.step_of(work) == "tote"

    sort("T-0006")
    assert sort(wh.barcode["UMB-RED"]).message == "Put 1 x UMB-RED into tote T-0008 for order SO-Z1 and scan it."
    wrong = sort("T-0009")
    assert wrong.result == ScanResult.REFUSED
    assert wrong.message == "Wrong tote: T-0009 is not for order SO-Z1. Put the UMB-RED into tote T-0008."
    finished = sort("T-0008")
    assert "Order SO-Z1 is complete: take tote T-0008 to packing." in finished.message
    assert z1.status == OrderState.SORTED and z2.status == OrderState.PICKING
    for _ in range(2):
        sort(wh.barcode["UMB-RED"])
        sort("T-0009")
    assert z2.status == OrderState.SORTED
    assert sorting.step_of(work) == "tote"
    assert stock.ledger_mismatches(session) == []
    carton, started = packing.start(session, wh.packer, "T-0009")
    assert started.ok and carton.order_id == z2.id
