"""Picking as a small state machine: each scan returns the next step.

location -> product -> qty (when more than one) -> tote -> next location ... -> done.
The task remembers where the last confirmed scan left it, so a picker can carry on on another device.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from scanners import parse_scan

from . import events, messages
from .errors import DomainError
from .lookup import location_for, product_for, tote_for
from .models import Location, Order, PickTask, PickTaskLine, User, utcnow
from .orders import set_state
from .scans import Outcome
from .states import LocationKind, MoveReason, OrderState, PickStep, ScanResult, TaskLineState, TaskState
from .stock import move

MAX_TYPED_QTY_DIGITS = 4


def _ok(message: str, parsed: dict | None = None) -> Outcome:
    return Outcome(ScanResult.OK, message, parsed)


def _refused(message: str, parsed: dict | None = None) -> Outcome:
    return Outcome(ScanResult.REFUSED, message, parsed)


def load_task(session: Session, task_id: int) -> PickTask | None:
    """A task with everything its screen and its next scan need, in three queries."""
    return session.scalar(
        select(PickTask).where(PickTask.id == task_id)
        .options(joinedload(PickTask.order),
                 selectinload(PickTask.lines).options(
                     joinedload(PickTaskLine.location).joinedload(Location.zone),
                     joinedload(PickTaskLine.product), joinedload(PickTaskLine.order_line),
                     joinedload(PickTaskLine.tote))))


def current_task(session: Session, user: User) -> PickTask | None:
    return session.scalar(select(PickTask).where(PickTask.user_id == user.id, PickTask.state == TaskState.ASSIGNED)
                          .order_by(PickTask.id).limit(1))


def take_next_task(session: Session, user: User) -> PickTask:
    """The picker's unfinished task, else the next open one: rush first, then oldest."""
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
    _go_to_next_line(task)
    session.flush()
    events.record(session, "task.assigned", {"task": task.id, "user": user.badge},
                  rooms=("board", f"user:{user.id}"))
    return task


def _open_lines(task: PickTask) -> list[PickTaskLine]:
    return [line for line in task.lines if line.state == TaskLineState.OPEN]


def _go_to_next_line(task: PickTask) -> None:
    lines = _open_lines(task)
    task.counted = 0
    if lines:
        task.current_line = lines[0]
        task.step = PickStep.LOCATION
    else:
        task.current_line = None
        task.step = PickStep.DONE


def next_line_after(task: PickTask) -> PickTaskLine | None:
    lines = _open_lines(task)
    return lines[1] if len(lines) > 1 else None


def prompt(task: PickTask) -> str:
    """The instruction for the step the task is at."""
    line = task.current_line
    if task.step == PickStep.DONE or line is None:
        return messages.TASK_DONE.format(totes=", ".join(totes_of(task)) or "-")
    if task.step == PickStep.LOCATION:
        return messages.SCAN_LOCATION.format(location=line.location.code)
    if task.step == PickStep.PRODUCT:
        return messages.SCAN_PRODUCT.format(sku=line.product.sku, name=line.product.name)
    if task.step == PickStep.QTY:
        return messages.COUNT_MORE.format(counted=task.counted, qty=line.qty)
    tote = bound_tote(task)
    if tote:
        return messages.SCAN_SAME_TOTE.format(qty=task.counted, sku=line.product.sku, tote=tote)
    return messages.SCAN_TOTE.format(qty=task.counted, sku=line.product.sku)


def totes_of(task: PickTask) -> list[str]:
    return sorted({line.tote.code for line in task.lines if line.tote is not None})


def bound_tote(task: PickTask) -> str | None:
    codes = totes_of(task)
    return codes[-1] if codes else None


def scan(session: Session, task: PickTask, user: User, raw: str) -> Outcome:
    """Apply one scan to the task at its current step."""
    if task.user_id != user.id:
        raise DomainError(messages.TASK_NOT_YOURS)
    if task.state == TaskState.DONE or task.current_line is None:
        return _refused(messages.TASK_FINISHED)
    parsed = parse_scan(raw)
    handler = {PickStep.LOCATION: _at_location, PickStep.PRODUCT: _at_product, PickStep.QTY: _at_qty,
               PickStep.TOTE: _at_tote}[task.step]
    outcome = handler(session, task, user, parsed)
    session.flush()
    return Outcome(outcome.result, outcome.message, parsed.as_dict())


