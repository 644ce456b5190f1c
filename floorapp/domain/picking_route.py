"""The route of a pick task: which line is next, which tote a unit goes to, and what the screen says.

Pure helpers over a loaded task (no queries), shared by picking, short picks and the screens.
"""
from __future__ import annotations

from . import messages
from .models import Order, PickTask, PickTaskLine, TaskTote
from .states import PickStep, TaskLineState, Tracking


def open_lines(task: PickTask) -> list[PickTaskLine]:
    """Lines still to visit, in route order (a skipped line has moved to the end)."""
    return sorted((line for line in task.lines if line.state == TaskLineState.OPEN), key=lambda line: line.seq)


def order_of(line: PickTaskLine) -> Order:
    return line.order_line.order


def uses_cart(task: PickTask) -> bool:
    """Batch: one tote per order on the cart."""
    return any(slot.order_id is not None for slot in task.cart)


def sorts_later(task: PickTask) -> bool:
    """Zone: everything goes into one shared tote (a cart slot without an order) that is sorted later."""
    return any(slot.order_id is None for slot in task.cart)


def empty_cart_slot(task: PickTask) -> TaskTote | None:
    return next((slot for slot in task.cart if slot.order_id is not None and slot.tote is None), None)


def cart_slot(task: PickTask, order_id: int) -> TaskTote | None:
    return next((slot for slot in task.cart if slot.order_id == order_id), None)


def shared_slot(task: PickTask) -> TaskTote | None:
    return next((slot for slot in task.cart if slot.order_id is None), None)


def go_to_next_line(task: PickTask, after: PickTaskLine | None = None) -> None:
    """Point the task at its next step: an empty cart slot first, then the next open line, else done.
    A next line at the same location as `after` starts at the product (the picker is standing there)."""
    task.counted = 0
    if empty_cart_slot(task) is not None:
        task.current_line = None
        task.step = PickStep.CART
        return
    lines = open_lines(task)
    if not lines:
        task.current_line = None
        task.step = PickStep.DONE
        return
    task.current_line = lines[0]
    same_place = after is not None and after.location_id == lines[0].location_id
    task.step = PickStep.PRODUCT if same_place else PickStep.LOCATION


def next_line_after(task: PickTask) -> PickTaskLine | None:
    """The visit after the current one, for the screen's "Next:" preview."""
    lines = open_lines(task)
    if task.current_line in lines:
        lines.remove(task.current_line)
    return lines[0] if lines else None


def totes_of(task: PickTask) -> list[str]:
    codes = {line.tote.code for line in task.lines if line.tote is not None}
    codes |= {slot.tote.code for slot in task.cart if slot.tote is not None}
    return sorted(codes)


def bound_tote(task: PickTask) -> str | None:
    """Piece picking: the tote the task has used so far."""
    codes = sorted({line.tote.code for line in task.lines if line.tote is not None})
    return codes[-1] if codes else None


def target_tote(task: PickTask, line: PickTaskLine | None = None) -> str | None:
    """The tote the current units go into, when the task already knows it."""
    line = line or task.current_line
    if line is None:
        return None
    if uses_cart(task):
        slot = cart_slot(task, line.order_line.order_id)
        return slot.tote.code if slot is not None and slot.tote is not None else None
    if sorts_later(task):
        slot = shared_slot(task)
        return slot.tote.code if slot is not None and slot.tote is not None else None
    return bound_tote(task)


def needs_lot(line: PickTaskLine) -> bool:
    return line.product.tracking == Tracking.LOT


def needs_serial(line: PickTaskLine) -> bool:
    return line.product.tracking == Tracking.SERIAL


def may_type_qty(line: PickTaskLine) -> bool:
    return line.product.allow_typed_qty and not needs_serial(line)


def prompt(task: PickTask) -> str:
    """The instruction for the step the task is at."""
    line = task.current_line
    if task.step == PickStep.CART:
        slot = empty_cart_slot(task)
        orders = [s for s in task.cart if s.order_id is not None]
        return messages.SCAN_CART_TOTE.format(order=slot.order.external_id, n=orders.index(slot) + 1, of=len(orders))
    if task.step == PickStep.DONE or line is None:
        return done_message(task)
    if task.step == PickStep.LOCATION:
        return messages.SCAN_LOCATION.format(location=line.location.code)
    if task.step == PickStep.PRODUCT:
        return messages.SCAN_PRODUCT.format(sku=line.product.sku, name=line.product.name)
    if task.step == PickStep.LOT:
        if line.lot:
            return messages.SCAN_LOT.format(sku=line.product.sku, lot=line.lot)
        return messages.SCAN_LOT_ANY.format(sku=line.product.sku)
    if task.step == PickStep.SERIAL:
        return messages.SCAN_SERIAL.format(sku=line.product.sku)
    if task.step == PickStep.QTY:
        return messages.COUNT_MORE.format(counted=task.counted, qty=line.qty)
    return tote_prompt(task)


def tote_prompt(task: PickTask) -> str:
    line = task.current_line
    tote = target_tote(task)
    if uses_cart(task):
        return messages.PUT_INTO_TOTE.format(qty=task.counted, sku=line.product.sku, tote=tote,
                                             order=order_of(line).external_id)
    if sorts_later(task) and not tote:
        return messages.ZONE_TOTE.format(qty=task.counted, sku=line.product.sku)
    if tote:
        return messages.SCAN_SAME_TOTE.format(qty=task.counted, sku=line.product.sku, tote=tote)
    return messages.SCAN_TOTE.format(qty=task.counted, sku=line.product.sku)


def done_message(task: PickTask) -> str:
    totes = ", ".join(totes_of(task))
    if not any(line.picked for line in task.lines):
        return messages.TASK_DONE_NOTHING
    if sorts_later(task):
        return messages.TASK_DONE_SORT.format(totes=totes)
    return messages.TASK_DONE.format(totes=totes)
