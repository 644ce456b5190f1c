"""Cancel an order, or change its lines, from the shop or ERP.

Before picking starts a cancel frees every reservation (no stock moves: nothing left its bin) and the
order becomes cancelled; open pick lines are called off, so a picker holding the task is told it is
finished. After picking started the order is cancelled all the same (it will not be packed or
shipped), but the picked goods are still on hand at packing (the ledger has them there): a
FloorException tells the supervisor what to put back, so no stock is ever silently lost; `put_back`
then moves the goods back to their pick locations (a transfer in the ledger) and resolves it.

Lines change only before release (the floor has not been given the work yet); the order then goes
back through allocation as if it had just arrived.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import events, messages
from .errors import Conflict, ValidationFailed
from .models import (
    Allocation,
    FloorException,
    Order,
    OrderLine,
    PickTask,
    PickTaskLine,
    Stock,
    StockMove,
    Tote,
    utcnow,
)
from .orders import allocate, payload_hash, set_state, validate
from .picking import pack_staging
from .states import (
    ExceptionKind,
    MoveReason,
    OrderState,
    PickStep,
    TaskLineState,
    TaskState,
)
from .stock import move

CHANGEABLE = (OrderState.RECEIVED, OrderState.BACKORDERED, OrderState.PARTIALLY_ALLOCATED, OrderState.ALLOCATED)
FINAL = (OrderState.SHIPPED, OrderState.DELIVERED, OrderState.RETURNED, OrderState.REJECTED)


@dataclass
class Cancelled:
    order: Order
    already: bool = False
    freed: int = 0                                   # units whose reservation was released
    put_back: list[dict[str, Any]] = field(default_factory=list)  # picked goods to return to stock
    exception: FloorException | None = None


def _free_reservations(session: Session, order: Order) -> int:
    """Release what is reserved and not yet picked; call off open pick lines. Returns units freed."""
    line_ids = [line.id for line in order.lines]
    allocations = list(session.scalars(select(Allocation).where(Allocation.order_line_id.in_(line_ids))))
    task_lines = list(session.scalars(select(PickTaskLine).where(PickTaskLine.order_line_id.in_(line_ids))))
    by_allocation = {tl.allocation_id: tl for tl in task_lines}
    stocks = {s.id: s for s in session.scalars(
        select(Stock).where(Stock.id.in_({a.stock_id for a in allocations})).with_for_update())}
    freed = 0
    for allocation in allocations:
        task_line = by_allocation.get(allocation.id)
        if task_line is None:
            remaining = allocation.qty
            session.delete(allocation)
        elif task_line.state == TaskLineState.OPEN:
            remaining = allocation.qty - task_line.picked
            task_line.state = TaskLineState.CANCELLED
        else:
            continue  # picked (its reservation went with the pick) or short (the short pick settled it)
        stocks[allocation.stock_id].reserved -= remaining
        freed += remaining
    for task in session.scalars(select(PickTask).where(PickTask.order_id == order.id,
                                                       PickTask.state != TaskState.DONE)):
        if all(tl.state != TaskLineState.OPEN for tl in task.lines):
            task.state, task.step, task.current_line, task.finished_at = TaskState.DONE, PickStep.DONE, None, utcnow()
            rooms = ("board", f"user:{task.user_id}") if task.user_id else ("board",)
            events.record(session, "task.cancelled", {"task": task.id, "order": order.external_id}, rooms=rooms)
    for line in order.lines:
        line.allocated, line.backordered = line.picked, 0
    session.flush()
    return freed


def _put_back(session: Session, order: Order) -> list[dict[str, Any]]:
    """What was picked and not shipped, with the totes it sits in."""
    totes: dict[int, set[str]] = {}
    for task_line in session.scalars(select(PickTaskLine).join(PickTaskLine.order_line)
                                     .where(OrderLine.order_id == order.id, PickTaskLine.picked > 0)):
        if task_line.tote is not None:
            totes.setdefault(task_line.order_line_id, set()).add(task_line.tote.code)
    return [{"sku": line.product.sku, "qty": line.picked - line.shipped, "packed": line.packed - line.shipped,
             "totes": sorted(totes.get(line.id, ()))}
            for line in order.lines if line.picked > line.shipped]


def cancel(session: Session, order: Order, *, reason: str = "", user_id: int | None = None) -> Cancelled:
    if order.status == OrderState.CANCELLED:
        return Cancelled(order, already=True)
    if order.status in FINAL:
        raise Conflict(messages.CANCEL_REJECTED.format(order=order.external_id) if order.status == OrderState.REJECTED
                       else messages.CANCEL_TOO_LATE.format(order=order.external_id, status=order.status.value))
    result = Cancelled(order, freed=_free_reservations(session, order), put_back=_put_back(session, order))
    set_state(session, order, OrderState.CANCELLED)
    if result.put_back:
        what = "; ".join(f"{item['qty']} x {item['sku']}" + (f" in tote {', '.join(item['totes'])}"
                                                             if item["totes"] else "") for item in result.put_back)
        result.exception = FloorException(
            kind=ExceptionKind.ORDER_CANCELLED, order_id=order.id, user_id=user_id,
            qty=sum(item["qty"] for item in result.put_back),
            note=messages.CANCELLED_AFTER_PICKING.format(order=order.external_id,
                                                         reason=f" ({reason})" if reason else "", what=what))
        session.add(result.exception)
        session.flush()
        events.record(session, "exception.opened", {"exception": result.exception.id, "order": order.external_id,
                                                    "kind": ExceptionKind.ORDER_CANCELLED.value})
    events.record(session, "order.cancelled", {"order": order.external_id, "reason": reason,
                                               "after_picking": bool(result.put_back), "put_back": result.put_back})
    return result


def current_payload(order: Order) -> dict[str, Any]:
    return {"external_id": order.external_id,
            "customer": {"name": order.customer_name, "email": order.customer_email},
            "ship_to": dict(order.ship_to or {}), "priority": order.priority,
            "ship_by": order.ship_by.isoformat() if order.ship_by else None, "carrier": order.carrier,
            "lines": [{"sku": line.product.sku, "qty": line.qty} for line in order.lines]}


def change_lines(session: Session, order: Order, lines: Any) -> tuple[Order, bool]:
    """Replace the order's lines ([{sku, qty}]) and allocate again. (order, changed)."""
    if order.status not in CHANGEABLE:
        if order.status == OrderState.RELEASED:
            raise Conflict(messages.LINES_RELEASED.format(order=order.external_id))
        raise Conflict(messages.LINES_TOO_LATE.format(order=order.external_id, status=order.status.value))
    if not isinstance(lines, list):
        raise ValidationFailed("Send the order's new lines.", [{"field": "lines", "message": "a list of {sku, qty}"}])
    normal, products = validate(session, {**current_payload(order), "lines": lines})
    digest = payload_hash(normal)
    if digest == order.payload_hash:
        return order, False
    _free_reservations(session, order)
    spare = list(order.lines)
    new_lines = []
    for i, wanted in enumerate(normal["lines"]):
        product = products[wanted["sku"]]
        line = next((line for line in spare if line.product_id == product.id), None)
        if line is None:
            line = OrderLine(product=product, product_id=product.id)
        else:
            spare.remove(line)
        line.line_no, line.qty, line.allocated, line.backordered = i + 1, wanted["qty"], 0, wanted["qty"]
        new_lines.append(line)
    order.lines = new_lines  # lines left out are deleted (delete-orphan); none has a pick line yet
    order.payload_hash = digest
    before = order.status
    order.status = OrderState.RECEIVED  # a changed order goes through allocation again, as if new
    session.flush()
    events.record(session, "order.changed", {"order": order.external_id, "from": before.value,
                                             "lines": normal["lines"]})
    allocate(session, order)
    return order, True


def put_back(session: Session, exception: FloorException, *, user_id: int | None = None) -> list[StockMove]:
    """The supervisor's answer to a cancel after picking: every picked unit goes back to the location it
    was picked from (a transfer in the ledger), the order's totes are free again, the exception is resolved."""
    if exception.kind != ExceptionKind.ORDER_CANCELLED or exception.resolved_at is not None:
        raise Conflict(messages.PUT_BACK_NOTHING)
    order = session.get(Order, exception.order_id)
    staging = pack_staging(session)
    moves = [move(session, product=task_line.product, qty=task_line.picked, reason=MoveReason.TRANSFER,
                  source=staging, target=task_line.location, lot=task_line.lot, user_id=user_id,
                  reference=f"put back: order {order.external_id} cancelled")
             for task_line in session.scalars(select(PickTaskLine).join(PickTaskLine.order_line)
                                              .where(OrderLine.order_id == order.id, PickTaskLine.picked > 0)
                                              .order_by(PickTaskLine.id))]
    for tote in session.scalars(select(Tote).where(Tote.order_id == order.id)):
        tote.order_id = None
    exception.resolved_at = utcnow()
    session.flush()
    events.record(session, "exception.resolved", {"exception": exception.id, "order": order.external_id})
    return moves
