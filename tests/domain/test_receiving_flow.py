"""Receiving and put-away on the handheld, step by step: each scan gives the next step."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from floorapp.domain import inbound, receiving
from floorapp.domain.errors import Conflict, ValidationFailed
from floorapp.domain.models import Order, Stock, StockMove
from floorapp.domain.states import FlowState, FlowStep, MoveReason, OrderState
from floorapp.domain.stock import ledger_mismatches
from tests.factories import place_order
from tests.flows_data import flows_warehouse


@pytest.fixture
def w(session):
    return flows_warehouse(session)


def _on_hand(session, sku, code):
    return sum(s.on_hand for s in session.scalars(select(Stock)) if s.product.sku == sku and s.location.code == code)


def test_blind_receipt_goes_to_the_pick_face_while_it_has_room(session, w):
    task, outcome = inbound.start(session, w.picker, None)
    assert outcome.ok and task.step == FlowStep.PRODUCT
    assert inbound.scan(session, task, w.picker, w.barcode["MUG-350"]).ok
    assert task.step == FlowStep.QTY and task.counted == 1
    inbound.scan(session, task, w.picker, w.barcode["MUG-350"])
    outcome = inbound.scan(session, task, w.picker, "12")   # typed: the whole count
    assert outcome.ok and task.step == FlowStep.LOCATION
    assert task.proposed.code == "A-01-01-1"  # 10 + 12 <= capacity 30
    assert outcome.message == "Take 12 x MUG-350 to A-01-01-1 and scan the location."
    assert _on_hand(session, "MUG-350", "DOCK-01") == 12  # received onto the dock
    outcome = inbound.scan(session, task, w.picker, "A-01-01-1")
    assert outcome.ok and task.step == FlowStep.PRODUCT
    assert outcome.message.startswith("12 x MUG-350 put away at A-01-01-1.")
    assert _on_hand(session, "MUG-350", "A-01-01-1") == 22 and _on_hand(session, "MUG-350", "DOCK-01") == 0
    reasons = [m.reason for m in session.scalars(select(StockMove).order_by(StockMove.id.desc()).limit(2))]
    assert reasons == [MoveReason.PUTAWAY, MoveReason.RECEIPT]
    assert ledger_mismatches(session) == []


def test_too_much_for_the_pick_face_goes_to_bulk(session, w):
    task, _ = inbound.start(session, w.picker, None)
    inbound.scan(session, task, w.picker, w.barcode["MUG-350"])
    inbound.scan(session, task, w.picker, "40")
    assert task.proposed.code == "BULK-01-01"


def test_wrong_location_scans_are_refused_with_a_sentence(session, w):
    task, _ = inbound.start(session, w.picker, None)
    inbound.scan(session, task, w.picker, w.barcode["MUG-350"])
    inbound.scan(session, task, w.picker, "5")
    refused = inbound.scan(session, task, w.picker, "NOPE-1")
    assert not refused.ok and refused.message == "NOPE-1 is not a location. Scan the location label at A-01-01-1."
    refused = inbound.scan(session, task, w.picker, "A-01-02-1")
    assert refused.message == "A-01-02-1 holds other products. Put away at A-01-01-1, or at an empty bin."
    refused = inbound.scan(session, task, w.picker, "PACK-01")
    assert refused.message == "PACK-01 is a pack location, not storage. Put away at A-01-01-1."
    assert task.step == FlowStep.LOCATION
    assert inbound.scan(session, task, w.picker, "A-02-02-1").ok  # an empty storage bin is allowed
    assert _on_hand(session, "MUG-350", "A-02-02-1") == 5


def test_gs1_lot_and_expiry_are_taken_from_the_scan(session, w):
    task, _ = inbound.start(session, w.picker, None)
    gtin14 = "0" + w.barcode["VITC-60"]
    inbound.scan(session, task, w.picker, f"01{gtin14}1727123110LOT-42")
    assert task.lot == "LOT-42" and task.expiry.isoformat() == "2027-12-31"
    inbound.scan(session, task, w.picker, "3")
    inbound.scan(session, task, w.picker, task.proposed.code)
    row = session.scalar(select(Stock).where(Stock.lot == "LOT-42", Stock.on_hand > 0))
    assert row.on_hand == 3 and row.expiry.isoformat() == "2027-12-31"


def test_a_lot_tracked_product_without_a_lot_asks_for_it(session, w):
    task, _ = inbound.start(session, w.picker, None)
    outcome = inbound.scan(session, task, w.picker, w.barcode["VITC-60"])
    assert task.step == FlowStep.LOT and outcome.message == "VITC-60 is lot-tracked: scan or type the lot number."
    assert inbound.scan(session, task, w.picker, "L-NEW").ok and task.step == FlowStep.QTY and task.lot == "L-NEW"


def test_expected_receipt_limits_what_comes_in_and_closes_when_complete(session, w):
    receipt, created = receiving.create_expected(session, {"reference": "ASN-7", "lines": [
        {"sku": "GLOVE-L", "qty": 3}]})
    assert created
    again, created = receiving.create_expected(session, {"reference": "ASN-7", "lines": [{"sku": "GLOVE-L", "qty": 3}]})
    assert again.id == receipt.id and not created
    with pytest.raises(Conflict):
        receiving.create_expected(session, {"reference": "ASN-7", "lines": [{"sku": "GLOVE-L", "qty": 4}]})
    task, outcome = inbound.start(session, w.picker, "ASN-7")
    assert outcome.ok and task.receipt_id == receipt.id
    refused = inbound.scan(session, task, w.picker, w.barcode["MUG-350"])
    assert refused.message == "MUG-350 Blue Enamel Mug 350ml is not on receipt ASN-7. Put it aside for your supervisor."
    inbound.scan(session, task, w.picker, w.barcode["GLOVE-L"])
    refused = inbound.scan(session, task, w.picker, "5")
    assert refused.message == "Type a quantity from 1 to 3, or scan the item."
    inbound.scan(session, task, w.picker, w.barcode["GLOVE-L"])
    outcome = inbound.scan(session, task, w.picker, w.barcode["GLOVE-L"])  # the third: all expected are in
    assert outcome.ok and task.step == FlowStep.LOCATION and task.proposed.code == "BULK-01-01"  # no pick face
    outcome = inbound.scan(session, task, w.picker, "BULK-01-01")
    assert outcome.message.endswith("Receipt ASN-7 is complete.")
    assert task.state == FlowState.DONE and receipt.state == FlowState.DONE
    assert inbound.start(session, w.picker, "ASN-7")[1].message == "Receipt ASN-7 is already fully received."


def test_expected_receipt_input_is_checked_as_a_whole(session, w):
    with pytest.raises(ValidationFailed) as error:
        receiving.create_expected(session, {"reference": "", "lines": [{"sku": "NOPE", "qty": 0}]})
    assert {d["field"] for d in error.value.details} == {"reference", "lines[0].sku", "lines[0].qty"}


def test_put_away_fills_backorders_first_and_tells_the_board(session, w):
    order = place_order(session, "SO-BACK", [("THERMO-1L", 2)])
    assert order.status == OrderState.BACKORDERED
    task, _ = inbound.start(session, w.picker, None)
    inbound.scan(session, task, w.picker, w.barcode["THERMO-1L"])
    inbound.scan(session, task, w.picker, "4")
    assert task.proposed.code == "BULK-01-01"  # no pick face: bulk
    inbound.scan(session, task, w.picker, "BULK-01-01")
    assert session.scalar(select(Order).where(Order.external_id == "SO-BACK")).status == OrderState.ALLOCATED
    names = [name for name, data, _ in session.info["floor_events"]]
    assert "backorders.filled" in names
    assert ledger_mismatches(session) == []
