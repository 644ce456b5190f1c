""""Can't pick": the location is empty, the item damaged, or not to be found.

In this order: the reservation on the bin is released (no stock moves: the count will find the truth),
an exception is raised to the board and a blind count of the bin is asked for, other stock of the same
product is reserved (a visit added to this task when that location is on the route ahead, else a new
task in the same wave), and only what no stock can cover is backordered on the order line.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from . import events, messages
from .counting import request_count
from .models import (
    Allocation,
    FloorException,
    Location,
    PickTask,
    PickTaskLine,
    Stock,
    TaskTote,
    User,
)
from .picking import (
    check_can_work,
    finish,
    go_to_next_line,
    open_lines,
    order_of,
    prompt,
    sorts_later,
)
from .picking_checks import ok, refused, today
from .scans import Outcome
from .states import (
    CountSource,
    ExceptionKind,
    LocationKind,
    PickStep,
    ShortReason,
    TaskLineState,
    TaskState,
    WaveStrategy,
)

_PICKABLE_STEPS = (PickStep.LOCATION, PickStep.PRODUCT, PickStep.LOT, PickStep.SERIAL, PickStep.QTY)


@dataclass
class _Visit:
    location: Location
    qty: int
    here: bool  # added to this task (else to a new task)


def cant_pick(session: Session, task: PickTask, user: User, reason: ShortReason | str) -> Outcome:
    """The current line cannot be (fully) picked: re-route to other stock, backorder the rest."""
    reason = ShortReason(reason)
    if refusal := check_can_work(task, user):
        return refusal
    line = task.current_line
    if line is None or task.step not in _PICKABLE_STEPS:
        return refused(prompt(task))
    order = order_of(line)
    if task.step == PickStep.LOT:
        task.counted = 0  # units whose lot was never confirmed go back to the bin
    missing = line.qty - task.counted
    allocation = line.allocation
    allocation.stock.reserved -= missing
    allocation.qty -= missing
    line.short += missing
    session.add(FloorException(
        kind=ExceptionKind.DAMAGE if reason == ShortReason.DAMAGED else ExceptionKind.SHORT_PICK,
        order_id=order.id, location_id=line.location_id, product_id=line.product_id, qty=missing,
        note=messages.SHORT_REASONS[reason.value], user_id=user.id))
    request_count(session, line.location, CountSource.SHORT_PICK, messages.SHORT_REASONS[reason.value],
                  product=line.product, user=user)
    events.record(session, "exception.raised",
                  {"kind": "short_pick", "order": order.external_id, "sku": line.product.sku,
                   "location": line.location.code, "reason": reason.value, "qty": missing, "user": user.badge},
                  rooms=("board",))
    visits = _reroute(session, task, line, missing)
    rest = missing - sum(v.qty for v in visits)
    if rest:
        line.order_line.backordered += rest
        line.order_line.allocated -= rest
    said = [messages.SHORT_RECORDED.format(qty=missing, sku=line.product.sku, location=line.location.code,
                                           reason=messages.SHORT_REASONS[reason.value])]
    said += [(messages.SHORT_REROUTED if v.here else messages.SHORT_NEW_TASK).format(qty=v.qty, location=v.location.code)
             for v in visits]
    if rest:
        said.append(messages.SHORT_BACKORDERED.format(qty=rest))
    if task.counted:  # what is in hand still goes into the tote
        line.qty = task.counted
        task.step = PickStep.TOTE
    else:
        line.state = TaskLineState.SHORT
        go_to_next_line(task)
    session.flush()
    if task.step == PickStep.DONE:
        finish(session, task)
    said.append(prompt(task))
    return ok(" ".join(said))


def _candidates(session: Session, line: PickTaskLine) -> list[Stock]:
    """Other unexpired, unreserved stock of the product: first-expiry-first-out, pick faces first, route order."""
    return list(session.scalars(
        select(Stock).join(Stock.location)
        .where(Stock.product_id == line.product_id, Stock.on_hand > Stock.reserved, Stock.location_id != line.location_id,
               Location.kind.in_((LocationKind.PICK, LocationKind.BULK)),
               or_(Stock.expiry.is_(None), Stock.expiry >= today()))
        .order_by(case((Stock.expiry.is_(None), 1), else_=0), Stock.expiry,
                  case((Location.kind == LocationKind.PICK, 0), else_=1), Location.pick_sequence, Stock.id)
        .with_for_update()))


def _ahead(task: PickTask, line: PickTaskLine, location: Location) -> bool:
    """On this task's route still to come: later in pick sequence (and in the task's zone, for zone picking)."""
    if sorts_later(task) and task.zone_id is not None and location.zone_id != task.zone_id:
        return False
    return location.pick_sequence >= line.location.pick_sequence


def _reroute(session: Session, task: PickTask, line: PickTaskLine, need: int) -> list[_Visit]:
    visits: list[_Visit] = []
    new_tasks: dict[int | None, PickTask] = {}
    for stock in _candidates(session, line):
        if need <= 0:
            break
        take = min(need, stock.available)
        stock.reserved += take
        allocation = Allocation(order_line=line.order_line, stock=stock, qty=take, released=True)
        session.add(allocation)
        visit = PickTaskLine(seq=0, allocation=allocation, order_line=line.order_line, location=stock.location,
                             product=line.product, lot=stock.lot, qty=take, picked=0, short=0, sorted=0,
                             state=TaskLineState.OPEN)
        here = _ahead(task, line, stock.location)
        if here:
            _insert(task, visit)
        else:
            _new_task(session, task, line, stock.location, new_tasks).lines.append(visit)
            visit.seq = len(visit.task.lines)
        visits.append(_Visit(stock.location, take, here))
        need -= take
    return visits


def _insert(task: PickTask, visit: PickTaskLine) -> None:
    """Put the visit where it belongs in pick sequence among the lines still to come."""
    current = task.current_line
    coming = [other for other in open_lines(task) if other is not current]
    at = next((i for i, other in enumerate(coming)
               if other.location.pick_sequence > visit.location.pick_sequence), len(coming))
    coming.insert(at, visit)
    base = max((other.seq for other in task.lines if other not in coming), default=0)
    task.lines.append(visit)
    for offset, other in enumerate(coming, start=1):
        other.seq = base + offset


def _new_task(session: Session, task: PickTask, line: PickTaskLine, location: Location,
              made: dict[int | None, PickTask]) -> PickTask:
    """One new task per zone (zone waves) or per order (piece and batch waves) in the same wave."""
    zone_wave = task.wave.strategy == WaveStrategy.ZONE
    key = location.zone_id if zone_wave else None
    if key not in made:
        new = PickTask(wave=task.wave, priority=task.priority, state=TaskState.OPEN,
                       zone_id=location.zone_id if zone_wave else None,
                       order_id=None if zone_wave else line.order_line.order_id)
        if zone_wave:
            new.cart = [TaskTote(position=1)]
        session.add(new)
        made[key] = new
        events.record(session, "task.created", {"wave": task.wave_id, "reason": "short pick",
                                                "order": order_of(line).external_id})
    return made[key]