def _at_location(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    line = task.current_line
    if parsed.text == line.location.code:
        task.step = PickStep.PRODUCT
        return _ok(messages.SCAN_PRODUCT.format(sku=line.product.sku, name=line.product.name))
    if location_for(session, parsed.text) is not None:
        return _refused(messages.WRONG_LOCATION.format(scanned=parsed.text, expected=line.location.code))
    return _refused(messages.NOT_A_LOCATION.format(scanned=parsed.text, expected=line.location.code))


def _product_refusal(session: Session, task: PickTask, parsed) -> Outcome | None:
    line = task.current_line
    product = product_for(session, parsed)
    if product is None:
        return _refused(messages.NOT_FOUND.format(scanned=parsed.text, sku=line.product.sku, name=line.product.name))
    if product.id != line.product_id:
        return _refused(messages.WRONG_PRODUCT.format(scanned_sku=product.sku, scanned_name=product.name,
                                                      sku=line.product.sku, name=line.product.name))
    return None


def _count(task: PickTask, counted: int) -> Outcome:
    line = task.current_line
    if counted > line.qty:
        return _refused(messages.OVER_PICK.format(qty=line.qty, sku=line.product.sku, counted=counted,
                                                  extra=counted - line.qty))
    task.counted = counted
    if counted == line.qty:
        task.step = PickStep.TOTE
        return _ok(prompt(task))
    task.step = PickStep.QTY
    return _ok(messages.COUNT_MORE.format(counted=counted, qty=line.qty))


def _at_product(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    refusal = _product_refusal(session, task, parsed)
    if refusal:
        return refusal
    return _count(task, parsed.qty or 1)


def _at_qty(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    text = parsed.text
    if text.isdigit() and len(text) <= MAX_TYPED_QTY_DIGITS:
        typed = int(text)
        remaining = task.current_line.qty
        if not 1 <= typed <= remaining:
            return _refused(messages.QTY_INVALID.format(remaining=remaining))
        return _count(task, typed)
    refusal = _product_refusal(session, task, parsed)
    if refusal:
        return refusal
    return _count(task, task.counted + (parsed.qty or 1))


def _pack_staging(session: Session) -> Location:
    staging = session.scalar(select(Location).where(Location.kind == LocationKind.PACK)
                             .order_by(Location.pick_sequence, Location.id).limit(1))
    if staging is None:
        raise DomainError("No packing location is set up; ask an admin to add one.")
    return staging


def _at_tote(session: Session, task: PickTask, user: User, parsed) -> Outcome:
    line = task.current_line
    order: Order = task.order
    tote = tote_for(session, parsed.text)
    if tote is None:
        return _refused(messages.NOT_A_TOTE.format(scanned=parsed.text))
    if tote.order_id is not None and tote.order_id != order.id:
        current = bound_tote(task)
        if current:
            return _refused(messages.WRONG_TOTE.format(scanned=tote.code, other=tote.order.external_id, tote=current))
        return _refused(messages.TOTE_IN_USE.format(scanned=tote.code, other=tote.order.external_id))
    tote.order_id = order.id
    _confirm_line(session, task, line, tote, user)
    done_message = messages.LINE_DONE.format(qty=line.picked, sku=line.product.sku, tote=tote.code)
    _go_to_next_line(task)
    if task.step == PickStep.DONE:
        _finish(session, task)
        return _ok(messages.TASK_DONE.format(totes=", ".join(totes_of(task))))
    return _ok(f"{done_message} {prompt(task)}")


def _confirm_line(session: Session, task: PickTask, line: PickTaskLine, tote, user: User) -> None:
    """The units leave the bin for packing: one stock move, reservation released, quantities forward."""
    move(session, product=line.product, qty=task.counted, reason=MoveReason.PICK, source=line.location,
         target=_pack_staging(session), lot=line.lot, user_id=user.id,
         reference=f"task {task.id} tote {tote.code}", release_reserved=task.counted)
    line.picked = task.counted
    line.state = TaskLineState.PICKED
    line.tote = tote
    line.order_line.picked += task.counted
    if task.order.status == OrderState.RELEASED:
        set_state(session, task.order, OrderState.PICKING)
    events.record(session, "pick.confirmed",
                  {"task": task.id, "order": task.order.external_id, "sku": line.product.sku,
                   "qty": task.counted, "location": line.location.code, "user": user.badge},
                  rooms=("board", f"zone:{line.location.zone.code}"))


def _finish(session: Session, task: PickTask) -> None:
    task.state = TaskState.DONE
    task.finished_at = utcnow()
    still_open = session.scalar(select(PickTask.id).where(PickTask.order_id == task.order_id,
                                                          PickTask.state != TaskState.DONE, PickTask.id != task.id)
                                .limit(1))
    if still_open is None and task.order.status == OrderState.PICKING:
        set_state(session, task.order, OrderState.PICKED)
    events.record(session, "task.done", {"task": task.id, "order": task.order.external_id})

