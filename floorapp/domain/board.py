"""What the floor board shows besides the figures: orders by stage (late first), people, the zone heat view."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from . import metrics
from .models import (
    Carton,
    CartonLine,
    Location,
    Order,
    PickTask,
    PickTaskLine,
    Scan,
    User,
    Zone,
    utcnow,
)
from .states import (
    CartonState,
    LocationKind,
    OrderState,
    Role,
    ScanResult,
    TaskLineState,
    TaskState,
)

# Columns of the board: (name, the order states it holds)
STAGES: tuple[tuple[str, tuple[OrderState, ...]], ...] = (
    ("received", (OrderState.RECEIVED,)),
    ("allocated", (OrderState.ALLOCATED, OrderState.PARTIALLY_ALLOCATED)),
    ("backordered", (OrderState.BACKORDERED,)),
    ("released", (OrderState.RELEASED,)),
    ("picking", (OrderState.PICKING,)),
    ("picked", (OrderState.PICKED, OrderState.SORTED)),
    ("packing", (OrderState.PACKING,)),
    ("packed", (OrderState.PACKED,)),
    ("shipped", (OrderState.SHIPPED,)),
)
SHOWN_PER_STAGE = 8
NOT_AT_RISK = (OrderState.PACKED, OrderState.SHIPPED)


@dataclass
class Stage:
    name: str
    count: int
    late: int
    orders: list[dict] = field(default_factory=list)


def lateness(order: Order, today: dt.date) -> str:
    """'late' past its ship-by date, 'at_risk' due today and not yet packed, else ''."""
    if order.ship_by is None or order.status == OrderState.SHIPPED:
        return ""
    if order.ship_by < today:
        return "late"
    if order.ship_by == today and order.status not in NOT_AT_RISK:
        return "at_risk"
    return ""


def stages(session: Session, now: dt.datetime | None = None) -> list[Stage]:
    """Each column with its count and its first orders, late and at-risk first, then rush, then ship-by.

    The shipped column counts the orders shipped today (by their ship moves)."""
    now = now or utcnow()
    today = now.date()
    shipped_today = metrics.ship_times(session, metrics.today_window(now))
    columns = []
    for name, states in STAGES:
        query = select(Order).where(Order.status.in_(states))
        if name == "shipped":
            query = query.where(Order.external_id.in_(shipped_today or [""]))
        count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        urgent = query.where(Order.ship_by <= today) if name != "shipped" else None
        candidates = list(session.scalars(urgent.order_by(Order.ship_by, Order.id).limit(SHOWN_PER_STAGE))) \
            if urgent is not None else []
        rest = session.scalars(query.where(Order.id.notin_([o.id for o in candidates] or [0]))
                               .order_by(Order.ship_by, Order.id).limit(SHOWN_PER_STAGE)).all()
        chosen = (candidates + list(rest))
        tagged = [(lateness(o, today), o) for o in chosen]
        rank = {"late": 0, "at_risk": 1, "": 2}
        tagged.sort(key=lambda t: (rank[t[0]], t[1].priority != "rush", t[1].ship_by or dt.date.max, t[1].id))
        late = session.scalar(select(func.count()).select_from(
            query.where(Order.ship_by < today).subquery())) if name != "shipped" else 0
        columns.append(Stage(name, count, late or 0, [
            {"id": o.id, "external_id": o.external_id, "late": flag, "rush": o.priority == "rush",
             "ship_by": o.ship_by.isoformat() if o.ship_by else "", "carrier": o.carrier}
            for flag, o in tagged[:SHOWN_PER_STAGE]]))
    return columns


@dataclass
class Person:
    user: User
    doing: str            # what they are on: a pick task, a pack station, or nothing
    task_id: int | None
    task_state: str
    progress: str         # lines done of lines
    last_hour: dict
    shift: dict
    idle_minutes: int | None


def _per_person(session: Session, window: metrics.Window, now: dt.datetime) -> dict[int, dict]:
    hours = window.hours(now)
    out: dict[int, dict] = {}
    def row(uid: int) -> dict:
        return out.setdefault(uid, {"lines": 0, "units": 0, "scans": 0, "refused": 0})
    for user_id, _, qty, _ in metrics.pick_moves(session, window):
        if user_id is not None:
            row(user_id)["lines"] += 1
            row(user_id)["units"] += qty
    for user_id, qty in session.execute(
            select(Carton.packed_by_id, CartonLine.qty).join(CartonLine.carton)
            .where(Carton.closed_at >= window.start, Carton.closed_at < window.end)):
        if user_id is not None:
            row(user_id)["lines"] += 1
            row(user_id)["units"] += qty
    for (user_id, _, result), n in metrics.scan_counts(session, window).items():
        if user_id is not None:
            row(user_id)["scans"] += n
            row(user_id)["refused"] += n if result == ScanResult.REFUSED else 0
    for values in out.values():
        values["lines_per_hour"] = round(values["lines"] / hours, 1)
        values["units_per_hour"] = round(values["units"] / hours, 1)
        values["accuracy"] = round(1 - values["refused"] / values["scans"], 4) if values["scans"] else None
    return out


def people(session: Session, now: dt.datetime | None = None) -> list[Person]:
    """Every active picker and packer: what they are on, their rates, their accuracy and idle time."""
    now = now or utcnow()
    shift, hour = _per_person(session, metrics.shift_window(now), now), _per_person(session, metrics.last_hour(now), now)
    workers = session.scalars(select(User).where(User.active.is_(True), User.role.in_((Role.PICKER, Role.PACKER)))
                              .order_by(User.role, User.name)).all()
    tasks = {t.user_id: t for t in session.scalars(
        select(PickTask).where(PickTask.state.in_((TaskState.ASSIGNED, TaskState.PAUSED)))
        .options(selectinload(PickTask.lines), selectinload(PickTask.order)).order_by(PickTask.id.desc()))}
    cartons = {c.packed_by_id: c for c in session.scalars(
        select(Carton).where(Carton.state == CartonState.OPEN).options(selectinload(Carton.order)))}
    last_scan = dict(session.execute(select(Scan.user_id, func.max(Scan.created_at)).group_by(Scan.user_id)).all())
    empty = {"lines": 0, "units": 0, "lines_per_hour": 0.0, "units_per_hour": 0.0, "scans": 0, "refused": 0,
             "accuracy": None}
    out = []
    for user in workers:
        task, carton = tasks.get(user.id), cartons.get(user.id)
        if task is not None:
            done = sum(1 for line in task.lines if line.state != TaskLineState.OPEN)
            doing, progress = f"Picking {task.order.external_id}" if task.order else f"Task {task.id}", \
                f"{done}/{len(task.lines)}"
        elif carton is not None:
            doing, progress = f"Packing {carton.order.external_id}", ""
        else:
            doing, progress = "", ""
        seen = last_scan.get(user.id)
        out.append(Person(user, doing, task.id if task else None, task.state.value if task else "", progress,
                          hour.get(user.id, empty), shift.get(user.id, empty),
                          int((now - seen).total_seconds() // 60) if seen else None))
    return out


def zone_heat(session: Session, figures: dict) -> list[dict]:
    """Per pick zone: lines picked in the window and lines waiting in open tasks; `heat` 0..1 for colour."""
    waiting = dict(session.execute(
        select(Zone.code, func.count()).select_from(PickTaskLine)
        .join(PickTask, PickTask.id == PickTaskLine.task_id).join(Location, Location.id == PickTaskLine.location_id)
        .join(Zone, Zone.id == Location.zone_id)
        .where(PickTaskLine.state == TaskLineState.OPEN, PickTask.state != TaskState.DONE).group_by(Zone.code)).all())
    picked = {z["zone"]: z["lines"] for z in figures["zones"]}
    codes = sorted(set(waiting) | set(picked))
    top = max([waiting.get(c, 0) + picked.get(c, 0) for c in codes] or [1]) or 1
    return [{"zone": c, "picked": picked.get(c, 0), "waiting": waiting.get(c, 0),
             "heat": round((waiting.get(c, 0) + picked.get(c, 0)) / top, 2)} for c in codes]


def pickers(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True), User.role == Role.PICKER)
                                .order_by(User.name)))


def open_tasks(session: Session, limit: int = 30) -> list[PickTask]:
    return list(session.scalars(
        select(PickTask).where(PickTask.state != TaskState.DONE)
        .options(selectinload(PickTask.order), selectinload(PickTask.user), selectinload(PickTask.lines))
        .order_by(PickTask.priority.desc(), PickTask.id).limit(limit)))


def pick_zones(session: Session) -> list[str]:
    return list(session.scalars(select(Zone.code).where(Zone.id.in_(
        select(Location.zone_id).where(Location.kind == LocationKind.PICK))).order_by(Zone.code)))
