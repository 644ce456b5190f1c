"""The supervisor's levers: release a wave, reassign / unassign / pause / resume a task, rush an order, and
resolve exceptions. Every action is recorded (who, when, what) and pushes to the handhelds it touches.

Only supervisors and admins may act; the services check it too, not just the routes.
"""
from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import events, exceptions, orders, waves
from .errors import DomainError, NotFound
from .models import (
    Allocation,
    Location,
    Order,
    OrderLine,
    PickTask,
    PickTaskLine,
    PrintJob,
    Stock,
    SupervisorAction,
    User,
    Wave,
    Zone,
    utcnow,
)
from .states import OPEN_ORDER_STATES, PrintState, Role, TaskState, WaveStrategy

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def _check(user: User) -> None:
    if user.role not in SUPERVISORS:
        raise DomainError("Only a supervisor can do this.")


def record(session: Session, user: User, action: str, subject: str, **detail) -> SupervisorAction:
    entry = SupervisorAction(user_id=user.id, action=action, subject=subject[:120], detail=detail)
    session.add(entry)
    events.record(session, "supervisor.action", {"action": action, "subject": subject, "user": user.badge})
    return entry


def recent_actions(session: Session, limit: int = 15) -> list[SupervisorAction]:
    return list(session.scalars(select(SupervisorAction).order_by(SupervisorAction.id.desc()).limit(limit)))


# --- Waves ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WaveFilter:
    priority: str = ""               # "", "rush", "normal"
    ship_by: dt.date | None = None   # ship-by on or before
    zone: str = ""                   # orders with stock reserved in this zone
    carrier: str = ""                # orders asking for this carrier ("" = any)
    limit: int = 20


def wave_candidates(session: Session, chosen: WaveFilter) -> list[Order]:
    query = select(Order).where(Order.status.in_(waves.RELEASABLE))
    if chosen.priority:
        query = query.where(Order.priority == chosen.priority)
    if chosen.ship_by:
        query = query.where(Order.ship_by <= chosen.ship_by)
    if chosen.carrier:
        query = query.where(Order.carrier == chosen.carrier)
    if chosen.zone:
        in_zone = (select(OrderLine.order_id).join(Allocation, Allocation.order_line_id == OrderLine.id)
                   .join(Stock, Stock.id == Allocation.stock_id).join(Location, Location.id == Stock.location_id)
                   .join(Zone, Zone.id == Location.zone_id).where(Zone.code == chosen.zone))
        query = query.where(Order.id.in_(in_zone))
    query = query.order_by((Order.priority != "rush"), Order.ship_by, Order.created_at, Order.id)
    return list(session.scalars(query.limit(max(1, min(chosen.limit, 200)))))


def releasable_carriers(session: Session) -> list[str]:
    """The carriers asked for by orders ready to release: the release form's carrier choice."""
    return list(session.scalars(select(Order.carrier).distinct()
                                .where(Order.status.in_(waves.RELEASABLE), Order.carrier != "")
                                .order_by(Order.carrier)))


def lines_per_zone(session: Session, chosen: list[Order]) -> dict[str, int]:
    """The pick lines a release would make, per zone (one per reservation not yet released)."""
    if not chosen:
        return {}
    rows = session.execute(
        select(Zone.code, func.count()).select_from(Allocation).join(Allocation.order_line)
        .join(Stock, Stock.id == Allocation.stock_id).join(Location, Location.id == Stock.location_id)
        .join(Zone, Zone.id == Location.zone_id)
        .where(OrderLine.order_id.in_([o.id for o in chosen]), Allocation.released.is_(False))
        .group_by(Zone.code).order_by(Zone.code))
    return dict(rows.all())


def release_wave(session: Session, user: User, chosen: list[Order], strategy: WaveStrategy,
                 totes: int | None = None) -> Wave:
    """Release through floorapp.domain.waves (its rules and messages), and record who did it."""
    _check(user)
    kwargs = {"strategy": strategy, "user_id": user.id}
    if "totes" in inspect.signature(waves.release).parameters:
        kwargs["totes"] = totes
    elif strategy == WaveStrategy.BATCH and totes:
        raise DomainError("Batch picking with totes is not available yet; release as piece.")
    wave = waves.release(session, chosen, **kwargs)
    record(session, user, "wave.release", f"wave {wave.id}", strategy=strategy.value, totes=totes,
           orders=[o.external_id for o in chosen])
    return wave


