"""Receiving and put-away on the handheld, as a small state machine: each scan returns the next step.

    product -> (lot, for lot-tracked goods scanned without one) -> qty -> location -> product ...

Against an expected receipt, only what it lists (and no more than is left on it) is taken in; blind, anything
known is. When counting ends the units are received onto the dock (a stock move `receipt`); the scan of the
put-away location moves them from the dock into storage (a move `putaway`) and fills waiting backorders.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import parse_scan

from . import events, messages, putaway, replenishment
from .errors import DomainError
from .flowkit import is_done, ok, refused, run_step, typed_qty
from .lookup import location_for, product_for
from .models import ExpectedReceipt, Location, Order, Product, ReceivingTask, User, utcnow
from .orders import fill_backorders
from .receiving import _book_on_receipt, left_on_receipt, receipt_for
from .scans import Outcome
from .states import FlowState, FlowStep, LocationKind, MoveReason, OrderState, Tracking
from .stock import move

ALLOCATABLE_NOW = (OrderState.ALLOCATED, OrderState.PARTIALLY_ALLOCATED)


def dock(session: Session) -> Location:
    found = session.scalar(select(Location).where(Location.kind == LocationKind.RECEIVING)
                           .order_by(Location.pick_sequence, Location.id).limit(1))
    if found is None:
        raise DomainError(messages.RCV_NO_DOCK)
    return found


def current_task(session: Session, user: User) -> ReceivingTask | None:
    return session.scalar(select(ReceivingTask).where(ReceivingTask.user_id == user.id,
                                                      ReceivingTask.state == FlowState.ASSIGNED)
                          .order_by(ReceivingTask.id).limit(1))


def start(session: Session, user: User, raw: str | None) -> tuple[ReceivingTask | None, Outcome]:
    """Start receiving against the receipt scanned (raw) or blind (raw None); an unfinished session resumes."""
    task = current_task(session, user)
    if task is not None:
        return task, ok(prompt(task))
    receipt: ExpectedReceipt | None = None
    if raw is not None:
        text = parse_scan(raw).text
        receipt = receipt_for(session, text)
        if receipt is None:
            return None, refused(messages.RCV_UNKNOWN_RECEIPT.format(scanned=text))
        if receipt.state == FlowState.DONE:
            return None, refused(messages.RCV_RECEIPT_DONE.format(reference=receipt.reference))
    dock(session)  # refuse at once when there is nowhere to receive to
    task = ReceivingTask(user=user, receipt=receipt, step=FlowStep.PRODUCT)
    session.add(task)
    session.flush()
    events.record(session, "receiving.started", {"task": task.id, "receipt": receipt.reference if receipt else None,
                                                 "user": user.badge})
    return task, ok(prompt(task))


def prompt(task: ReceivingTask) -> str:
    product = task.product
    if task.step == FlowStep.LOT:
        return messages.RCV_SCAN_LOT.format(sku=product.sku)
    if task.step == FlowStep.QTY:
        return messages.RCV_COUNT.format(counted=task.counted, sku=product.sku)
    if task.step == FlowStep.LOCATION:
        return messages.RCV_PUT_AWAY.format(qty=task.counted, sku=product.sku, location=task.proposed.code)
    if task.step == FlowStep.DONE:
        return messages.RCV_FINISHED.format(units=task.put_away)
    return messages.RCV_SCAN_PRODUCT


def left(task: ReceivingTask) -> int | None:
    """How many more of the current product the receipt expects (None when blind)."""
    if task.receipt is None or task.product is None:
        return None
    return left_on_receipt(task.receipt, task.product)


def scan(session: Session, task: ReceivingTask, user: User, raw: str) -> Outcome:
    return run_step(session, task, user, raw, {FlowStep.PRODUCT: _at_product, FlowStep.LOT: _at_lot,
                                               FlowStep.QTY: _at_qty, FlowStep.LOCATION: _at_location},
                    "This receiving session belongs to someone else.")


def _at_product(session: Session, task: ReceivingTask, user: User, parsed) -> Outcome:
    if is_done(parsed.text):
        return finish(session, task, user)
    product = product_for(session, parsed)
    if product is None:
        return refused(messages.RCV_NOT_FOUND.format(scanned=parsed.text))
    if task.receipt is not None:
        if not any(line.product_id == product.id for line in task.receipt.lines):
            return refused(messages.RCV_NOT_ON_RECEIPT.format(sku=product.sku, name=product.name,
                                                              reference=task.receipt.reference))
        if left_on_receipt(task.receipt, product) <= 0:
            expected = sum(line.qty for line in task.receipt.lines if line.product_id == product.id)
            return refused(messages.RCV_NOTHING_LEFT.format(qty=expected, sku=product.sku,
                                                            reference=task.receipt.reference))
    task.product, task.lot, task.expiry, task.counted = product, parsed.lot or "", parsed.expiry, 0
    if product.tracking == Tracking.LOT and not task.lot:
        task.step = FlowStep.LOT
        return ok(messages.RCV_SCAN_LOT.format(sku=product.sku))
    return _count(session, task, parsed.qty or 1)


def _at_lot(session: Session, task: ReceivingTask, user: User, parsed) -> Outcome:
    text = parsed.text
    if not text or len(text) > 40 or product_for(session, parsed) is not None or location_for(session, text):
        return refused(messages.RCV_BAD_LOT.format(scanned=text))
    task.lot = text
    return _count(session, task, 1)


def _count(session: Session, task: ReceivingTask, counted: int) -> Outcome:
    remaining = left(task)
    if remaining is not None and counted > remaining:
        return refused(messages.RCV_OVER.format(reference=task.receipt.reference, left=remaining,
                                                sku=task.product.sku, extra=counted - remaining))
    task.counted = counted
    task.step = FlowStep.QTY
    if remaining is not None and counted == remaining:
        return _counted(session, task)
    return ok(messages.RCV_COUNT.format(counted=counted, sku=task.product.sku))


def _at_qty(session: Session, task: ReceivingTask, user: User, parsed) -> Outcome:
    if is_done(parsed.text):
        return _counted(session, task)
    typed = typed_qty(parsed.text)
    if typed is not None:
        most = left(task) or 9999
        if not 1 <= typed <= most:
            return refused(messages.RCV_QTY_INVALID.format(most=most))
        task.counted = typed
        return _counted(session, task)
    product = product_for(session, parsed)
    if product is None:
        return refused(messages.RCV_NOT_FOUND.format(scanned=parsed.text))
    if product.id != task.product_id:
        return refused(messages.RCV_WRONG_ITEM.format(scanned_sku=product.sku, sku=task.product.sku))
    return _count(session, task, task.counted + (parsed.qty or 1))


def _counted(session: Session, task: ReceivingTask) -> Outcome:
    """Counting ends: the units are received onto the dock and a put-away location is proposed."""
    product = task.product
    task.proposed = putaway.propose(session, product, task.counted)
    reference = f"receipt {task.receipt.reference}" if task.receipt else f"blind receipt {task.id}"
    move(session, product=product, qty=task.counted, reason=MoveReason.RECEIPT, target=dock(session), lot=task.lot,
         expiry=task.expiry, user_id=task.user_id, reference=reference)
    if task.receipt is not None:
        _book_on_receipt(task.receipt, product, task.counted, task.lot)
    task.step = FlowStep.LOCATION
    events.record(session, "stock.received", {"sku": product.sku, "qty": task.counted, "lot": task.lot,
                                              "receipt": task.receipt.reference if task.receipt else None})
    return ok(prompt(task))


def _at_location(session: Session, task: ReceivingTask, user: User, parsed) -> Outcome:
    product = task.product
    why, location = putaway.refusal(session, product, task.counted, parsed.text, task.proposed)
    if why:
        return refused(why)
    move(session, product=product, qty=task.counted, reason=MoveReason.PUTAWAY, source=dock(session),
         target=location, lot=task.lot, user_id=user.id, reference=f"put-away {task.id}")
    session.flush()
    done = messages.RCV_PUT_AWAY_DONE.format(qty=task.counted, sku=product.sku, location=location.code)
    events.record(session, "stock.put_away", {"sku": product.sku, "qty": task.counted, "location": location.code,
                                              "user": user.badge}, rooms=("board", f"zone:{location.zone.code}"))
    task.put_away += task.counted
    fill_and_tell(session, {product.id})
    replenishment.check_low(session, product)
    task.product, task.lot, task.expiry, task.counted, task.proposed = None, "", None, 0, None
    task.step = FlowStep.PRODUCT
    if task.receipt is not None and task.receipt.state == FlowState.DONE:
        finish(session, task, user)
        return ok(f"{done} {messages.RCV_ALL_IN.format(reference=task.receipt.reference)}")
    return ok(f"{done} {messages.RCV_SCAN_PRODUCT}")


def fill_and_tell(session: Session, product_ids: set[int]) -> list[Order]:
    """Arriving stock goes to waiting backorders first; the board hears which orders became allocatable."""
    waiting = fill_backorders(session, product_ids)
    ready = [o for o in waiting if o.status in ALLOCATABLE_NOW]
    if ready:
        events.record(session, "backorders.filled", {"orders": [o.external_id for o in ready],
                                                     "statuses": {o.external_id: o.status.value for o in ready}})
    return ready


def finish(session: Session, task: ReceivingTask, user: User) -> Outcome:
    """End the session. Units counted but not yet put away stay on the dock (a supervisor sees them)."""
    if task.step in (FlowStep.LOCATION, FlowStep.QTY, FlowStep.LOT) and task.product is not None:
        return refused(prompt(task))
    task.state, task.step, task.finished_at = FlowState.DONE, FlowStep.DONE, utcnow()
    events.record(session, "receiving.finished", {"task": task.id, "units": task.put_away, "user": user.badge})
    return ok(prompt(task))


def expected_rows(task: ReceivingTask) -> list[tuple[Product, int, int]]:
    """(product, expected, received) per line of the task's receipt, for the screen."""
    if task.receipt is None:
        return []
    return [(line.product, line.qty, line.received) for line in task.receipt.lines]
