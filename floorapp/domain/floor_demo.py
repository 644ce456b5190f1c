"""Demo data for receiving, returns, counts and replenishment, seeded by demo.seed() in one call.

- a receiving dock DOCK-01 (zone DOCK); the demo's RET-01 (returns) and QUA-01 (quarantine) are used too;
- every stocked pick face gets capacity 60, min 10, max 50, and every product a reorder point of 12;
  faces already below min with bulk stock behind them get their replenishment tasks;
- an expected receipt ASN-1001 (delivery note of a supplier): a product short for backorders, a pick-face
  product and a lot-tracked one;
- one order shipped (picked to PACK-01, packed into a carton, shipped by UPS), ready to be returned;
- counts: the fullest pick face is due for a count requested by the supervisor.
"""
from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from . import catalog, counting, receiving, replenishment
from .models import (
    Allocation, Carton, CartonLine, Location, Order, OrderLine, PickFace, Product, ProductPlanning, Stock, User,
    utcnow,
)
from .orders import set_state
from .states import CartonState, CountSource, LocationKind, MoveReason, OrderState, Tracking
from .stock import move

FACE = {"capacity": 60, "min_qty": 10, "max_qty": 50}
REORDER_POINT = 12


def seed_floor(session: Session) -> None:
    """Add the flows' demo data to a freshly seeded demo warehouse (no commit)."""
    catalog.upsert_location(session, "DOCK-01", {"zone": "DOCK", "pick_sequence": 5, "kind": "receiving"})
    supervisor = session.scalar(select(User).where(User.badge == "S-0001"))
    _faces(session)
    _expected_receipt(session)
    _ship_one(session, supervisor)
    fullest = session.scalar(select(Stock).join(Stock.location).where(Location.kind == LocationKind.PICK)
                             .order_by(Stock.on_hand.desc(), Stock.id).limit(1))
    if fullest is not None:
        counting.request_count(session, fullest.location, CountSource.SUPERVISOR, "demo: check the fullest bin",
                               user=supervisor)
    session.flush()


def _faces(session: Session) -> None:
    levels = session.execute(select(Stock.product_id, Stock.location_id, func.sum(Stock.on_hand - Stock.reserved))
                             .join(Stock.location).where(Location.kind == LocationKind.PICK, Stock.on_hand > 0)
                             .group_by(Stock.product_id, Stock.location_id)).all()
    # Core bulk inserts: a few hundred rows at once instead of one ORM object each
    session.execute(insert(PickFace), [{"product_id": p, "location_id": loc, **FACE} for p, loc, _ in levels])
    session.execute(insert(ProductPlanning), [{"product_id": p, "reorder_point": REORDER_POINT, "abc_class": "",
                                               "low": False} for p in session.scalars(select(Product.id))])
    low = {(p, loc) for p, loc, level in levels if level < FACE["min_qty"]}
    for face in session.scalars(select(PickFace).order_by(PickFace.id)):
        if (face.product_id, face.location_id) in low:
            replenishment._replenish(session, face)  # faces already below min get their task


def _expected_receipt(session: Session) -> None:
    waiting = session.scalar(select(Product).join(OrderLine, OrderLine.product_id == Product.id)
                             .where(OrderLine.backordered > 0, Product.tracking == Tracking.NONE)
                             .order_by(OrderLine.id).limit(1))
    faced = session.scalar(select(Product).join(PickFace, PickFace.product_id == Product.id)
                           .where(Product.tracking == Tracking.NONE).order_by(PickFace.id).limit(1))
    lotted = session.scalar(select(Product).where(Product.tracking == Tracking.LOT).order_by(Product.id).limit(1))
    lines = [{"sku": p.sku, "qty": q} for p, q in ((waiting, 6), (faced, 12), (lotted, 24)) if p is not None]
    receiving.create_expected(session, {"reference": "ASN-1001", "supplier": "Northwind Supplies", "lines": lines})


def _ship_one(session: Session, user: User | None) -> None:
    """The last fully allocated, unreleased order of 3+ units goes all the way to shipped (ledger-true moves)."""
    order = next((o for o in session.scalars(select(Order).where(Order.status == OrderState.ALLOCATED)
                                             .order_by(Order.id.desc()))
                  if sum(line.qty for line in o.lines) >= 3), None)  # enough to restock, quarantine and scrap
    staging = session.scalar(select(Location).where(Location.kind == LocationKind.PACK).order_by(Location.id))
    if order is None or staging is None:
        return
    uid = user.id if user else None
    for state in (OrderState.RELEASED, OrderState.PICKING):
        set_state(session, order, state)
    for allocation in session.scalars(select(Allocation).join(Allocation.order_line)
                                      .where(OrderLine.order_id == order.id)):
        allocation.released = True
        stock = allocation.stock
        move(session, product=stock.product, qty=allocation.qty, reason=MoveReason.PICK, source=stock.location,
             target=staging, lot=stock.lot, user_id=uid, reference=f"demo pick {order.external_id}",
             release_reserved=allocation.qty)
        allocation.order_line.picked += allocation.qty
    for state in (OrderState.PICKED, OrderState.PACKING, OrderState.PACKED, OrderState.SHIPPED):
        set_state(session, order, state)
    carton = Carton(order=order, box_type="M", weight_g=sum(x.product.weight_g * x.picked for x in order.lines),
                    state=CartonState.SHIPPED, carrier="UPS", service="Ground", tracking_number="1Z999AA10123456784",
                    packed_by_id=uid, closed_at=utcnow())
    session.add(carton)
    for line in order.lines:
        line.packed = line.shipped = line.picked
        carton.lines.append(CartonLine(order_line=line, qty=line.picked))
        session.flush()
        remaining = line.shipped
        for lot, qty in session.execute(select(Stock.lot, func.sum(Stock.on_hand)).where(
                Stock.product_id == line.product_id, Stock.location_id == staging.id, Stock.on_hand > 0)
                .group_by(Stock.lot)).all():
            take = min(qty, remaining)
            remaining -= take
            if take:
                move(session, product=line.product, qty=take, reason=MoveReason.SHIP, source=staging, lot=lot,
                     user_id=uid, reference=f"demo ship {order.external_id}")
    session.flush()