# --- Tasks ---------------------------------------------------------------------------------------------------

def _task(session: Session, task_id: int) -> PickTask:
    task = session.get(PickTask, task_id)
    if task is None:
        raise NotFound(f"No pick task {task_id}.")
    if task.state == TaskState.DONE:
        raise DomainError(f"Task {task_id} is finished; nothing to change.")
    return task


def _pushed(session: Session, task: PickTask, change: str, *user_ids: int | None) -> None:
    rooms = ("board", *(f"user:{uid}" for uid in dict.fromkeys(user_ids) if uid is not None))
    events.record(session, "task.changed", {"task": task.id, "change": change, "state": task.state.value}, rooms)


def reassign(session: Session, user: User, task_id: int, picker_id: int) -> PickTask:
    _check(user)
    task = _task(session, task_id)
    picker = session.get(User, picker_id)
    if picker is None or not picker.active or picker.role != Role.PICKER:
        raise DomainError("Choose an active picker to give the task to.")
    if picker.id == task.user_id:
        raise DomainError(f"{picker.name} already has task {task.id}.")
    busy = session.scalar(select(PickTask.id).where(PickTask.user_id == picker.id, PickTask.id != task.id,
                                                    PickTask.state == TaskState.ASSIGNED).limit(1))
    if busy is not None:
        raise DomainError(f"{picker.name} is on task {busy}. Unassign or pause it first.")
    before = task.user_id
    task.user_id = picker.id
    if task.state == TaskState.OPEN:
        task.state = TaskState.ASSIGNED
        task.started_at = task.started_at or utcnow()
    if task.current_line_id is None and task.step.value == "location":
        task.current_line = next((line for line in task.lines if line.state.value == "open"), None)
    record(session, user, "task.reassign", f"task {task.id}", to=picker.badge, before=before)
    _pushed(session, task, "reassigned", before, picker.id)
    session.flush()
    return task


def unassign(session: Session, user: User, task_id: int) -> PickTask:
    _check(user)
    task = _task(session, task_id)
    before = task.user_id
    if before is None:
        raise DomainError(f"Task {task.id} has nobody on it.")
    task.user_id = None
    task.state = TaskState.OPEN if task.state == TaskState.ASSIGNED else task.state
    record(session, user, "task.unassign", f"task {task.id}", before=before)
    _pushed(session, task, "unassigned", before)
    session.flush()
    return task


def pause(session: Session, user: User, task_id: int) -> PickTask:
    _check(user)
    task = _task(session, task_id)
    if task.state == TaskState.PAUSED:
        raise DomainError(f"Task {task.id} is already paused.")
    task.state = TaskState.PAUSED
    record(session, user, "task.pause", f"task {task.id}")
    _pushed(session, task, "paused", task.user_id)
    session.flush()
    return task


def resume(session: Session, user: User, task_id: int) -> PickTask:
    _check(user)
    task = _task(session, task_id)
    if task.state != TaskState.PAUSED:
        raise DomainError(f"Task {task.id} is not paused.")
    task.state = TaskState.ASSIGNED if task.user_id is not None else TaskState.OPEN
    record(session, user, "task.resume", f"task {task.id}")
    _pushed(session, task, "resumed", task.user_id)
    session.flush()
    return task


def rush(session: Session, user: User, order_id: int) -> Order:
    """Re-prioritise an order: rush; its waiting pick tasks go to the front of the queue."""
    _check(user)
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("No such order.")
    if order.status not in OPEN_ORDER_STATES:
        raise DomainError(f"Order {order.external_id} is {order.status.value}; too late to rush it.")
    if order.priority == "rush":
        raise DomainError(f"Order {order.external_id} is already a rush order.")
    order.priority = "rush"
    for task in session.scalars(select(PickTask).where(PickTask.order_id == order.id,
                                                       PickTask.state != TaskState.DONE)):
        task.priority = 1
        _pushed(session, task, "rush", task.user_id)
    record(session, user, "order.rush", f"order {order.external_id}")
    events.record(session, "order.rush", {"order": order.external_id})
    session.flush()
    return order


