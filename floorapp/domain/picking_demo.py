"""Picking's part of the demo: a batch wave and a zone wave to try each strategy on first start, and two
small piece orders set up for what pickers must see once: a GS1 lot with an expired lot lying beside it,
and a bin that turns out empty with only part of the need elsewhere (re-route, then backorder).

Called once from demo.seed; never commits. Deterministic for a given demo seed and `today`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import orders, receiving, waves
from .errors import DomainError
from .models import Barcode, Location, Order, Product, Stock
from .states import BarcodeKind, LocationKind, OrderState, Tracking, WaveStrategy

BATCH_TOTES = 3
LOT_ORDER = "SO-1051"     # one lot-tracked item; an expired lot lies in the same bin
SHORT_ORDER = "SO-1052"   # 3 from a bin; elsewhere only 1 more: re-route 1, backorder 2
EXPIRED_LOT_PREFIX = "X"  # the expired lot is the good lot's name with this in front


@dataclass(frozen=True)
class PickingDemo:
    batch_orders: list[str]
    zone_orders: list[str]
    lot_order: str
    expired_lot: str
    short_order: str


def release_demo_waves(session: Session, ready: list[Order], *, user_id: int | None, today: dt.date) -> PickingDemo:
    """Release `ready` (allocated demo orders) as one batch wave and one zone wave, then the two piece scenarios."""
    half = min(BATCH_TOTES, len(ready))
    batch, zone = ready[:half], ready[half:]
    if batch:
        waves.release(session, batch, strategy=WaveStrategy.BATCH, totes=BATCH_TOTES, user_id=user_id)
    if zone:
        waves.release(session, zone, strategy=WaveStrategy.ZONE, user_id=user_id)
    lot_order, expired = _lot_scenario(session, today, user_id)
    short_order = _short_scenario(session, today, user_id)
    waves.release(session, [lot_order, short_order], strategy=WaveStrategy.PIECE, user_id=user_id)
    return PickingDemo([o.external_id for o in batch], [o.external_id for o in zone], lot_order.external_id,
                       expired, short_order.external_id)


def _order(session: Session, external_id: str, sku: str, qty: int, today: dt.date) -> Order:
    order, _ = orders.create_order(session, {
        "external_id": external_id, "ship_by": today.isoformat(), "customer": {"name": "Training Customer", "email": "training@example.com"},
        "ship_to": {"name": "Training Customer", "line1": "1 Practice Lane", "city": "Portland", "region": "OR",
                    "postal_code": "97205", "country": "US"},
        "lines": [{"sku": sku, "qty": qty}]})
    if order.status != OrderState.ALLOCATED:
        raise DomainError(f"Demo seed: {external_id} could not be allocated.")
    return order


def _lot_scenario(session: Session, today: dt.date, user_id: int | None) -> tuple[Order, str]:
    """A lot-tracked product with a GTIN on a pick face: order one, then book an expired lot into the same bin."""
    with_gtin = select(Barcode.product_id).where(Barcode.kind == BarcodeKind.GTIN13)
    face = session.scalars(
        select(Stock).join(Stock.location).join(Stock.product)
        .where(Product.tracking == Tracking.LOT, Product.id.in_(with_gtin), Location.kind == LocationKind.PICK,
               Stock.on_hand - Stock.reserved >= 2, Stock.expiry > today)
        .order_by(Product.sku, Stock.id)).first()
    if face is None:
        raise DomainError("Demo seed: no lot-tracked product on a pick face.")
    # FEFO must allocate the bin's good lot: the product's other lots (bulk) expire later than it.
    order = _order(session, LOT_ORDER, face.product.sku, 1, today)
    expired = EXPIRED_LOT_PREFIX + face.lot
    receiving.receive(session, {"lines": [{"sku": face.product.sku, "location": face.location.code, "qty": 4,
                                           "lot": expired, "expiry": (today - dt.timedelta(days=10)).isoformat()}]},
                      user_id=user_id, reference="Demo: an expired lot left in the bin")
    return order, expired


def _short_scenario(session: Session, today: dt.date, user_id: int | None) -> Order:
    """A product in exactly one pick face; one more unit booked into an empty face later on the route."""
    single = (select(Stock.product_id).group_by(Stock.product_id).having(func.count() == 1))
    empty_faces = session.scalars(
        select(Location).where(Location.kind == LocationKind.PICK, Location.id.notin_(select(Stock.location_id)))
        .order_by(Location.pick_sequence.desc())).all()
    rows = session.scalars(
        select(Stock).join(Stock.location).join(Stock.product)
        .where(Stock.product_id.in_(single), Product.tracking == Tracking.NONE, Location.kind == LocationKind.PICK,
               Stock.reserved == 0, Stock.on_hand >= 3)
        .order_by(Location.pick_sequence, Stock.id)).all()
    for row in rows:
        later = next((f for f in empty_faces if f.zone_id == row.location.zone_id
                      and f.pick_sequence > row.location.pick_sequence), None)
        if later is None:
            continue
        order = _order(session, SHORT_ORDER, row.product.sku, 3, today)
        receiving.receive(session, {"lines": [{"sku": row.product.sku, "location": later.code, "qty": 1}]},
                          user_id=user_id, reference="Demo: one more elsewhere")
        return order
    raise DomainError("Demo seed: no product for the short-pick scenario.")
