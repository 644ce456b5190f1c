"""Orders: validated as a whole (nothing half-saved), idempotent, allocated FEFO and pick-face first."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.factories import order_payload, place_order, warehouse
from floorapp.domain import catalog, orders, receiving
from floorapp.domain.errors import Conflict, ValidationFailed
from floorapp.domain.models import Allocation, Order, OrderLine, Stock
from floorapp.domain.states import OrderState


@pytest.fixture
def wh(session):
    return warehouse(session)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _fields(error: ValidationFailed) -> dict[str, str]:
    return {d["field"]: d["message"] for d in error.details}


def _allocations(session, order: Order) -> list[tuple[str, str, int]]:
    """(location, lot, qty) of each allocation of the order, in the order they were made."""
    rows = session.scalars(select(Allocation).join(Allocation.order_line)
                           .where(OrderLine.order_id == order.id).order_by(Allocation.id))
    return [(a.stock.location.code, a.stock.lot, a.qty) for a in rows]


def _stock(session, wh, sku: str, location: str, lot: str = "") -> Stock:
    return session.scalar(select(Stock).where(Stock.product_id == wh.products[sku].id,
                                              Stock.location_id == wh.locations[location].id, Stock.lot == lot))


# Validation: every problem named, nothing saved


def test_every_bad_line_and_field_is_named_and_nothing_is_saved(session, wh):
    payload = order_payload("SO-BAD", [("NO-SUCH-SKU", 1), ("MUG-350", 0), ("GLOVE-L", -2), ("UMB-RED", 1)],
                            ship_to__city=None, ship_to__postal_code="  ")

    with pytest.raises(ValidationFailed) as caught:
        orders.create_order(session, payload)
    session.commit()

    fields = _fields(caught.value)
    assert set(fields) == {"lines[0].sku", "lines[1].qty", "lines[2].qty", "ship_to.city", "ship_to.postal_code"}
    assert fields["lines[0].sku"] == "Unknown SKU NO-SUCH-SKU."
    assert fields["lines[1].qty"] == fields["lines[2].qty"] == "Quantity must be a whole number from 1 to 1000000."
    assert fields["ship_to.city"] == "ship_to.city is required."
    assert _count(session, Order) == 0
    assert _count(session, OrderLine) == 0
    assert _count(session, Allocation) == 0
    assert _stock(session, wh, "UMB-RED", "BULK-01-01").reserved == 0


def test_oversized_values_are_named_instead_of_failing_in_the_database(session, wh):
    payload = order_payload("SO-BIG", [("MUG-350", 10**12)], customer__name="X" * 300, ship_to__line1="Y" * 300)
    with pytest.raises(ValidationFailed) as caught:
        orders.create_order(session, payload)
    fields = _fields(caught.value)
    assert set(fields) == {"lines[0].qty", "customer.name", "ship_to.line1"}
    assert fields["customer.name"] == "customer.name is longer than 200 characters."


@pytest.mark.parametrize("field", ["name", "line1", "city", "postal_code", "country"])
def test_each_missing_address_field_is_refused(session, wh, field):
    with pytest.raises(ValidationFailed) as caught:
        orders.create_order(session, order_payload("SO-ADDR", **{f"ship_to__{field}": None}))
    assert _fields(caught.value) == {f"ship_to.{field}": f"ship_to.{field} is required."}
    assert _count(session, Order) == 0


def test_missing_ship_to_and_customer_name_all_reported(session, wh):
    with pytest.raises(ValidationFailed) as caught:
        orders.create_order(session, order_payload("SO-NOADDR", ship_to=None, customer=None))
    assert set(_fields(caught.value)) == {"customer.name", "ship_to.name", "ship_to.line1", "ship_to.city",
                                          "ship_to.postal_code", "ship_to.country"}


@pytest.mark.parametrize(("override", "field"), [
    ({"ship_to__country": "Germany"}, "ship_to.country"),
    ({"customer__email": "erika-at-example"}, "customer.email"),
    ({"priority": "whenever"}, "priority"),
    ({"ship_by": "next tuesday"}, "ship_by"),
    ({"lines": []}, "lines"),
    ({"external_id": "  "}, "external_id"),
    ({"lines": [{"sku": "MUG-350", "qty": "2"}]}, "lines[0].qty"),
    ({"lines": [{"sku": "MUG-350", "qty": True}]}, "lines[0].qty"),
])
def test_malformed_fields_are_refused(session, wh, override, field):
    with pytest.raises(ValidationFailed) as caught:
        orders.create_order(session, order_payload(**{"external_id": "SO-MAL", **override}))
    assert field in _fields(caught.value)
    assert _count(session, Order) == 0


def test_payload_that_is_not_an_object_is_refused(session, wh):
    with pytest.raises(ValidationFailed):
        orders.create_order(session, ["SO-1", "MUG-350"])


# Idempotency


def test_same_payload_twice_returns_the_first_order(session, wh):
    first, created = orders.create_order(session, order_payload("SO-IDEM", [("MUG-350", 2)]))
    session.commit()
    again, created_again = orders.create_order(session, order_payload("SO-IDEM", [("MUG-350", 2)]))
    session.commit()

    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert _count(session, Order) == 1
    assert _stock(session, wh, "MUG-350", "A-01-01-1").reserved == 2  # not reserved twice


def test_same_external_id_with_other_contents_is_a_conflict(session, wh):
    orders.create_order(session, order_payload("SO-IDEM", [("MUG-350", 2)]))
    session.commit()

    with pytest.raises(Conflict, match="SO-IDEM already exists with different contents"):
        orders.create_order(session, order_payload("SO-IDEM", [("MUG-350", 3)]))
    session.rollback()

    order = session.scalar(select(Order).where(Order.external_id == "SO-IDEM"))
    assert [line.qty for line in order.lines] == [2]
    assert _count(session, Order) == 1


# Allocation


def test_full_allocation_reserves_the_pick_face(session, wh):
    order = place_order(session, "SO-FULL", [("MUG-350", 3), ("GLOVE-L", 5)])

    assert order.status == OrderState.ALLOCATED
    assert [(line.allocated, line.backordered) for line in order.lines] == [(3, 0), (5, 0)]
    assert _allocations(session, order) == [("A-01-01-1", "", 3), ("A-01-02-1", "", 5)]
    assert _stock(session, wh, "MUG-350", "A-01-01-1").reserved == 3


def test_short_stock_partially_allocates_and_backorders_the_rest(session, wh):
    order = place_order(session, "SO-PART", [("MUG-350", 1), ("GLOVE-L", 8)])

    assert order.status == OrderState.PARTIALLY_ALLOCATED
    glove = order.lines[1]
    assert (glove.qty, glove.allocated, glove.backordered) == (8, 5, 3)


def test_no_stock_at_all_backorders_the_order(session, wh):
    order = place_order(session, "SO-BACK", [("THERMO-1L", 2)])

    assert order.status == OrderState.BACKORDERED
    assert (order.lines[0].allocated, order.lines[0].backordered) == (0, 2)
    assert _allocations(session, order) == []


def test_a_second_order_gets_only_what_the_first_left(session, wh):
    place_order(session, "SO-A", [("GLOVE-L", 4)])
    second = place_order(session, "SO-B", [("GLOVE-L", 3)])

    assert second.status == OrderState.PARTIALLY_ALLOCATED
    assert (second.lines[0].allocated, second.lines[0].backordered) == (1, 2)


def test_lots_are_allocated_first_expiry_first_out(session, wh):
    # L-SOON (30 days, zone B, later in the walk) goes before L-LATE (200 days, earlier in the walk).
    order = place_order(session, "SO-FEFO", [("VITC-60", 5)])

    assert _allocations(session, order) == [("B-01-01-1", "L-SOON", 4), ("A-02-01-1", "L-LATE", 1)]
    assert order.status == OrderState.ALLOCATED


def test_an_expired_lot_is_never_allocated(session, wh):
    # Picking refuses an expired lot: reserving it would send the picker to a bin only to be refused there.
    # A lot expiring today may still be picked, so it is still allocated (first, it expires first).
    receiving.receive(session, {"lines": [
        {"sku": "VITC-60", "location": "A-02-02-1", "qty": 5, "lot": "L-OLD",
         "expiry": (wh.today - dt.timedelta(days=1)).isoformat()},
        {"sku": "VITC-60", "location": "A-02-02-1", "qty": 1, "lot": "L-TODAY", "expiry": wh.today.isoformat()}]})
    order = place_order(session, "SO-EXPIRED", [("VITC-60", 12)])

    assert _allocations(session, order) == [("A-02-02-1", "L-TODAY", 1), ("B-01-01-1", "L-SOON", 4),
                                            ("A-02-01-1", "L-LATE", 6)]
    assert (order.lines[0].allocated, order.lines[0].backordered) == (11, 1)
    assert _stock(session, wh, "VITC-60", "A-02-02-1", "L-OLD").reserved == 0


def test_re_allocating_a_line_skips_an_expired_lot(session, wh):
    # The supervisor's "re-pick from another location" reserves through reallocate_line.
    order = place_order(session, "SO-REALLOC", [("VITC-60", 4)])  # all 4 of L-SOON at B-01-01-1
    receiving.receive(session, {"lines": [{"sku": "VITC-60", "location": "A-02-02-1", "qty": 5, "lot": "L-OLD",
                                           "expiry": (wh.today - dt.timedelta(days=1)).isoformat()}]})
    line, soon = order.lines[0], wh.locations["B-01-01-1"]
    assert orders.release_unpicked(session, line, soon.id) == 4
    made = orders.reallocate_line(session, line, {soon.id})

    assert [(a.stock.lot, a.qty) for a in made] == [("L-LATE", 4)]
    assert _stock(session, wh, "VITC-60", "A-02-02-1", "L-OLD").reserved == 0


def test_pick_face_is_used_before_bulk(session, wh):
    order = place_order(session, "SO-FACE", [("MUG-350", 12)])

    assert _allocations(session, order) == [("A-01-01-1", "", 10), ("BULK-01-01", "", 2)]


def test_pick_face_first_even_when_bulk_comes_earlier_in_the_walk(session, wh):
    catalog.upsert_location(session, "BULK-01-01", {"zone": "B", "pick_sequence": 1, "kind": "bulk"})
    order = place_order(session, "SO-FACE2", [("MUG-350", 11)])

    assert _allocations(session, order) == [("A-01-01-1", "", 10), ("BULK-01-01", "", 1)]


def test_bulk_only_stock_is_allocated_from_bulk(session, wh):
    order = place_order(session, "SO-BULK", [("UMB-RED", 2)])

    assert _allocations(session, order) == [("BULK-01-01", "", 2)]


def test_stock_at_the_pack_station_is_never_allocated(session, wh):
    receiving.receive(session, {"lines": [{"sku": "THERMO-1L", "location": "PACK-01", "qty": 5}]})
    order = place_order(session, "SO-PACKSTOCK", [("THERMO-1L", 1)])

    assert order.status == OrderState.BACKORDERED


# Receipts fill backorders


def test_receipt_fills_a_backorder_and_moves_the_order_on(session, wh):
    order = place_order(session, "SO-WAIT", [("THERMO-1L", 3)])
    session.commit()

    filled = receiving.receive(session, {"lines": [{"sku": "THERMO-1L", "location": "A-02-02-1", "qty": 2}]})
    assert filled == [order]
    assert order.status == OrderState.PARTIALLY_ALLOCATED
    assert (order.lines[0].allocated, order.lines[0].backordered) == (2, 1)

    receiving.receive(session, {"lines": [{"sku": "THERMO-1L", "location": "A-02-02-1", "qty": 5}]})
    session.commit()
    assert order.status == OrderState.ALLOCATED
    assert (order.lines[0].allocated, order.lines[0].backordered) == (3, 0)
    assert _stock(session, wh, "THERMO-1L", "A-02-02-1").reserved == 3


def test_receipt_fills_rush_orders_first(session, wh):
    normal = place_order(session, "SO-NORMAL", [("THERMO-1L", 2)])
    rush = place_order(session, "SO-RUSH", [("THERMO-1L", 2)], priority="rush")

    receiving.receive(session, {"lines": [{"sku": "THERMO-1L", "location": "A-02-02-1", "qty": 2}]})

    assert rush.status == OrderState.ALLOCATED
    assert normal.status == OrderState.BACKORDERED


def test_a_refused_receipt_books_nothing(session, wh):
    with pytest.raises(ValidationFailed) as caught:
        receiving.receive(session, {"lines": [{"sku": "THERMO-1L", "location": "A-02-02-1", "qty": 2},
                                              {"sku": "VITC-60", "location": "A-02-02-1", "qty": 1}]})
    assert _fields(caught.value) == {"lines[1].lot": "VITC-60 is lot-tracked: a lot is required."}
    assert _stock(session, wh, "THERMO-1L", "A-02-02-1") is None
