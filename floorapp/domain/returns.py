"""Returns as a small state machine: each scan returns the next step.

    order (packing-slip QR or typed number) -> item -> reason -> disposition -> (location) -> item ... -> done

What can come back is what the order shipped: per line, `shipped` once ship-confirm has run, else what was
packed (or picked) into the cartons of a shipped order, less what already came back. Each item moves:
restock = into storage at the scanned location (move `return`); quarantine = into a quarantine location
(move `return`); scrap = into the returns area and straight out again (moves `return`, then `scrap`), so
the ledger shows both that it came back and that it was thrown away. Done records `order.returned`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import parse_scan

from . import events, messages, putaway
from .errors import DomainError
from .flowkit import is_done, ok, refused, run_step
from .lookup import location_for, order_for, product_for
from .models import Location, Order, OrderLine, ReturnLine, ReturnTask, User, utcnow
from .orders import set_state
from .scans import Outcome
from .states import Disposition, FlowState, FlowStep, LocationKind, MoveReason, OrderState, ReturnReason
from .stock import move

RETURNABLE = (OrderState.SHIPPED, OrderState.DELIVERED, OrderState.RETURNED)


@dataclass(frozen=True)
class Returnable:
    line: OrderLine
    shipped: int
    returned: int

    @property
    def left(self) -> int:
        return self.shipped - self.returned


def order_code(text: str) -> str:
    """The order number in a packing-slip QR (a returns URL ending in, or naming, the order) or typed."""
    text = text.strip()
    if re.match(r"^https?://", text, re.IGNORECASE):
        url = urlparse(text)
        query = parse_qs(url.query)
        if query.get("order"):
            return query["order"][0]
        return url.path.rstrip("/").rsplit("/", 1)[-1]
    return text


def shipped_qty(line: OrderLine) -> int:
    return line.shipped or line.packed or line.picked


def returnable(session: Session, order: Order) -> list[Returnable]:
    back: dict[int, int] = {}
    for row in session.scalars(select(ReturnLine).where(ReturnLine.order_id == order.id)):
        back[row.order_line_id] = back.get(row.order_line_id, 0) + row.qty
    return [Returnable(line, shipped_qty(line), back.get(line.id, 0)) for line in order.lines if shipped_qty(line)]


def current_task(session: Session, user: User) -> ReturnTask | None:
    return session.scalar(select(ReturnTask).where(ReturnTask.user_id == user.id,
                                                   ReturnTask.state == FlowState.ASSIGNED)
                          .order_by(ReturnTask.id).limit(1))


def start(session: Session, user: User, raw: str) -> tuple[ReturnTask | None, Outcome]:
    """Open the return of the order scanned; refused when it is not an order that shipped."""
    text = order_code(parse_scan(raw).text)
    order = order_for(session, text)
    if order is None:
        return None, refused(messages.RET_UNKNOWN_ORDER.format(scanned=text))
    if order.status not in RETURNABLE or not returnable(session, order):
        return None, refused(messages.RET_NOT_SHIPPED.format(order=order.external_id, status=order.status.value))
    task = ReturnTask(user=user, order=order, step=FlowStep.ITEM)
    session.add(task)
    session.flush()
    events.record(session, "return.started", {"task": task.id, "order": order.external_id, "user": user.badge})
    return task, ok(prompt(task))


def prompt(task: ReturnTask) -> str:
    order = task.order
    sku = task.order_line.product.sku if task.order_line else ""
    if task.step == FlowStep.REASON:
        return messages.RET_CHOOSE_REASON.format(sku=sku)
    if task.step == FlowStep.DISPOSITION:
        return messages.RET_CHOOSE_DISPOSITION.format(sku=sku)
    if task.step == FlowStep.LOCATION:
        return messages.RET_SCAN_LOCATION.format(sku=sku, location=task.proposed.code)
    if task.step == FlowStep.DONE:
        return messages.RET_DONE.format(order=order.external_id, units=sum(x.qty for x in task.lines))
    return messages.RET_SCAN_ITEM.format(order=order.external_id)


def scan(session: Session, task: ReturnTask, user: User, raw: str) -> Outcome:
    return run_step(session, task, user, raw, {FlowStep.ITEM: _at_item, FlowStep.REASON: _at_reason,
                                               FlowStep.DISPOSITION: _at_disposition, FlowStep.LOCATION: _at_location},
                    "This return belongs to someone else.")


def _at_item(session: Session, task: ReturnTask, user: User, parsed) -> Outcome:
    if is_done(parsed.text):
        return finish(session, task, user)
    order = task.order
    product = product_for(session, parsed)
    if product is None:
        return refused(messages.PACK_NOT_FOUND.format(scanned=parsed.text))
    rows = [r for r in returnable(session, order) if r.line.product_id == product.id]
    if not rows:
        return refused(messages.RET_NOT_IN_ORDER.format(sku=product.sku, name=product.name, order=order.external_id))
    row = next((r for r in rows if r.left > 0), None)
    if row is None:
        return refused(messages.RET_ALL_BACK.format(qty=sum(r.shipped for r in rows), sku=product.sku,
                                                    order=order.external_id))
    task.order_line, task.lot, task.reason, task.disposition = row.line, parsed.lot or "", None, None
    task.step = FlowStep.REASON
    return ok(prompt(task))


def _choice(text: str, kind):
    word = text.strip().lower().replace("_", " ").replace("-", " ")
    for member in kind:
        if word == member.value.replace("_", " "):
            return member
    return None


def _at_reason(session: Session, task: ReturnTask, user: User, parsed) -> Outcome:
    reason = _choice(parsed.text, ReturnReason)
    if reason is None:
        return refused(messages.RET_BAD_REASON)
    task.reason, task.step = reason, FlowStep.DISPOSITION
    return ok(prompt(task))


def _first(session: Session, kind: LocationKind) -> Location:
    found = session.scalar(select(Location).where(Location.kind == kind)
                           .order_by(Location.pick_sequence, Location.id).limit(1))
    if found is None:
        raise DomainError(messages.RET_NO_LOCATION.format(kind=kind.value))
    return found


def _at_disposition(session: Session, task: ReturnTask, user: User, parsed) -> Outcome:
    disposition = _choice(parsed.text, Disposition)
    if disposition is None:
        return refused(messages.RET_BAD_DISPOSITION)
    task.disposition = disposition
    product = task.order_line.product
    try:
        if disposition == Disposition.SCRAP:
            area = _first(session, LocationKind.RETURNS)
            _book(session, task, user, area, scrap=True)
            return ok(f"{messages.RET_BOOKED.format(sku=product.sku, disposition='scrapped')} {prompt(task)}")
        kind = LocationKind.QUARANTINE if disposition == Disposition.QUARANTINE else None
        task.proposed = _first(session, kind) if kind else putaway.propose(session, product, 1)
    except DomainError as error:
        task.disposition = None
        return refused(error.message)
    task.step = FlowStep.LOCATION
    return ok(prompt(task))


def _at_location(session: Session, task: ReturnTask, user: User, parsed) -> Outcome:
    product = task.order_line.product
    if task.disposition == Disposition.QUARANTINE:
        location = location_for(session, parsed.text)
        if location is None or location.kind != LocationKind.QUARANTINE:
            return refused(messages.RET_NOT_QUARANTINE.format(scanned=parsed.text, expected=task.proposed.code))
    else:
        why, location = putaway.refusal(session, product, 1, parsed.text, task.proposed)
        if why:
            return refused(why)
    _book(session, task, user, location)
    what = "quarantined" if task.disposition == Disposition.QUARANTINE else f"restocked at {location.code}"
    return ok(f"{messages.RET_BOOKED.format(sku=product.sku, disposition=what)} {prompt(task)}")


def _book(session: Session, task: ReturnTask, user: User, location: Location, *, scrap: bool = False) -> None:
    """The unit comes back in (and, for scrap, goes straight out); the return line remembers it."""
    line, order = task.order_line, task.order
    reference = f"return {task.id} order {order.external_id}"
    move(session, product=line.product, qty=1, reason=MoveReason.RETURN, target=location, lot=task.lot,
         user_id=user.id, reference=reference)
    if scrap:
        session.flush()
        move(session, product=line.product, qty=1, reason=MoveReason.SCRAP, source=location, lot=task.lot,
             user_id=user.id, reference=reference)
    same = next((x for x in task.lines if x.order_line_id == line.id and x.reason == task.reason
                 and x.disposition == task.disposition and x.location_id == location.id and x.lot == task.lot), None)
    if same is not None:
        same.qty += 1
    else:
        session.add(ReturnLine(task=task, order=order, order_line=line, product=line.product, lot=task.lot, qty=1,
                               reason=task.reason, disposition=task.disposition, location=location, user_id=user.id))
    if order.status != OrderState.RETURNED:
        set_state(session, order, OrderState.RETURNED)
    task.order_line, task.lot, task.reason, task.disposition, task.proposed = None, "", None, None, None
    task.step = FlowStep.ITEM
    session.flush()


def finish(session: Session, task: ReturnTask, user: User) -> Outcome:
    """Done: the return is booked; `order.returned` tells the customer's systems what came back."""
    task.state, task.step, task.finished_at = FlowState.DONE, FlowStep.DONE, utcnow()
    session.flush()
    if task.lines:
        events.record(session, "order.returned", {
            "order": task.order.external_id,
            "lines": [{"sku": x.product.sku, "qty": x.qty, "reason": x.reason.value, "disposition": x.disposition.value}
                      for x in task.lines]})
    return ok(prompt(task))


def returns_json(order: Order) -> list[dict]:
    """What came back of an order, for its page and its API JSON (only a returned order has anything back)."""
    if order.status != OrderState.RETURNED:
        return []
    return [{"sku": x.product.sku, "qty": x.qty, "reason": x.reason.value, "disposition": x.disposition.value,
             "location": x.location.code if x.location else None,
             "at": x.created_at.isoformat(timespec="seconds") + "Z"} for x in order.returned_lines]
