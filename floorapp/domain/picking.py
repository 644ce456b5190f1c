"""Picking as a small state machine: each scan returns the next step.

cart (batch: one empty tote per order) -> location -> product -> lot / serial (when the scan lacked it)
-> qty (when more than one) -> tote -> next location ... -> done.
The task remembers where the last confirmed scan left it, so a picker can carry on on another device.
Short picks live in `shortpick`, sorting in `sorting`, the route and prompts in `picking_route`.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload

from scanners import parse_scan

from . import events, messages, replenishment
from .errors import DomainError
from .lookup import location_for, product_for, tote_for
from .models import (
    Location,
    OrderLine,
    PickTask,
    PickTaskLine,
    TaskTote,
    Tote,
    User,
    utcnow,
)
from .orders import set_state
from .picking_checks import (
    expiry_refusal,
    keep_serial,
    lot_refusal,
    lot_text,
    ok,
    product_refusal,
    refused,
    serial_refusal,
)
from .picking_orders import settle_orders
from .picking_route import (  # noqa: F401  (re-exported for the screens)
    bound_tote,
    cart_slot,
    done_message,
    empty_cart_slot,
    go_to_next_line,
    may_type_qty,
    needs_lot,
    needs_serial,
    next_line_after,
    open_lines,
    order_of,
    prompt,
    shared_slot,
    sorts_later,
    target_tote,
    tote_prompt,
    totes_of,
    uses_cart,
)
from .scans import Outcome
from .states import (
    LocationKind,
    MoveReason,
    OrderState,
    PickStep,
    TaskLineState,
    TaskState,
)
from .stock import move

MAX_TYPED_QTY_DIGITS = 4


# Built once: building the loader options costs more than running the cached statement.
_TASK_WITH_LINES = (
    select(PickTask).where(PickTask.id == bindparam("task_id"))
    .options(joinedload(PickTask.cart).joinedload(TaskTote.tote),
             selectinload(PickTask.lines).options(
                 joinedload(PickTaskLine.location).joinedload(Location.zone),
                 joinedload(PickTaskLine.product),
                 joinedload(PickTaskLine.order_line).joinedload(OrderLine.order),
                 joinedload(PickTaskLine.tote))))


def load_task(session: Session, task_id: int) -> PickTask | None:
    """A task with everything its screen and its next scan need, in two queries (the cart's few totes ride
    along with the task row; the lines, with their location, product, order line, order and tote, follow).
    The task's and the cart's orders are among the lines' orders: reaching them later costs no query."""
    return session.execute(_TASK_WITH_LINES, {"task_id": task_id}).unique().scalar_one_or_none()


def current_task(session: Session, user: User) -> PickTask | None:
    """The picker's unfinished task (a paused one is not offered)."""
    return session.scalar(select(PickTask).where(PickTask.user_id == user.id, PickTask.state == TaskState.ASSIGNED)
                          .order_by(PickTask.id).limit(1))


def take_next_task(session: Session, user: User) -> PickTask:
    """The picker's unfinished task, else the next open one that fits their zone: rush first, then oldest."""
    task = current_task(session, user)
    if task is not None:
        return task
    query = (select(PickTask).where(PickTask.state == TaskState.OPEN, PickTask.user_id.is_(None))
             .order_by(PickTask.priority.desc(), PickTask.id).limit(1))
    if user.zone_id is not None:
        query = query.where((PickTask.zone_id.is_(None)) | (PickTask.zone_id == user.zone_id))
    task = session.scalar(query.with_for_update(skip_locked=True))
    if task is None:
        raise DomainError(messages.NO_WORK)
    task.user_id = user.id
    task.state = TaskState.ASSIGNED
    task.started_at = utcnow()
    go_to_next_line(task)
    session.flush()
    events.record(session, "task.assigned", {"task": task.id, "user": user.badge},
                  rooms=("board", f"user:{user.id}"))
    return task


def check_can_work(task: PickTask, user: User) -> Outcome | None:
    """Someone else's task is an error; a paused or finished task refuses the scan with one sentence."""
    if task.user_id != user.id:
        raise DomainError(messages.TASK_NOT_YOURS)
    if task.state == TaskState.PAUSED:
        return refused(messages.TASK_PAUSED)
    if task.state == TaskState.DONE or task.step == PickStep.DONE:
        return refused(messages.TASK_FINISHED)
    return None


def scan(session: Session, task: PickTask, user: User, raw: str) -> Outcome:
    """Apply one scan to the task at its current step. Changes are left to the caller's flush (its commit)."""
    parsed = parse_scan(raw)
    outcome = check_can_work(task, user)
    if outcome is None:
        handler = {PickStep.CART: _at_cart, PickStep.LOCATION: _at_location, PickStep.PRODUCT: _at_product,
                   PickStep.LOT: _at_lot, PickStep.SERIAL: _at_serial, PickStep.QTY: _at_qty,
                   PickStep.TOTE: _at_tote}[task.step]
        outcome = handler(session, task, user, parsed)  # flushed with the scan trail at the commit: one flush
    return Outcome(outcome.result, outcome.message, parsed.as_dict())


