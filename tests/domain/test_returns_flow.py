"""Returns step by step: order -> item -> reason -> disposition -> (location) -> item ... -> done."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from floorapp.domain import returns
from floorapp.domain.models import ReturnLine, Stock, StockMove
from floorapp.domain.states import FlowState, FlowStep, MoveReason, OrderState
from floorapp.domain.stock import ledger_mismatches
from tests.factories import place_order
from tests.flows_data import flows_warehouse, shipped_order


@pytest.fixture
def w(session):
    return flows_warehouse(session)


@pytest.mark.parametrize("text, code", [
    ("SO-1", "SO-1"), ("  SO-1 ", "SO-1"), ("https://shop.example.com/returns/SO-1", "SO-1"),
    ("https://shop.example.com/returns?order=SO-1&x=1", "SO-1"), ("HTTP://x.example/r/SO-1/", "SO-1"),
])
def test_the_order_number_is_read_from_a_packing_slip_qr_or_typed(text, code):
    assert returns.order_code(text) == code


def test_only_shipped_orders_can_come_back(session, w):
    order = place_order(session, "SO-OPEN")
    task, outcome = returns.start(session, w.packer, "SO-OPEN")
    assert task is None and outcome.message == "Order SO-OPEN is allocated: only shipped orders can come back."
    assert returns.start(session, w.packer, "SO-NONE")[1].message.startswith("SO-NONE is not an order.")
    assert order.status == OrderState.ALLOCATED


def test_each_step_gives_the_next_and_stock_follows_the_disposition(session, w):
    order = shipped_order(session, w, lines=(("MUG-350", 2), ("GLOVE-L", 1)))
    task, outcome = returns.start(session, w.packer, order.external_id)
    assert outcome.ok and task.step == FlowStep.ITEM
    assert returns.scan(session, task, w.packer, w.barcode["MUG-350"]).ok and task.step == FlowStep.REASON
    refused = returns.scan(session, task, w.packer, "because")
    assert not refused.ok and refused.message == "Choose a reason: not wanted, damaged, defective or wrong item."
    assert returns.scan(session, task, w.packer, "not wanted").ok and task.step == FlowStep.DISPOSITION
    assert returns.scan(session, task, w.packer, "restock").ok and task.step == FlowStep.LOCATION
    assert task.proposed.code == "A-01-01-1"
    assert returns.scan(session, task, w.packer, "PACK-01").message == \
        "PACK-01 is a pack location, not storage. Put away at A-01-01-1."
    assert returns.scan(session, task, w.packer, "A-01-01-1").ok and task.step == FlowStep.ITEM
    assert order.status == OrderState.RETURNED

    returns.scan(session, task, w.packer, w.barcode["MUG-350"])
    returns.scan(session, task, w.packer, "damaged")
    returns.scan(session, task, w.packer, "quarantine")
    assert task.proposed.code == "QUA-01"
    assert returns.scan(session, task, w.packer, "A-01-01-1").message == \
        "A-01-01-1 is not a quarantine location. Put it at QUA-01 and scan that."
    assert returns.scan(session, task, w.packer, "QUA-01").ok
    refused = returns.scan(session, task, w.packer, w.barcode["MUG-350"])
    assert refused.message == "All 2 x MUG-350 of order SO-RET-1 are already back. Put it aside for your supervisor."

    returns.scan(session, task, w.packer, w.barcode["GLOVE-L"])
    returns.scan(session, task, w.packer, "defective")
    outcome = returns.scan(session, task, w.packer, "scrap")
    assert outcome.ok and task.step == FlowStep.ITEM
    assert returns.scan(session, task, w.packer, "DONE").ok and task.state == FlowState.DONE

    moves = session.scalars(select(StockMove).where(StockMove.reference.like("return %")).order_by(StockMove.id)).all()
    assert [(m.reason, m.to_location_id is not None) for m in moves] == [
        (MoveReason.RETURN, True), (MoveReason.RETURN, True), (MoveReason.RETURN, True), (MoveReason.SCRAP, False)]
    quarantined = session.scalar(select(Stock).where(Stock.location_id == w.locations["QUA-01"].id))
    assert quarantined.on_hand == 1
    lines = session.scalars(select(ReturnLine).order_by(ReturnLine.id)).all()
    assert [(x.product.sku, x.reason.value, x.disposition.value) for x in lines] == [
        ("MUG-350", "not_wanted", "restock"), ("MUG-350", "damaged", "quarantine"), ("GLOVE-L", "defective", "scrap")]
    event = next(data for name, data, _ in session.info["floor_events"] if name == "order.returned")
    assert event == {"order": "SO-RET-1", "lines": [
        {"sku": "MUG-350", "qty": 1, "reason": "not_wanted", "disposition": "restock"},
        {"sku": "MUG-350", "qty": 1, "reason": "damaged", "disposition": "quarantine"},
        {"sku": "GLOVE-L", "qty": 1, "reason": "defective", "disposition": "scrap"}]}
    assert ledger_mismatches(session) == []


def test_an_item_not_in_the_order_is_refused(session, w):
    order = shipped_order(session, w, lines=(("MUG-350", 1),))
    task, _ = returns.start(session, w.packer, order.external_id)
    refused = returns.scan(session, task, w.packer, w.barcode["UMB-RED"])
    assert refused.message == ("UMB-RED Red Compact Umbrella was not shipped in order SO-RET-1. "
                               "Put it aside for your supervisor.")
    assert returns.scan(session, task, w.packer, "0000000000000").message.startswith("Barcode 0000000000000 not found")
    assert task.step == FlowStep.ITEM
