"""Items missing at packing: the packer reports them, the order waits, a supervisor decides.

`report_missing` raises a FloorException (kind MISSING_AT_PACK) and records "exception.raised" for the
board. The supervisor's screen resolves it with one of two hooks:
- `ship_partial`: the missing units become a backorder on their line; the rest ships;
- `send_back_to_pick`: a new pick task fetches the missing units from other stock; packing goes on after.
  The missing units leave the line's picked count, so the re-pick brings it back to what was ordered.
Either way the units the ledger still shows at the pack station are written off with a stock move.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import events, messages
from .errors import DomainError, NotFound
from .models import (
    Allocation,
    Carton,
    FloorException,
    Location,
    Order,
    OrderLine,
    PackShortage,
    PickTask,
    PickTaskLine,
    Stock,
    User,
    Wave,
    utcnow,
)
from .scans import Outcome
from .states import (
    ExceptionKind,
    LocationKind,
    MoveReason,
    OrderState,
    ScanResult,
    WaveStrategy,
)
from .orders import _candidates
from .stock import move


REPICK = "repick"  # a shortage resolved so: its units are no longer counted as picked (see packing.remaining)


def open_shortage(session: Session, order: Order) -> PackShortage | None:
    return session.scalar(select(PackShortage).join(PackShortage.order_line).where(
        OrderLine.order_id == order.id, PackShortage.resolution == "").limit(1))


def report_missing(session: Session, carton: Carton, user: User, order_line_id: int, qty: int = 1) -> Outcome:
    """The packer cannot find `qty` of a line: the order becomes an exception for the supervisor."""
    from .packing import progress  # packing imports this module
    row = next((p for p in progress(carton) if p.line.id == order_line_id), None)
    if row is None:
        raise DomainError(messages.PACK_MISSING_NOT_IN_ORDER)
    if not 1 <= qty <= row.missing:
        raise DomainError(messages.PACK_MISSING_QTY.format(most=row.missing, sku=row.line.product.sku))
    order = carton.order
    exception = FloorException(kind=ExceptionKind.MISSING_AT_PACK, order_id=order.id, product_id=row.line.product_id,
                               qty=qty, user_id=user.id,
                               note=messages.PACK_MISSING_NOTE.format(qty=qty, sku=row.line.product.sku))
    session.add(exception)
    session.flush()
    session.add(PackShortage(exception_id=exception.id, order_line_id=row.line.id, qty=qty))
    session.flush()
    events.record(session, "exception.raised", {
        "id": exception.id, "kind": ExceptionKind.MISSING_AT_PACK.value, "order": order.external_id,
        "sku": row.line.product.sku, "qty": qty, "user": user.badge}, rooms=("board",))
    return Outcome(ScanResult.OK, messages.PACK_MISSING_REPORTED.format(qty=qty, sku=row.line.product.sku,
                                                                         order=order.external_id))


def _shortage_of(session: Session, exception: FloorException) -> PackShortage:
    shortage = session.scalar(select(PackShortage).where(PackShortage.exception_id == exception.id))
    if shortage is None or exception.kind != ExceptionKind.MISSING_AT_PACK:
        raise NotFound(messages.PACK_NOT_A_SHORTAGE)
    if shortage.resolution:
        raise DomainError(messages.PACK_SHORTAGE_DONE.format(resolution=shortage.resolution.replace("_", " ")))
    return shortage


def _write_off(session: Session, shortage: PackShortage, user: User) -> None:
    """The units are not at the pack station after all: take them off the ledger there."""
    line = shortage.order_line
    left = shortage.qty
    rows = session.scalars(select(Stock).join(Stock.location).where(
        Stock.product_id == line.product_id, Location.kind == LocationKind.PACK, Stock.on_hand > 0).order_by(Stock.id))
    for row in rows:
        take = min(left, row.on_hand)
        move(session, product=line.product, qty=take, reason=MoveReason.ADJUST, source=row.location, lot=row.lot,
             user_id=user.id, reference=f"missing at pack {line.order.external_id}")
        left -= take
        if left == 0:
            break


def _resolve(session: Session, shortage: PackShortage, user: User, resolution: str) -> None:
    shortage.resolution = resolution
    shortage.exception.resolved_at = utcnow()
    _write_off(session, shortage, user)
    session.flush()
    events.record(session, "exception.resolved", {
        "id": shortage.exception_id, "kind": ExceptionKind.MISSING_AT_PACK.value, "resolution": resolution,
        "order": shortage.order_line.order.external_id, "user": user.badge}, rooms=("board",))


def ship_partial(session: Session, exception: FloorException, user: User) -> PackShortage:
    """Ship without the missing units: they are backordered on their line; packing goes on."""
    shortage = _shortage_of(session, exception)
    shortage.order_line.backordered += shortage.qty
    _resolve(session, shortage, user, "ship_partial")
    from .packing import open_carton, remaining
    order = shortage.order_line.order
    if not any(left > 0 for left in remaining(order).values()):
        carton = open_carton(session, order)
        if carton is not None and not carton.lines:
            session.delete(carton)   # nothing left for it: the order is packed in the cartons already closed
            session.flush()
            session.refresh(order)
        if order.cartons and order.status == OrderState.PACKING:
            from .orders import set_state
            set_state(session, order, OrderState.PACKED)
    return shortage


def send_back_to_pick(session: Session, exception: FloorException, user: User) -> PickTask:
    """Pick the missing units again from other stock: a new pick task for the order (piece wave)."""
    shortage = _shortage_of(session, exception)
    line, needed = shortage.order_line, shortage.qty
    candidates = _candidates(session, line.product_id)  # as allocation chooses: unexpired, FEFO, faces first
    wave = Wave(strategy=WaveStrategy.PIECE, released_by_id=user.id)
    task = PickTask(wave=wave, order=line.order, priority=1)
    session.add_all([wave, task])
    for stock in candidates:
        take = min(needed, stock.on_hand - stock.reserved)
        stock.reserved += take
        allocation = Allocation(order_line=line, stock=stock, qty=take, released=True)
        task.lines.append(PickTaskLine(seq=len(task.lines) + 1, allocation=allocation, order_line_id=line.id,
                                       location_id=stock.location_id, product_id=line.product_id, lot=stock.lot,
                                       qty=take))
        needed -= take
        if needed == 0:
            break
    if needed:
        raise DomainError(messages.PACK_NO_STOCK_TO_REPICK.format(sku=line.product.sku))
    line.picked -= shortage.qty  # they never reached packing: the re-pick brings them, picked stays <= ordered
    _resolve(session, shortage, user, REPICK)
    if line.order.status not in (OrderState.PACKING, OrderState.PICKED):
        raise DomainError(messages.PACK_NOT_A_SHORTAGE)
    events.record(session, "task.created", {"task": task.id, "order": line.order.external_id}, rooms=("board",))
    return task