def tote_busy(session: Session, tote: Tote) -> bool:
    """A tote holds an order, or zone picks still waiting to be sorted."""
    if tote.order_id is not None:
        return True
    return session.scalar(_ZONE_PICKS_IN_TOTE, {"tote_id": tote.id}) is not None


_ZONE_PICKS_IN_TOTE = (select(TaskTote.id).where(TaskTote.tote_id == bindparam("tote_id"), TaskTote.order_id.is_(None),
                                                 TaskTote.active.is_(True)).limit(1))


def _at_cart(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    slot = empty_cart_slot(task)
    tote = tote_for(session, parsed.text)
    if tote is None:
        return refused(messages.NOT_A_TOTE.format(scanned=parsed.text))
    mine = next((s for s in task.cart if s.tote_id == tote.id), None)
    if mine is not None:
        return refused(messages.CART_TOTE_TWICE.format(scanned=tote.code, other=mine.order.external_id,
                                                       order=slot.order.external_id))
    if tote_busy(session, tote):
        return refused(messages.TOTE_BUSY.format(scanned=tote.code))
    slot.tote = tote
    tote.order_id = slot.order_id
    session.flush()
    done = messages.CART_TOTE_OK.format(tote=tote.code, order=slot.order.external_id)
    go_to_next_line(task)
    return ok(f"{done} {prompt(task)}")


def _at_location(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    line = task.current_line
    if parsed.text == line.location.code:
        task.step = PickStep.PRODUCT
        return ok(prompt(task))
    if location_for(session, parsed.text) is not None:
        return refused(messages.WRONG_LOCATION.format(scanned=parsed.text, expected=line.location.code))
    return refused(messages.NOT_A_LOCATION.format(scanned=parsed.text, expected=line.location.code))


def _over(task: PickTask, counted: int) -> Outcome | None:
    line = task.current_line
    if counted > line.qty:
        return refused(messages.OVER_PICK.format(qty=line.qty, sku=line.product.sku, counted=counted,
                                                 extra=counted - line.qty))
    return None


def _count(task: PickTask, counted: int) -> Outcome:
    line = task.current_line
    if refusal := _over(task, counted):
        return refusal
    task.counted = counted
    task.step = PickStep.TOTE if counted == line.qty else PickStep.QTY
    return ok(prompt(task))


def _item(session: Session, task: PickTask, parsed) -> Outcome:
    """A product scan at the product or qty step: right item, unexpired, right lot, new serial, not too many."""
    line = task.current_line
    if refusal := product_refusal(session, line, parsed) or expiry_refusal(parsed):
        return refusal
    if needs_serial(line):
        if refusal := _over(task, task.counted + 1):
            return refusal
        if not parsed.serial:
            task.step = PickStep.SERIAL
            return ok(prompt(task))
        return _serial(session, task, parsed.serial)
    if parsed.lot and needs_lot(line) and (refusal := lot_refusal(session, line, parsed.lot, parsed.expiry)):
        return refusal
    counted = task.counted + (parsed.qty or 1)
    if needs_lot(line) and task.step == PickStep.PRODUCT and not parsed.lot:
        if refusal := _over(task, counted):
            return refusal
        task.counted = counted
        task.step = PickStep.LOT
        return ok(prompt(task))
    return _count(task, counted)


def _at_product(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    return _item(session, task, parsed)


def _at_lot(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    line = task.current_line
    if refusal := expiry_refusal(parsed):
        return refusal
    if parsed.gtin and product_for(session, parsed) is not None and not parsed.lot:
        return refused(prompt(task))  # the item again, not its lot label
    if refusal := lot_refusal(session, line, lot_text(parsed), parsed.expiry):
        return refusal
    return _count(task, task.counted)


def _serial(session: Session, task: PickTask, serial: str) -> Outcome:
    line = task.current_line
    if refusal := serial_refusal(session, line, serial):
        return refusal
    keep_serial(session, line, serial)
    return _count(task, task.counted + 1)


def _at_serial(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    if parsed.serial:
        return _serial(session, task, parsed.serial)
    if product_for(session, parsed) is not None:
        return refused(messages.SERIAL_NOT_ITEM.format(scanned=parsed.text))
    return _serial(session, task, parsed.text)


def _at_qty(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    text = parsed.text
    line = task.current_line
    if text.isdigit() and len(text) <= MAX_TYPED_QTY_DIGITS:
        if not may_type_qty(line):
            return refused(messages.SCAN_EACH.format(sku=line.product.sku))
        typed = int(text)
        if not 1 <= typed <= line.qty:
            return refused(messages.QTY_INVALID.format(remaining=line.qty))
        return _count(task, typed)
    return _item(session, task, parsed)


_PACK_STAGING = (select(Location).where(Location.kind == LocationKind.PACK)
                 .order_by(Location.pick_sequence, Location.id).limit(1))


def pack_staging(session: Session) -> Location:
    staging = session.scalar(_PACK_STAGING)
    if staging is None:
        raise DomainError("No packing location is set up; ask an admin to add one.")
    return staging


def tote_refusal(session: Session, task: PickTask, tote: Tote) -> Outcome | None:
    """Batch: the order's tote on the cart; zone: the task's one tote; piece: a tote free or holding this order."""
    line = task.current_line
    expected = target_tote(task)
    if uses_cart(task) or (sorts_later(task) and expected):
        if tote.code == expected:
            return None
        other = next((s for s in task.cart if s.tote_id == tote.id and s.order is not None), None)
        if other is not None:
            return refused(messages.WRONG_CART_TOTE.format(scanned=tote.code, other=other.order.external_id,
                                                           qty=task.counted, sku=line.product.sku, tote=expected))
        return refused(messages.WRONG_TOTE_PLAIN.format(scanned=tote.code, tote=expected, qty=task.counted,
                                                        sku=line.product.sku))
    order = order_of(line)
    if sorts_later(task):
        return refused(messages.TOTE_BUSY.format(scanned=tote.code)) if tote_busy(session, tote) else None
    if tote.order_id is not None and tote.order_id != order.id:
        if expected:
            return refused(messages.WRONG_TOTE.format(scanned=tote.code, other=tote.order.external_id, tote=expected))
        return refused(messages.TOTE_IN_USE.format(scanned=tote.code, other=tote.order.external_id))
    if tote.order_id is None and tote_busy(session, tote):
        return refused(messages.TOTE_BUSY.format(scanned=tote.code))
    return None


def _at_tote(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    line = task.current_line
    tote = tote_for(session, parsed.text)
    if tote is None:
        return refused(messages.NOT_A_TOTE.format(scanned=parsed.text))
    if refusal := tote_refusal(session, task, tote):
        return refusal
    if sorts_later(task):
        slot = shared_slot(task)
        if slot.tote is None:
            slot.tote = tote
    else:
        tote.order_id = order_of(line).id
    confirm_line(session, task, line, tote, user)
    done = messages.LINE_DONE.format(qty=line.picked, sku=line.product.sku, tote=tote.code)
    go_to_next_line(task, after=line)
    if task.step == PickStep.DONE:
        finish(session, task)
        return ok(done_message(task))
    return ok(f"{done} {prompt(task)}")


def confirm_line(session: Session, task: PickTask, line: PickTaskLine, tote: Tote, user: User) -> None:
    """The units leave the bin for packing: one stock move, reservation released, quantities forward."""
    order = order_of(line)
    move(session, product=line.product, qty=task.counted, reason=MoveReason.PICK, source=line.location,
         target=pack_staging(session), lot=line.lot, user_id=user.id,
         reference=f"task {task.id} tote {tote.code}", release_reserved=task.counted)
    replenishment.check(session, line.product, line.location)  # the face may now be below its min
    line.picked = task.counted
    line.state = TaskLineState.PICKED
    line.tote = tote
    line.sorted = 0 if sorts_later(task) else task.counted  # zone picks reach their order's tote at sorting
    line.order_line.picked += task.counted
    if order.status == OrderState.RELEASED:
        set_state(session, order, OrderState.PICKING)
    events.record(session, "pick.confirmed",
                  {"task": task.id, "order": order.external_id, "sku": line.product.sku,
                   "qty": task.counted, "location": line.location.code, "user": user.badge},
                  rooms=("board", f"zone:{line.location.zone.code}"))


def finish(session: Session, task: PickTask) -> None:
    task.state = TaskState.DONE
    task.finished_at = utcnow()
    session.flush()
    settle_orders(session, {line.order_line.order_id for line in task.lines})
    events.record(session, "task.done", {"task": task.id, "orders": sorted(
        {order_of(line).external_id for line in task.lines})})


def skip(session: Session, task: PickTask, user: User) -> Outcome:
    """Skip the current location: it moves to the end of the route."""
    if refusal := check_can_work(task, user):
        return refusal
    line = task.current_line
    if line is None or task.step not in (PickStep.LOCATION, PickStep.PRODUCT):
        return refused(prompt(task))
    if task.counted:
        return refused(messages.CANT_SKIP_NOW.format(counted=task.counted, sku=line.product.sku))
    if len(open_lines(task)) < 2:
        return refused(messages.NOTHING_TO_SKIP.format(location=line.location.code))
    line.seq = max(other.seq for other in task.lines) + 1
    go_to_next_line(task)
    session.flush()
    events.record(session, "pick.skipped", {"task": task.id, "location": line.location.code, "user": user.badge})
    return ok(f"{messages.SKIPPED.format(location=line.location.code)} {prompt(task)}")
