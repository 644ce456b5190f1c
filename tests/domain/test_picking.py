"""Picking, one scan at a time: each scan leaves the task at a known next step."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from floorapp.domain import catalog, picking, stock
from floorapp.domain.errors import DomainError
from floorapp.domain.models import PickTask, Stock, StockMove
from floorapp.domain.states import MoveReason, OrderState, PickStep, ScanResult, TaskLineState, TaskState
from tests.factories import gtin, pick_task, place_order, release, take_task, tote, warehouse


@pytest.fixture
def wh(session):
    return warehouse(session)


@pytest.fixture
def order(session, wh):
    """Two visits: A-01-01-1 for 3 x MUG-350, then A-01-02-1 for 1 x GLOVE-L."""
    order = place_order(session, "SO-PICK", [("GLOVE-L", 1), ("MUG-350", 3)])
    release(session, order, user=wh.supervisor)
    session.commit()
    return order


@pytest.fixture
def task(session, wh, order):
    task = take_task(session, wh.picker, order)
    session.commit()
    return task


def scan(session, wh, task, raw):
    outcome = picking.scan(session, task, wh.picker, raw)
    session.commit()
    return outcome


def gs1(code: str, tail: str = "") -> str:
    """A GS1 DataMatrix scan of the product's GTIN as GTIN-14, as a scanner with symbology ids sends it."""
    return "]d201" + code.zfill(14) + tail


def at_qty_step(session, wh, task):
    scan(session, wh, task, "A-01-01-1")
    scan(session, wh, task, wh.barcode["MUG-350"])
    assert (task.step, task.counted) == (PickStep.QTY, 1)


def stock_at(session, wh, sku, location, lot=""):
    return session.scalar(select(Stock).where(Stock.product_id == wh.products[sku].id,
                                              Stock.location_id == wh.locations[location].id, Stock.lot == lot))


# Taking a task


def test_a_taken_task_starts_at_the_first_location_in_pick_sequence(session, wh, task):
    assert task.state == TaskState.ASSIGNED
    assert task.step == PickStep.LOCATION
    assert [(line.location.code, line.product.sku, line.qty) for line in task.lines] == [
        ("A-01-01-1", "MUG-350", 3), ("A-01-02-1", "GLOVE-L", 1)]
    assert picking.prompt(task) == "Go to A-01-01-1 and scan the location."


def test_taking_again_returns_the_unfinished_task(session, wh, task):
    assert picking.take_next_task(session, wh.picker).id == task.id


def test_a_second_picker_finds_no_work_when_the_only_task_is_taken(session, wh, task):
    with pytest.raises(DomainError, match="No pick work waiting"):
        picking.take_next_task(session, wh.picker2)


def test_rush_tasks_are_handed_out_first(session, wh):
    normal = place_order(session, "SO-NORMAL", [("MUG-350", 1)])
    rush = place_order(session, "SO-RUSH", [("GLOVE-L", 1)], priority="rush")
    release(session, normal)
    release(session, rush)

    assert picking.take_next_task(session, wh.picker).order_id == rush.id
    assert picking.take_next_task(session, wh.picker2).order_id == normal.id


def test_someone_elses_task_cannot_be_scanned(session, wh, task):
    with pytest.raises(DomainError, match="belongs to someone else"):
        picking.scan(session, task, wh.picker2, "A-01-01-1")


# Location step


def test_right_location_moves_to_product(session, wh, task):
    outcome = scan(session, wh, task, "A-01-01-1\r\n")
    assert outcome.result == ScanResult.OK
    assert task.step == PickStep.PRODUCT
    assert outcome.message == "Scan MUG-350 Blue Enamel Mug 350ml."


def test_wrong_location_is_refused(session, wh, task):
    outcome = scan(session, wh, task, "A-01-02-1")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "Wrong location: this is A-01-02-1. Go to A-01-01-1."
    assert task.step == PickStep.LOCATION


def test_something_that_is_not_a_location_is_refused_differently(session, wh, task):
    outcome = scan(session, wh, task, "HELLO")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "HELLO is not a location. Scan the location label at A-01-01-1."
    assert task.step == PickStep.LOCATION


# Product step


def test_right_product_counts_one_and_asks_for_the_rest(session, wh, task):
    scan(session, wh, task, "A-01-01-1")
    outcome = scan(session, wh, task, wh.barcode["MUG-350"])
    assert outcome.ok
    assert task.step == PickStep.QTY
    assert task.counted == 1
    assert outcome.message.startswith("Picked 1 of 3.")


def test_wrong_product_is_refused_naming_both(session, wh, task):
    scan(session, wh, task, "A-01-01-1")
    outcome = scan(session, wh, task, wh.barcode["GLOVE-L"])
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == ("Wrong item: this is GLOVE-L Nitrile Gloves L (100). "
                               "Scan MUG-350 Blue Enamel Mug 350ml.")
    assert (task.step, task.counted) == (PickStep.PRODUCT, 0)


