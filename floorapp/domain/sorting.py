"""Sorting at the put wall: zone-picked totes are emptied item by item into each order's own tote.

tote (scan a tote from zone picking) -> product (scan an item from it) -> sort (scan the order's tote: the
put is confirmed) -> product ... until the tote is empty. The sorter's place is kept in `SortWork`, so a
dead battery loses nothing. When the last unit of an order is in its tote (and all its lines are picked or
short), the order becomes picked and sorted, ready for packing.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import parse_scan

from . import events, messages
from .lookup import product_for, tote_for
from .models import Order, PickTask, PickTaskLine, SortWork, TaskTote, Tote, User
from .picking import tote_busy
from .picking_checks import ok, refused
from .picking_orders import settle_orders
from .scans import Outcome
from .states import TaskLineState, TaskState

TOTE, PRODUCT, SORT = "tote", "product", "sort"


def work_for(session: Session, user: User) -> SortWork:
    work = session.scalar(select(SortWork).where(SortWork.user_id == user.id))
    if work is None:
        work = SortWork(user_id=user.id)
        session.add(work)
        session.flush()
    return work


def step_of(work: SortWork) -> str:
    if work.tote is None:
        return TOTE
    return PRODUCT if work.line is None else SORT


def order_tote(session: Session, order: Order) -> Tote | None:
    return session.scalar(select(Tote).where(Tote.order_id == order.id).order_by(Tote.code).limit(1))


def waiting(session: Session, tote: Tote) -> list[PickTaskLine]:
    """The lines in a zone tote with units not yet put to their order's tote."""
    return list(session.scalars(select(PickTaskLine).join(PickTask, PickTask.id == PickTaskLine.task_id).where(
        PickTask.state == TaskState.DONE, PickTaskLine.tote_id == tote.id, PickTaskLine.state == TaskLineState.PICKED,
        PickTaskLine.sorted < PickTaskLine.picked).order_by(PickTaskLine.id)))


def prompt(session: Session, work: SortWork) -> str:
    step = step_of(work)
    if step == TOTE:
        return messages.SORT_SCAN_TOTE
    if step == PRODUCT:
        return messages.SORT_SCAN_ITEM.format(tote=work.tote.code)
    line = work.line
    order = line.order_line.order
    dest = order_tote(session, order)
    if dest is None:
        return messages.SORT_PUT_NEW.format(sku=line.product.sku, order=order.external_id)
    return messages.SORT_PUT.format(sku=line.product.sku, tote=dest.code, order=order.external_id)


def scan(session: Session, work: SortWork, user: User, raw: str) -> Outcome:
    parsed = parse_scan(raw)
    handler = {TOTE: _at_tote, PRODUCT: _at_product, SORT: _at_sort}[step_of(work)]
    outcome = handler(session, work, user, parsed)
    session.flush()
    return Outcome(outcome.result, outcome.message, parsed.as_dict())


def _source(session: Session, work: SortWork, tote: Tote) -> Outcome:
    if not waiting(session, tote):
        return refused(messages.SORT_NOTHING_IN_TOTE.format(scanned=tote.code))
    work.tote = tote
    work.line = None
    return ok(messages.SORT_SCAN_ITEM.format(tote=tote.code))


def _at_tote(session: Session, work: SortWork, user: User, parsed) -> Outcome:
    tote = tote_for(session, parsed.text)
    if tote is None:
        if product_for(session, parsed) is not None:
            return refused(messages.SORT_SCAN_TOTE)
        return refused(messages.NOT_A_TOTE.format(scanned=parsed.text))
    return _source(session, work, tote)


def _at_product(session: Session, work: SortWork, user: User, parsed) -> Outcome:
    source = work.tote
    product = product_for(session, parsed)
    if product is None:
        tote = tote_for(session, parsed.text)
        if tote is not None and tote.id != source.id:
            return _source(session, work, tote)  # the sorter moved on to another zone tote
        return refused(messages.SORT_NOT_FOUND.format(scanned=parsed.text, tote=source.code))
    line = next((candidate for candidate in waiting(session, source) if candidate.product_id == product.id), None)
    if line is None:
        return refused(messages.SORT_NOT_IN_TOTE.format(sku=product.sku, name=product.name, tote=source.code))
    work.line = line
    return ok(prompt(session, work))


def _at_sort(session: Session, work: SortWork, user: User, parsed) -> Outcome:
    line = work.line
    order = line.order_line.order
    dest = order_tote(session, order)
    tote = tote_for(session, parsed.text)
    if tote is None:
        if dest is None:
            return refused(messages.NOT_A_TOTE.format(scanned=parsed.text))
        return refused(messages.SORT_PUT_FIRST.format(sku=line.product.sku, tote=dest.code))
    if dest is not None and tote.id != dest.id:
        return refused(messages.SORT_WRONG_TOTE.format(scanned=tote.code, order=order.external_id,
                                                       sku=line.product.sku, tote=dest.code))
    if dest is None:
        if tote_busy(session, tote):
            return refused(messages.TOTE_BUSY.format(scanned=tote.code))
        tote.order_id = order.id
    line.sorted += 1
    work.line = None
    session.flush()
    said = [messages.SORT_OK.format(sku=line.product.sku, tote=tote.code, order=order.external_id)]
    events.record(session, "sort.put", {"order": order.external_id, "sku": line.product.sku, "tote": tote.code,
                                        "user": user.badge})
    if settle_orders(session, {order.id}):
        said.append(messages.SORT_ORDER_DONE.format(order=order.external_id, tote=tote.code))
    source = work.tote
    if not waiting(session, source):
        for slot in session.scalars(select(TaskTote).where(TaskTote.tote_id == source.id, TaskTote.active.is_(True))):
            slot.active = False  # the zone tote is empty: back to the pool
        work.tote = None
        said += [messages.SORT_TOTE_EMPTY.format(tote=source.code), messages.SORT_SCAN_TOTE]
    else:
        said.append(messages.SORT_SCAN_ITEM.format(tote=source.code))
    return ok(" ".join(said))
