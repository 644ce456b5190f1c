"""Packing: scan the tote or order, verify every item by scan, close the carton."""
from __future__ import annotations

import pytest

from floorapp.domain import packing
from floorapp.domain.errors import DomainError
from floorapp.domain.states import CartonState, OrderState, ScanResult
from tests.factories import pick_order, place_order, tote, warehouse


@pytest.fixture
def wh(session):
    return warehouse(session)


@pytest.fixture
def order(session, wh):
    """Picked into tote T-0001: 2 x MUG-350 and 1 x GLOVE-L."""
    order = place_order(session, "SO-PACK", [("MUG-350", 2), ("GLOVE-L", 1)])
    pick_order(session, order, wh.picker, tote="T-0001")
    session.commit()
    assert order.status == OrderState.PICKED
    return order


@pytest.fixture
def carton(session, wh, order):
    carton, outcome = packing.start(session, wh.packer, "T-0001")
    session.commit()
    assert outcome.ok
    return carton


def verify(session, wh, carton, sku_or_code):
    outcome = packing.verify(session, carton, wh.packer, wh.barcode.get(sku_or_code, sku_or_code))
    session.commit()
    return outcome


def test_start_by_tote_opens_a_carton_for_its_order(session, wh, order):
    carton, outcome = packing.start(session, wh.packer, "T-0001")
    assert outcome.result == ScanResult.OK
    assert outcome.message == "Scan each item of order SO-PACK."
    assert carton.order_id == order.id
    assert carton.state == CartonState.OPEN
    assert order.status == OrderState.PACKING
    assert [(p.line.product.sku, p.expected, p.verified) for p in packing.progress(carton)] == [
        ("MUG-350", 2, 0), ("GLOVE-L", 1, 0)]


def test_start_by_order_number_resumes_the_same_carton(session, wh, order, carton):
    again, outcome = packing.start(session, wh.packer, "SO-PACK")
    assert outcome.ok
    assert again.id == carton.id


def test_start_with_an_empty_tote_or_unknown_code_is_refused(session, wh, order):
    for raw in ("T-0009", "SO-NOPE"):
        carton, outcome = packing.start(session, wh.packer, raw)
        assert carton is None
        assert outcome.result == ScanResult.REFUSED
        assert outcome.message == f"{raw} is not a tote or order waiting for packing. Scan the tote label."


def test_an_order_not_yet_picked_cannot_be_packed(session, wh):
    place_order(session, "SO-EARLY", [("UMB-RED", 1)])
    carton, outcome = packing.start(session, wh.packer, "SO-EARLY")
    assert carton is None
    assert outcome.result == ScanResult.REFUSED


def test_verifying_each_item_counts_it(session, wh, carton):
    outcome = verify(session, wh, carton, "MUG-350")
    assert outcome.ok
    assert outcome.message == "MUG-350 Blue Enamel Mug 350ml: 1 of 2 verified."
    verify(session, wh, carton, "FA-MUG-350")  # any barcode of the product
    outcome = verify(session, wh, carton, "GLOVE-L")
    assert outcome.message == "GLOVE-L Nitrile Gloves L (100): 1 of 1 verified. All items verified. Close the carton."
    assert all(p.missing == 0 for p in packing.progress(carton))


def test_an_item_not_in_the_order_is_refused(session, wh, carton):
    outcome = verify(session, wh, carton, "UMB-RED")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "Wrong item: UMB-RED Red Compact Umbrella is not in order SO-PACK. Put it aside."
    assert all(p.verified == 0 for p in packing.progress(carton))


def test_an_unknown_barcode_is_refused(session, wh, carton):
    outcome = verify(session, wh, carton, "0000000000000")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "Barcode 0000000000000 not found. Scan the barcode on the item."


def test_one_too_many_is_refused(session, wh, carton):
    assert verify(session, wh, carton, "GLOVE-L").ok
    outcome = verify(session, wh, carton, "GLOVE-L")
    assert outcome.result == ScanResult.REFUSED
    assert outcome.message == "One too many: order SO-PACK needs only 1 x GLOVE-L. Put it aside."
    assert [p.verified for p in packing.progress(carton)] == [0, 1]


def test_closing_before_everything_is_verified_is_refused(session, wh, order, carton):
    verify(session, wh, carton, "MUG-350")
    with pytest.raises(DomainError) as caught:
        packing.close(session, carton, wh.packer)
    assert caught.value.message == "Verify every item before closing: 1 x MUG-350, 1 x GLOVE-L still to scan."
    assert carton.state == CartonState.OPEN
    assert order.status == OrderState.PACKING


def test_closing_a_verified_carton_packs_the_order_and_frees_the_totes(session, wh, order, carton):
    for code in ("MUG-350", "MUG-350", "GLOVE-L"):
        assert verify(session, wh, carton, code).ok

    outcome = packing.close(session, carton, wh.packer)
    session.commit()

    assert outcome.message == "Carton closed. Order SO-PACK is packed."
    assert carton.state == CartonState.CLOSED
    assert carton.closed_at is not None
    assert order.status == OrderState.PACKED
    assert [(line.picked, line.packed) for line in order.lines] == [(2, 2), (1, 1)]
    assert tote(session, "T-0001").order_id is None


def test_a_closed_carton_takes_no_more_items(session, wh, order, carton):
    for code in ("MUG-350", "MUG-350", "GLOVE-L"):
        verify(session, wh, carton, code)
    packing.close(session, carton, wh.packer)
    with pytest.raises(DomainError, match="carton is closed"):
        packing.verify(session, carton, wh.packer, wh.barcode["MUG-350"])
    _, outcome = packing.start(session, wh.packer, "SO-PACK")
    assert outcome.result == ScanResult.REFUSED  # packed: nothing left to pack