def test_unknown_barcode_is_refused_as_not_found(session, wh, task):
    scan(session, wh, task, "A-01-01-1")
    outcome = scan(session, wh, task, "4006381999996")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == ("Barcode 4006381999996 not found. "
                               "Scan the barcode on the item: MUG-350 Blue Enamel Mug 350ml.")
    assert task.step == PickStep.PRODUCT


def test_any_barcode_of_the_product_is_accepted(session, wh, task):
    scan(session, wh, task, "A-01-01-1")
    assert scan(session, wh, task, "FA-MUG-350").ok  # the internal Code 128
    assert task.counted == 1


def test_gs1_scan_of_the_gtin_with_a_lot_is_accepted(session, wh, task):
    scan(session, wh, task, "A-01-01-1")
    outcome = scan(session, wh, task, gs1(wh.barcode["MUG-350"], "10LOT1"))
    assert outcome.ok
    assert outcome.parsed["gtin"] == "0" + wh.barcode["MUG-350"]
    assert outcome.parsed["lot"] == "LOT1"
    assert (task.step, task.counted) == (PickStep.QTY, 1)


def test_gs1_scan_carrying_the_quantity_counts_all_at_once(session, wh, task):
    scan(session, wh, task, "A-01-01-1")
    outcome = scan(session, wh, task, gs1(wh.barcode["MUG-350"], "303"))
    assert outcome.ok
    assert (task.step, task.counted) == (PickStep.TOTE, 3)


def test_upc_a_scanned_as_gtin_14_is_found(session, wh):
    order = place_order(session, "SO-UPC", [("GLOVE-L", 1)])
    release(session, order)
    task = take_task(session, wh.picker, order)
    scan(session, wh, task, "A-01-02-1")
    outcome = scan(session, wh, task, gs1(wh.barcode["GLOVE-L"]))
    assert outcome.ok
    assert task.step == PickStep.TOTE  # one needed, one scanned: straight to the tote


# Quantity step


def test_counting_by_repeated_scans(session, wh, task):
    at_qty_step(session, wh, task)
    scan(session, wh, task, wh.barcode["MUG-350"])
    assert (task.step, task.counted) == (PickStep.QTY, 2)
    outcome = scan(session, wh, task, wh.barcode["MUG-350"])
    assert (task.step, task.counted) == (PickStep.TOTE, 3)
    assert outcome.message == "Put 3 x MUG-350 into a tote and scan the tote."


def test_counting_by_typed_quantity(session, wh, task):
    at_qty_step(session, wh, task)
    outcome = scan(session, wh, task, "3")
    assert outcome.ok
    assert (task.step, task.counted) == (PickStep.TOTE, 3)


def test_typing_more_than_needed_is_refused(session, wh, task):
    at_qty_step(session, wh, task)
    outcome = scan(session, wh, task, "4")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "Type a quantity from 1 to 3, or scan the item."
    assert (task.step, task.counted) == (PickStep.QTY, 1)


def test_scanning_more_than_needed_is_refused(session, wh, task):
    at_qty_step(session, wh, task)
    outcome = scan(session, wh, task, gs1(wh.barcode["MUG-350"], "303"))  # 1 + 3 > 3
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "Too many: only 3 MUG-350 needed here, you have 4. Put 1 back."
    assert (task.step, task.counted) == (PickStep.QTY, 1)


def test_a_wrong_item_while_counting_is_refused(session, wh, task):
    at_qty_step(session, wh, task)
    outcome = scan(session, wh, task, wh.barcode["GLOVE-L"])
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message.startswith("Wrong item: this is GLOVE-L")
    assert (task.step, task.counted) == (PickStep.QTY, 1)


# Tote step


def test_tote_scan_binds_the_tote_and_moves_to_the_next_location(session, wh, order, task):
    at_qty_step(session, wh, task)
    scan(session, wh, task, "3")
    outcome = scan(session, wh, task, "T-0001")

    assert outcome.ok
    assert outcome.message == "3 x MUG-350 in tote T-0001. Go to A-01-02-1 and scan the location."
    assert task.step == PickStep.LOCATION
    assert task.current_line.location.code == "A-01-02-1"
    assert tote(session, "T-0001").order_id == order.id
    assert task.lines[0].state == TaskLineState.PICKED
    assert order.status == OrderState.PICKING


def test_something_that_is_not_a_tote_is_refused(session, wh, task):
    at_qty_step(session, wh, task)
    scan(session, wh, task, "3")
    outcome = scan(session, wh, task, "A-01-01-1")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "A-01-01-1 is not a tote. Scan a tote label."
    assert task.step == PickStep.TOTE