# --- Resolutions (registered in the exceptions dispatch table) -----------------------------------------------

def _short_line(session: Session, key: str) -> tuple:
    exc = exceptions.floor_exception(session, key)
    line = session.scalar(select(OrderLine).where(OrderLine.order_id == exc.order_id,
                                                  OrderLine.product_id == exc.product_id).order_by(OrderLine.line_no))
    if line is None:
        raise DomainError("This exception names no order line; resolve it by hand.")
    return exc, line


def _done(session: Session, user: User, key: str, action: str, exc=None, **detail) -> None:
    if exc is not None:
        exceptions.close(exc)
    record(session, user, "exception.resolve", key, resolution=action, **detail)
    events.record(session, "exception.resolved", {"key": key, "resolution": action})


@exceptions.resolution("short_pick", "repick", "Re-pick from another location")
def repick(session: Session, key: str, user: User, params: dict) -> str:
    _check(user)
    exc, line = _short_line(session, key)
    orders.release_unpicked(session, line, exc.location_id)
    made = orders.reallocate_line(session, line, {exc.location_id} if exc.location_id else set())
    if not made:
        raise DomainError(f"No other stock of {line.product.sku} to pick from. Ship partial or cancel the line.")
    wave = Wave(strategy=WaveStrategy.PIECE, released_by_id=user.id)
    task = PickTask(wave=wave, order_id=line.order_id, priority=1)
    session.add_all([wave, task])
    located = sorted(made, key=lambda a: (a.stock.location.pick_sequence, a.stock.location.code))
    for seq, allocation in enumerate(located, start=1):
        allocation.released = True
        task.lines.append(PickTaskLine(seq=seq, allocation=allocation, order_line_id=line.id,
                                       location_id=allocation.stock.location_id, product_id=line.product_id,
                                       lot=allocation.stock.lot, qty=allocation.qty))
    session.flush()
    _done(session, user, key, "repick", exc, task=task.id, qty=sum(a.qty for a in made))
    where = ", ".join(a.stock.location.code for a in located)
    return f"Re-pick task {task.id} made: {sum(a.qty for a in made)} x {line.product.sku} from {where}."


@exceptions.resolution("short_pick", "ship_partial", "Ship partial (backorder the rest)")
def ship_partial(session: Session, key: str, user: User, params: dict) -> str:
    _check(user)
    exc, line = _short_line(session, key)
    orders.release_unpicked(session, line)
    line.backordered = line.qty - line.allocated
    _done(session, user, key, "ship_partial", exc, backordered=line.backordered)
    return f"Order {line.order.external_id} ships partial; {line.backordered} x {line.product.sku} backordered."


@exceptions.resolution("short_pick", "cancel_line", "Cancel the line")
def cancel_line(session: Session, key: str, user: User, params: dict) -> str:
    _check(user)
    exc, line = _short_line(session, key)
    orders.release_unpicked(session, line)
    cancelled = line.qty - line.allocated
    line.backordered = 0
    _done(session, user, key, "cancel_line", exc, cancelled=cancelled)
    return f"Line {line.line_no} of order {line.order.external_id}: {cancelled} x {line.product.sku} cancelled."


def _acknowledge(kind: str) -> None:
    @exceptions.resolution(kind, "acknowledge", "Seen, dealt with")
    def acknowledge(session: Session, key: str, user: User, params: dict) -> str:
        _check(user)
        exc = exceptions.floor_exception(session, key) if key.startswith("exception:") else None
        _done(session, user, key, "acknowledge", exc)
        return "Marked as dealt with."


for _kind in ("wrong_item", "damage", "wrong_item_streak"):
    _acknowledge(_kind)


@exceptions.resolution("print_failed", "retry", "Print again")
def retry_print(session: Session, key: str, user: User, params: dict) -> str:
    _check(user)
    job = session.get(PrintJob, int(key.partition(":")[2]))
    if job is None or job.state != PrintState.FAILED:
        raise DomainError("That print job is not failed any more.")
    job.state, job.error = PrintState.QUEUED, ""
    _done(session, user, key, "retry")
    events.record(session, "print.queued", {"job": job.id, "printer": job.printer})
    return f"{job.document} queued again for {job.printer}."
