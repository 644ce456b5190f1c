"""Stock and its ledger. Every change of on-hand is a stock move in the same transaction."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, contains_eager

from . import messages
from .errors import DomainError, ValidationFailed
from .models import Location, Product, Stock, StockMove
from .states import MoveReason


def stock_row(session: Session, product: Product, location: Location, lot: str = "",
              expiry: dt.date | None = None, *, lock: bool = False) -> Stock:
    query = select(Stock).where(Stock.product_id == product.id, Stock.location_id == location.id, Stock.lot == lot)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        row = Stock(product=product, location=location, lot=lot, expiry=expiry, on_hand=0, reserved=0)
        session.add(row)
        session.flush()
    return row


def move(session: Session, *, product: Product, qty: int, reason: MoveReason,
         source: Location | None = None, target: Location | None = None, lot: str = "",
         expiry: dt.date | None = None, user_id: int | None = None, reference: str = "",
         release_reserved: int = 0) -> StockMove:
    """Move `qty` of a product from `source` to `target` (None = outside the warehouse)."""
    if qty <= 0:
        raise ValidationFailed(messages.QTY_NOT_POSITIVE)
    if source is not None:
        row = stock_row(session, product, source, lot, lock=True)
        if row.on_hand < qty:
            raise DomainError(messages.NOT_ENOUGH_STOCK.format(available=row.on_hand, sku=product.sku,
                                                               location=source.code))
        row.on_hand -= qty
        row.reserved -= release_reserved
        expiry = expiry or row.expiry
    if target is not None:
        row = stock_row(session, product, target, lot, expiry, lock=True)
        row.on_hand += qty
        if expiry and row.expiry is None:
            row.expiry = expiry
    entry = StockMove(product_id=product.id, from_location_id=source.id if source else None,
                      to_location_id=target.id if target else None, lot=lot, expiry=expiry, qty=qty,
                      reason=reason, user_id=user_id, reference=reference)
    session.add(entry)
    return entry


def ledger_on_hand(session: Session) -> dict[tuple[int, int, str], int]:
    """On hand per (product, location, lot), replayed from the moves alone."""
    totals: dict[tuple[int, int, str], int] = defaultdict(int)
    for product_id, src, dst, lot, qty in session.execute(
            select(StockMove.product_id, StockMove.from_location_id, StockMove.to_location_id,
                   StockMove.lot, StockMove.qty)):
        if src is not None:
            totals[(product_id, src, lot)] -= qty
        if dst is not None:
            totals[(product_id, dst, lot)] += qty
    return {k: v for k, v in totals.items() if v}


def ledger_mismatches(session: Session) -> list[str]:
    """Where the stock table and the replayed ledger disagree (empty when all is true)."""
    ledger = ledger_on_hand(session)
    table = {(s.product_id, s.location_id, s.lot): s.on_hand for s in session.scalars(select(Stock)) if s.on_hand}
    return [f"product {k[0]} at location {k[1]} lot {k[2]!r}: stock {table.get(k, 0)}, ledger {ledger.get(k, 0)}"
            for k in sorted(set(ledger) | set(table)) if ledger.get(k, 0) != table.get(k, 0)]


def stock_rows(session: Session, *, sku: str | None = None, location: str | None = None,
               after_id: int = 0, limit: int = 100) -> list[Stock]:
    query = (select(Stock).join(Stock.product).join(Stock.location)
             .where(Stock.id > after_id, Stock.on_hand > 0).order_by(Stock.id).limit(limit)
             .options(contains_eager(Stock.product), contains_eager(Stock.location)))
    if sku:
        query = query.where(Product.sku == sku)
    if location:
        query = query.where(Location.code == location)
    return list(session.scalars(query))


# The same move in Core statements, by ids, for the picking lane (no Stock object is loaded: a session that
# holds Stock objects must use `move`, or they go stale).
_S, _M = Stock.__table__.c, StockMove.__table__.c
_SOURCE_ROW = select(_S.id, _S.on_hand, _S.expiry).where(
    _S.product_id == bindparam("b_product"), _S.location_id == bindparam("b_location"), _S.lot == bindparam("b_lot"))
_TAKE = (update(Stock.__table__).where(_S.id == bindparam("b_row"), _S.on_hand >= bindparam("b_qty"))
         .values(on_hand=_S.on_hand - bindparam("b_qty"), reserved=_S.reserved - bindparam("b_release")))
_PUT = (update(Stock.__table__)
        .where(_S.product_id == bindparam("b_product"), _S.location_id == bindparam("b_location"),
               _S.lot == bindparam("b_lot"))
        .values(on_hand=_S.on_hand + bindparam("b_qty"), expiry=func.coalesce(_S.expiry, bindparam("b_expiry"))))
_NEW_ROW = Stock.__table__.insert()
_LEDGER = StockMove.__table__.insert()


def move_by_ids(session: Session, *, product_id: int, qty: int, reason: MoveReason, source_id: int, target_id: int,
                lot: str = "", user_id: int | None = None, reference: str = "", release_reserved: int = 0) -> bool:
    """`move` from one location to another in four statements; False, and nothing written, when the source
    holds less than `qty` (the caller then takes the path that says so)."""
    if qty <= 0:
        raise ValidationFailed(messages.QTY_NOT_POSITIVE)
    conn = session.connection()
    source = conn.execute(_SOURCE_ROW, {"b_product": product_id, "b_location": source_id, "b_lot": lot}).first()
    if source is None or conn.execute(_TAKE, {"b_row": source.id, "b_qty": qty,
                                              "b_release": release_reserved}).rowcount != 1:
        return False
    expiry = source.expiry
    if conn.execute(_PUT, {"b_product": product_id, "b_location": target_id, "b_lot": lot, "b_qty": qty,
                           "b_expiry": expiry}).rowcount != 1:
        conn.execute(_NEW_ROW, {"product_id": product_id, "location_id": target_id, "lot": lot, "expiry": expiry,
                                "on_hand": qty, "reserved": 0})
    conn.execute(_LEDGER, {"product_id": product_id, "from_location_id": source_id, "to_location_id": target_id,
                           "lot": lot, "expiry": expiry, "qty": qty, "reason": reason, "user_id": user_id,
                           "reference": reference})
    return True