def test_a_tote_holding_another_order_is_refused(session, wh, task):
    other = place_order(session, "SO-OTHER", [("UMB-RED", 1)])
    tote(session, "T-0002").order_id = other.id
    session.commit()
    at_qty_step(session, wh, task)
    scan(session, wh, task, "3")

    outcome = scan(session, wh, task, "T-0002")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "Tote T-0002 already holds order SO-OTHER. Take an empty tote."
    assert task.step == PickStep.TOTE

    # Once the task has a tote, the refusal points back to it.
    scan(session, wh, task, "T-0001")
    scan(session, wh, task, "A-01-02-1")
    scan(session, wh, task, wh.barcode["GLOVE-L"])
    assert task.step == PickStep.TOTE
    assert picking.prompt(task) == "Put 1 x GLOVE-L into tote T-0001 and scan it."
    outcome = scan(session, wh, task, "T-0002")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "Wrong tote: T-0002 holds order SO-OTHER. Scan tote T-0001."


# Done


def test_last_tote_scan_finishes_the_task_and_the_order_is_picked(session, wh, order, task):
    outcomes = pick_task(session, task, wh.picker, "T-0001")
    session.commit()

    assert outcomes[-1].message == "All picked. Take tote T-0001 to packing."
    assert task.step == PickStep.DONE
    assert task.state == TaskState.DONE
    assert task.finished_at is not None
    assert order.status == OrderState.PICKED
    assert [line.picked for line in order.lines] == [1, 3]
    assert scan(session, wh, task, "A-01-01-1").message == "This pick task is finished."


def test_picked_units_move_from_the_bin_to_packing_and_the_reservation_is_released(session, wh, task):
    assert stock_at(session, wh, "MUG-350", "A-01-01-1").reserved == 3
    pick_task(session, task, wh.picker, "T-0001")
    session.commit()

    bin_ = stock_at(session, wh, "MUG-350", "A-01-01-1")
    assert (bin_.on_hand, bin_.reserved) == (7, 0)
    assert stock_at(session, wh, "MUG-350", "PACK-01").on_hand == 3
    assert stock_at(session, wh, "GLOVE-L", "PACK-01").on_hand == 1
    moves = session.scalars(select(StockMove).where(StockMove.reason == MoveReason.PICK)
                            .order_by(StockMove.id)).all()
    assert [(m.qty, m.from_location_id, m.to_location_id, m.user_id) for m in moves] == [
        (3, wh.locations["A-01-01-1"].id, wh.locations["PACK-01"].id, wh.picker.id),
        (1, wh.locations["A-01-02-1"].id, wh.locations["PACK-01"].id, wh.picker.id)]
    assert stock.ledger_mismatches(session) == []


def test_lot_tracked_picks_move_their_lot(session, wh):
    order = place_order(session, "SO-LOT", [("VITC-60", 5)])
    release(session, order)
    task = take_task(session, wh.picker, order)
    pick_task(session, task, wh.picker, "T-0003")
    session.commit()

    assert stock_at(session, wh, "VITC-60", "PACK-01", "L-SOON").on_hand == 4
    assert stock_at(session, wh, "VITC-60", "PACK-01", "L-LATE").on_hand == 1
    assert stock_at(session, wh, "VITC-60", "B-01-01-1", "L-SOON").on_hand == 0
    assert order.status == OrderState.PICKED
    assert stock.ledger_mismatches(session) == []


# Scans as real scanners send them


def test_gs1_128_carrying_only_the_gtin_without_symbology_id_is_found(session, wh, task):
    scan(session, wh, task, "A-01-01-1")
    outcome = scan(session, wh, task, "01" + wh.barcode["MUG-350"].zfill(14))  # (01) alone: 16 digits
    assert outcome.ok
    assert outcome.parsed["gtin"] == "0" + wh.barcode["MUG-350"]
    assert task.counted == 1


def test_gs1_scan_of_an_ean_8_product_is_found(session, wh):
    ean8 = gtin("963850", 7, 8)
    catalog.upsert_product(session, "UMB-RED", {"name": "Red Compact Umbrella", "barcodes": [
        {"code": wh.barcode["UMB-RED"], "kind": "gtin13"}, {"code": ean8, "kind": "ean8"}]})
    order = place_order(session, "SO-EAN8", [("UMB-RED", 1)])
    release(session, order)
    task = take_task(session, wh.picker, order)
    scan(session, wh, task, "BULK-01-01")

    outcome = scan(session, wh, task, gs1(ean8, "10L1"))
    assert outcome.ok, outcome.message
    assert task.step == PickStep.TOTE


def test_an_order_named_twice_in_a_release_gets_one_task(session, wh):
    order = place_order(session, "SO-TWICE", [("MUG-350", 1)])
    release(session, order, order)
    session.commit()

    tasks = session.scalars(select(PickTask).where(PickTask.order_id == order.id)).all()
    assert len(tasks) == 1
    assert len(tasks[0].lines) == 1
