"""Packing beyond one carton: boxes, weights, SSCC, several cartons, ship confirm, missing items."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from floorapp.domain import (
    boxes,
    cartons,
    documents,
    events,
    packing,
    receiving,
    shipping,
    stations,
)
from floorapp.domain.documents import PackSettings
from floorapp.domain.errors import DomainError
from floorapp.domain.models import FloorException, PrintJob, StoredDocument
from floorapp.domain.states import CartonState, ExceptionKind, OrderState, PrintFormat
from floorapp.domain.stock import ledger_mismatches
from printing import is_valid_sscc
from tests.factories import pick_order, pick_task, place_order, take_task, warehouse

SETTINGS = PackSettings(ship_from={"name": "DC", "line1": "1 Dock Road", "city": "Springfield", "postal_code": "62701",
                                   "country": "US"}, gs1_company_prefix="4006381")


@pytest.fixture
def wh(session):
    wh = warehouse(session)
    stations.seed_demo(session)
    session.commit()
    return wh


@pytest.fixture
def order(session, wh):
    """Picked: 2 x MUG-350, 1 x GLOVE-L (300 g, 120x90x95 mm each)."""
    order = place_order(session, "SO-FLOW", [("MUG-350", 2), ("GLOVE-L", 1)])
    pick_order(session, order, wh.picker, tote="T-0001")
    session.commit()
    return order


def scan(session, wh, carton, sku):
    outcome = packing.verify(session, carton, wh.packer, wh.barcode[sku])
    assert outcome.ok, outcome.message
    return outcome


def test_the_smallest_box_that_fits_is_suggested(session, wh):
    mug = wh.products["MUG-350"]
    assert boxes.suggest(session, [(mug, 1)]).box.code == "S"
    assert boxes.suggest(session, [(mug, 6)]).box.code == "M"         # 6.2 l of mugs: too much for S (2.4 l)
    mug.weight_g = 4000
    assert boxes.suggest(session, [(mug, 2)]).box.code == "M"         # 8 kg: over S's 5 kg
    mug.length_mm = 700
    suggestion = boxes.suggest(session, [(mug, 1)])
    assert not suggestion.fits and suggestion.box.code == "XL"        # longer than any box: the largest, flagged


def test_an_order_in_two_cartons_gets_two_ssccs_and_ships_when_both_have(session, wh, order):
    first, _ = packing.start(session, wh.packer, "T-0001", "PACK-1")
    scan(session, wh, first, "MUG-350")
    with pytest.raises(DomainError, match="Verify every item before closing: 1 x MUG-350, 1 x GLOVE-L"):
        packing.close(session, first, wh.packer, settings=SETTINGS)
    outcome, jobs, second = cartons.close_and_print(session, first, wh.packer, stations.station_for(session, "PACK-1"),
                                                    SETTINGS, partial=True)
    session.commit()
    assert outcome.message == "Carton closed. 2 more item(s) of order SO-FLOW: scan them into the next carton."
    assert first.state == CartonState.CLOSED and is_valid_sscc(first.sscc) and first.sscc.startswith("04006381")
    assert first.box_type == "S" and first.weight_g == 300 + 120 and first.tracking_number.startswith("MAN")
    assert order.status == OrderState.PACKING and second.state == CartonState.OPEN
    assert [j.document for j in jobs] == [f"carton-label:{first.sscc}", f"shipping-label:{first.sscc}"]

    assert [(p.line.product.sku, p.expected) for p in packing.progress(second)] == [("MUG-350", 1), ("GLOVE-L", 1)]
    scan(session, wh, second, "MUG-350")
    scan(session, wh, second, "GLOVE-L")
    outcome, jobs, none = cartons.close_and_print(session, second, wh.packer, stations.station_for(session, "PACK-1"),
                                                  SETTINGS, weight_g=800)
    session.commit()
    assert none is None and order.status == OrderState.PACKED and outcome.message == "Carton closed. Order SO-FLOW is packed."
    assert int(second.sscc[8:17]) == int(first.sscc[8:17]) + 1          # serials from one sequence
    assert jobs[-1].document == "packing-slip:SO-FLOW"

    events.take(session)
    assert shipping.confirm(session, first, wh.packer, tracking="1Z999AA10123456784") is False
    assert order.status == OrderState.PACKED and first.tracking_number == "1Z999AA10123456784"
    assert shipping.confirm(session, second, wh.packer) is True
    session.commit()
    assert order.status == OrderState.SHIPPED
    assert [(line.packed, line.shipped) for line in order.lines] == [(2, 2), (1, 1)]
    shipped = [data for name, data, rooms in events.take(session) if name == "order.shipped"]
    assert shipped == [{"order": "SO-FLOW", "cartons": [
        {"sscc": first.sscc, "carrier": "manual", "service": "Ground", "tracking": "1Z999AA10123456784"},
        {"sscc": second.sscc, "carrier": "manual", "service": "Ground", "tracking": second.tracking_number}]}]
    assert ledger_mismatches(session) == []
    with pytest.raises(DomainError, match="already shipped"):
        shipping.confirm(session, first, wh.packer)


@pytest.mark.parametrize("asked, chosen, expected", [
    ("FREIGHT", "", ("freight", "Pallet")),        # set up here (by name, any case): proposed
    ("freight", "manual", ("manual", "Ground")),   # the packer chose another: theirs wins
    ("UPS", "", ("manual", "Ground")),             # not set up here: the default carrier, as before
    ("", "", ("manual", "Ground")),
])
def test_ship_confirm_proposes_the_carrier_the_order_asked_for(session, wh, asked, chosen, expected):
    order = place_order(session, "SO-CAR", [("GLOVE-L", 1)], carrier=asked)
    pick_order(session, order, wh.picker, tote="T-0002")
    proposed = shipping.proposed_carrier(session, order)
    assert (proposed.code if proposed else None) == ("freight" if asked.lower() == "freight" else None)
    carton, _ = packing.start(session, wh.packer, "SO-CAR")
    scan(session, wh, carton, "GLOVE-L")
    packing.close(session, carton, wh.packer, settings=SETTINGS, carrier=chosen)
    shipping.confirm_order(session, order, wh.packer)
    session.commit()
    assert order.status == OrderState.SHIPPED and (carton.carrier, carton.service) == expected
    assert carton.tracking_number.startswith("MAN")


def test_a_weight_far_from_expected_is_refused_until_confirmed_then_flagged(session, wh, order):
    carton, _ = packing.start(session, wh.packer, "SO-FLOW")
    for sku in ("MUG-350", "MUG-350", "GLOVE-L"):
        scan(session, wh, carton, sku)
    expected = 900 + boxes.suggest(session, packing.carton_items(carton)).box.tare_g
    with pytest.raises(packing.WeightFar, match=f"far from the expected {expected / 1000:.2f} kg"):
        packing.close(session, carton, wh.packer, weight_g=2500)
    assert carton.state == CartonState.OPEN
    packing.close(session, carton, wh.packer, weight_g=2500, confirm_weight=True)
    assert carton.weight_g == 2500 and carton.weight_flagged and carton.expected_weight_g == expected


def test_a_scale_reading_scanned_into_the_carton_is_its_weight(session, wh, order):
    carton, _ = packing.start(session, wh.packer, "SO-FLOW")
    assert packing.verify(session, carton, wh.packer, "1.2 kg").message == "Scan the items first, then put the carton on the scale."
    for sku in ("MUG-350", "MUG-350", "GLOVE-L"):
        scan(session, wh, carton, sku)
    assert packing.verify(session, carton, wh.packer, "1.15 kg").message == "Weight 1.15 kg noted. Close the carton."
    packing.close(session, carton, wh.packer)
    assert carton.weight_g == 1150 and not carton.weight_flagged


def test_a_missing_item_makes_the_order_wait_and_ship_partial_backorders_it(session, wh, order):
    carton, _ = packing.start(session, wh.packer, "SO-FLOW")
    scan(session, wh, carton, "MUG-350")
    scan(session, wh, carton, "GLOVE-L")
    events.take(session)
    glove_line = next(line for line in order.lines if line.product.sku == "MUG-350")
    outcome = packing.report_missing(session, carton, wh.packer, glove_line.id, 1)
    session.commit()
    assert outcome.message == "1 x MUG-350 reported missing. Order SO-FLOW waits for the supervisor: put it aside."
    exception = session.scalar(select(FloorException).where(FloorException.kind == ExceptionKind.MISSING_AT_PACK))
    assert exception.order_id == order.id and exception.qty == 1 and exception.resolved_at is None
    assert [(n, d["kind"], r) for n, d, r in events.take(session)] == [("exception.raised", "missing_at_pack", ("board",))]
    assert not packing.start(session, wh.packer, "SO-FLOW")[1].ok
    assert not packing.verify(session, carton, wh.packer, wh.barcode["MUG-350"]).ok

    packing.ship_partial(session, exception, wh.supervisor)
    session.commit()
    assert exception.resolved_at is not None and glove_line.backordered == 1
    packing.close(session, carton, wh.packer)
    shipping.confirm(session, carton, wh.packer)
    session.commit()
    assert order.status == OrderState.SHIPPED
    assert [(line.qty, line.shipped, line.backordered) for line in order.lines] == [(2, 1, 1), (1, 1, 0)]
    assert ledger_mismatches(session) == []
    with pytest.raises(DomainError, match="already resolved"):
        packing.ship_partial(session, exception, wh.supervisor)


def test_send_back_to_pick_makes_a_new_task_and_packing_goes_on(session, wh, order):
    carton, _ = packing.start(session, wh.packer, "SO-FLOW")
    mug_line = next(line for line in order.lines if line.product.sku == "MUG-350")
    packing.report_missing(session, carton, wh.packer, mug_line.id, 2)
    exception = session.scalar(select(FloorException))
    task = packing.send_back_to_pick(session, exception, wh.supervisor)
    session.commit()
    assert [(tl.product.sku, tl.qty) for tl in task.lines] == [("MUG-350", 2)]
    taken = take_task(session, wh.picker, order)
    assert taken.id == task.id
    pick_task(session, taken, wh.picker, tote="T-0002")
    session.commit()
    assert [(p.line.product.sku, p.missing) for p in packing.progress(carton)] == [("MUG-350", 2), ("GLOVE-L", 1)]
    for sku in ("MUG-350", "MUG-350", "GLOVE-L"):
        scan(session, wh, carton, sku)
    packing.close(session, carton, wh.packer)
    shipping.confirm(session, carton, wh.packer)
    session.commit()
    assert order.status == OrderState.SHIPPED and ledger_mismatches(session) == []


def test_a_re_pick_fetches_only_the_missing_and_picked_never_exceeds_ordered(session, wh, order):
    carton, _ = packing.start(session, wh.packer, "SO-FLOW")
    mug_line = next(line for line in order.lines if line.product.sku == "MUG-350")
    scan(session, wh, carton, "MUG-350")
    packing.report_missing(session, carton, wh.packer, mug_line.id, 1)   # 2 ordered and picked, 1 not found
    task = packing.send_back_to_pick(session, session.scalar(select(FloorException)), wh.supervisor)
    session.commit()
    assert [(tl.product.sku, tl.qty) for tl in task.lines] == [("MUG-350", 1)]
    pick_task(session, take_task(session, wh.picker, order), wh.picker, tote="T-0002")
    session.commit()
    assert (mug_line.qty, mug_line.picked) == (2, 2)
    assert [(p.line.product.sku, p.missing) for p in packing.progress(carton)] == [("MUG-350", 1), ("GLOVE-L", 1)]
    scan(session, wh, carton, "MUG-350")
    assert not packing.verify(session, carton, wh.packer, wh.barcode["MUG-350"]).ok  # no third mug to pack
    scan(session, wh, carton, "GLOVE-L")
    packing.close(session, carton, wh.packer)
    shipping.confirm(session, carton, wh.packer)
    session.commit()
    assert order.status == OrderState.SHIPPED
    assert [(line.qty, line.picked, line.packed, line.shipped) for line in order.lines] == [(2, 2, 2, 2), (1, 1, 1, 1)]
    assert ledger_mismatches(session) == []


def test_the_missing_are_never_picked_again_from_an_expired_lot(session, wh):
    order = place_order(session, "SO-LOTS", [("VITC-60", 2)])  # lot L-SOON at B-01-01-1
    pick_order(session, order, wh.picker, tote="T-0001")
    receiving.receive(session, {"lines": [{"sku": "VITC-60", "location": "A-02-02-1", "qty": 5, "lot": "L-OLD",
                                           "expiry": (wh.today - dt.timedelta(days=1)).isoformat()}]})
    carton, _ = packing.start(session, wh.packer, "SO-LOTS")
    packing.report_missing(session, carton, wh.packer, order.lines[0].id, 1)
    task = packing.send_back_to_pick(session, session.scalar(select(FloorException)), wh.supervisor)
    session.commit()
    assert [(tl.location.code, tl.lot, tl.qty) for tl in task.lines] == [("B-01-01-1", "L-SOON", 1)]


def test_a_reprint_is_the_same_bytes_and_the_document_is_kept_once(session, wh, order):
    carton, _ = packing.start(session, wh.packer, "SO-FLOW")
    for sku in ("MUG-350", "MUG-350", "GLOVE-L"):
        scan(session, wh, carton, sku)
    station = stations.station_for(session, "PACK-1")
    cartons.close_and_print(session, carton, wh.packer, station, SETTINGS)
    session.commit()
    first = {j.document: j.content for j in session.scalars(select(PrintJob))}
    again = cartons.reprint(session, "shipping-label", carton.sscc, station.label_printer, SETTINGS)
    slip = cartons.reprint(session, "packing-slip", "SO-FLOW", station.document_printer, SETTINGS)
    assert again.content == first[f"shipping-label:{carton.sscc}"]
    assert slip.content == first["packing-slip:SO-FLOW"]
    zpl = documents.carton_document(session, carton, "carton-label", PrintFormat.ZPL, SETTINGS)
    assert zpl == documents.carton_document(session, carton, "carton-label", PrintFormat.ZPL, SETTINGS)
    kinds = sorted((d.kind, d.format.value) for d in session.scalars(select(StoredDocument)))
    assert kinds == [("carton-label", "pdf"), ("carton-label", "zpl"), ("packing-slip", "pdf"), ("shipping-label", "pdf")]
