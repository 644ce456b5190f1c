"""Packing as a small state machine: scan the tote or order, verify each item by scan, close the carton."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import parse_scan

from . import events, messages
from .errors import DomainError
from .lookup import order_for, product_for, tote_for
from .models import Carton, CartonLine, Order, OrderLine, Tote, User, utcnow
from .orders import set_state
from .scans import Outcome
from .states import CartonState, OrderState, ScanResult

PACKABLE = (OrderState.PICKED, OrderState.SORTED, OrderState.PACKING)


@dataclass(frozen=True)
class LineProgress:
    line: OrderLine
    expected: int   # picked and not yet in a closed carton
    verified: int   # scanned into the open carton

    @property
    def missing(self) -> int:
        return self.expected - self.verified


def open_carton(session: Session, order: Order) -> Carton | None:
    return session.scalar(select(Carton).where(Carton.order_id == order.id, Carton.state == CartonState.OPEN))


def progress(carton: Carton) -> list[LineProgress]:
    verified = {cl.order_line_id: cl.qty for cl in carton.lines}
    return [LineProgress(line, line.picked - line.packed, verified.get(line.id, 0))
            for line in carton.order.lines if line.picked - line.packed > 0]


def start(session: Session, user: User, raw: str) -> tuple[Carton | None, Outcome]:
    """A tote or order scan opens (or resumes) the carton of the order it belongs to."""
    parsed = parse_scan(raw)
    tote = tote_for(session, parsed.text)
    order = tote.order if tote is not None else order_for(session, parsed.text)
    if order is None or order.status not in PACKABLE:
        return None, Outcome(ScanResult.REFUSED, messages.PACK_UNKNOWN.format(scanned=parsed.text), parsed.as_dict())
    if not any(line.picked > line.packed for line in order.lines):
        return None, Outcome(ScanResult.REFUSED, messages.PACK_NOTHING_TO_PACK.format(order=order.external_id))
    carton = open_carton(session, order)
    if carton is None:
        carton = Carton(order=order, packed_by_id=user.id)
        session.add(carton)
        session.flush()
    set_state(session, order, OrderState.PACKING)
    events.record(session, "pack.started", {"order": order.external_id, "user": user.badge})
    return carton, Outcome(ScanResult.OK, messages.PACK_SCAN_ITEM.format(order=order.external_id), parsed.as_dict())


def verify(session: Session, carton: Carton, user: User, raw: str) -> Outcome:
    """One item scanned into the carton; a wrong item or one too many is refused."""
    if carton.state != CartonState.OPEN:
        raise DomainError("This carton is closed. Scan the next tote or order.")
    parsed = parse_scan(raw)
    order = carton.order
    product = product_for(session, parsed)
    if product is None:
        return Outcome(ScanResult.REFUSED, messages.PACK_NOT_FOUND.format(scanned=parsed.text), parsed.as_dict())
    rows = [p for p in progress(carton) if p.line.product_id == product.id]
    if not rows and not any(line.product_id == product.id for line in order.lines):
        return Outcome(ScanResult.REFUSED, messages.PACK_NOT_IN_ORDER.format(
            sku=product.sku, name=product.name, order=order.external_id), parsed.as_dict())
    row = next((p for p in rows if p.missing > 0), None)
    if row is None:
        qty = sum(p.expected for p in rows)
        return Outcome(ScanResult.REFUSED, messages.PACK_TOO_MANY.format(
            order=order.external_id, qty=qty, sku=product.sku), parsed.as_dict())
    carton_line = next((cl for cl in carton.lines if cl.order_line_id == row.line.id), None)
    if carton_line is None:
        carton_line = CartonLine(order_line=row.line, qty=0)
        carton.lines.append(carton_line)
    carton_line.qty += 1
    session.flush()
    message = messages.PACK_ITEM_OK.format(sku=product.sku, name=product.name, verified=row.verified + 1,
                                           qty=row.expected)
    if all(p.missing == 0 for p in progress(carton)):
        message = f"{message} {messages.PACK_ALL_VERIFIED}"
    events.record(session, "pack.verified", {"order": order.external_id, "sku": product.sku, "user": user.badge})
    return Outcome(ScanResult.OK, message, parsed.as_dict())


def close(session: Session, carton: Carton, user: User) -> Outcome:
    """Close a fully verified carton: quantities move to packed; the order is packed; its totes are free."""
    missing = [p for p in progress(carton) if p.missing > 0]
    if missing:
        text = ", ".join(f"{p.missing} x {p.line.product.sku}" for p in missing)
        raise DomainError(messages.PACK_NOT_VERIFIED.format(missing=text))
    for carton_line in carton.lines:
        carton_line.order_line.packed += carton_line.qty
    carton.state = CartonState.CLOSED
    carton.closed_at = utcnow()
    order = carton.order
    set_state(session, order, OrderState.PACKED)
    for tote in session.scalars(select(Tote).where(Tote.order_id == order.id)):
        tote.order_id = None
    session.flush()
    events.record(session, "carton.closed", {"order": order.external_id, "carton": carton.id, "user": user.badge})
    return Outcome(ScanResult.OK, messages.PACK_CLOSED.format(order=order.external_id))
