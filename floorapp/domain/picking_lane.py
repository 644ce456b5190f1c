"""The quick lane for the scans that move a picker along a line: the location, the item, the count, the tote.

Most scans of a pick task change two columns of it: its step and its count. For those the task is read
with one Core query (two with a cart) into plain read-only copies (no ORM objects, no unit of work), the
very step handlers of `picking` run on them, and the change is written with one UPDATE guarded by the
step, count and line it was read at, so the reads need not hold a write lock (`start_writing` in the web
layer ends them first on SQLite). The tote scan that confirms a piece-picking line is decided and written
the same way in `picking_lane_tote`. When anything moved the task meanwhile, or a handler wants to change
more than the lane writes, nothing is kept and the caller takes the full path (`picking.scan` on the ORM
task): lots, serials, the cart, the task's last line, a paused or finished task always do.
"""
from __future__ import annotations

from sqlalchemy import and_, bindparam, exists, select, update
from sqlalchemy.orm import Session

from . import picking
from .models import Location, Order, OrderLine, PickTask, PickTaskLine, Product, TaskTote, Tote, User, Zone
from .scans import Outcome
from .states import PickStep, TaskState, Tracking

LANE_STEPS = frozenset({PickStep.LOCATION, PickStep.PRODUCT, PickStep.QTY, PickStep.TOTE})


class NotForTheLane(Exception):
    """A handler tried to change more than the task's step and count: the full path must do it."""


class Frozen:
    """A read-only copy of a row: setting an attribute is refused."""

    def __init__(self, **values) -> None:
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: object) -> None:
        raise NotForTheLane(f"{type(self).__name__}.{name}")


class TaskCopy(Frozen):
    """A pick task whose step, count and current line may change, nothing else."""

    def __setattr__(self, name: str, value: object) -> None:
        if name not in ("step", "counted", "current_line"):
            raise NotForTheLane(f"task.{name}")
        self.__dict__[name] = value


_T, _L, _TT = PickTask.__table__.c, PickTaskLine.__table__.c, TaskTote.__table__.c
_LOC, _PROD, _OL, _ORD, _TOTE, _ZONE = (Location.__table__.c, Product.__table__.c, OrderLine.__table__.c,
                                        Order.__table__.c, Tote.__table__.c, Zone.__table__.c)

# The task and its lines (with location, zone, product, order line, order and tote) in one query: one round
# trip. Every line has its location, product, order line and order; a task with no lines gives one row.
_TASK_AND_LINES = (
    select(_T.id.label("task_id"), _T.user_id.label("task_user_id"), _T.state.label("task_state"),
           _T.step.label("task_step"), _T.counted.label("task_counted"),
           _T.current_line_id.label("task_current_line_id"), _T.order_id.label("task_order_id"),
           _T.zone_id.label("task_zone_id"), _T.wave_id.label("task_wave_id"), _T.priority.label("task_priority"),
           exists().where(_TT.task_id == _T.id).label("has_cart"),
           _L.id, _L.seq, _L.lot, _L.qty, _L.picked, _L.state, _L.short, _L.sorted, _L.location_id,
           _L.product_id, _L.order_line_id, _L.tote_id, _LOC.code.label("location_code"),
           _LOC.zone_id, _PROD.sku, _PROD.name, _PROD.tracking, _PROD.allow_typed_qty, _OL.order_id,
           _ORD.external_id, _ORD.status.label("order_status"), _TOTE.code.label("tote_code"),
           _ZONE.code.label("zone_code"))
    .select_from(PickTask.__table__.outerjoin(PickTaskLine.__table__, _L.task_id == _T.id)
                 .outerjoin(Location.__table__, _LOC.id == _L.location_id)
                 .outerjoin(Zone.__table__, _ZONE.id == _LOC.zone_id)
                 .outerjoin(Product.__table__, _PROD.id == _L.product_id)
                 .outerjoin(OrderLine.__table__, _OL.id == _L.order_line_id)
                 .outerjoin(Order.__table__, _ORD.id == _OL.order_id)
                 .outerjoin(Tote.__table__, _TOTE.id == _L.tote_id))
    .where(_T.id == bindparam("task_id")).order_by(_L.seq, _L.id))
_CART = (select(_TT.id, _TT.position, _TT.order_id, _TT.tote_id, _TT.active, _ORD.external_id,
                _ORD.status.label("order_status"), _TOTE.code.label("tote_code"))
         .select_from(TaskTote.__table__.outerjoin(Order.__table__, _ORD.id == _TT.order_id)
                      .outerjoin(Tote.__table__, _TOTE.id == _TT.tote_id))
         .where(_TT.task_id == bindparam("task_id")).order_by(_TT.position, _TT.id))
_MOVE = (update(PickTask.__table__)  # bound names differ from the columns' (update() reserves those)
         .where(and_(_T.id == bindparam("b_task"), _T.user_id == bindparam("b_user"),
                     _T.state == TaskState.ASSIGNED, _T.step == bindparam("b_was_step"),
                     _T.counted == bindparam("b_was_counted"), _T.current_line_id == bindparam("b_line")))
         .values(step=bindparam("b_step"), counted=bindparam("b_counted")))


def _tote(tote_id: int | None, code: str | None) -> Frozen | None:
    return Frozen(id=tote_id, code=code) if tote_id is not None else None


def _line(row) -> Frozen:  # noqa: ANN001 - a row of _TASK_AND_LINES
    order = Frozen(id=row.order_id, external_id=row.external_id, status=row.order_status)
    return Frozen(id=row.id, seq=row.seq, lot=row.lot, qty=row.qty, picked=row.picked, state=row.state,
                  short=row.short, sorted=row.sorted, location_id=row.location_id, product_id=row.product_id,
                  order_line_id=row.order_line_id, tote_id=row.tote_id,
                  location=Frozen(id=row.location_id, code=row.location_code, zone_id=row.zone_id,
                                  zone=Frozen(id=row.zone_id, code=row.zone_code)),
                  product=Frozen(id=row.product_id, sku=row.sku, name=row.name, tracking=row.tracking,
                                 allow_typed_qty=row.allow_typed_qty),
                  order_line=Frozen(id=row.order_line_id, order_id=row.order_id, order=order),
                  tote=_tote(row.tote_id, row.tote_code))


def _slot(row) -> Frozen:  # noqa: ANN001 - a row of _CART
    order = (Frozen(id=row.order_id, external_id=row.external_id, status=row.order_status)
             if row.order_id is not None else None)
    return Frozen(id=row.id, position=row.position, order_id=row.order_id, order=order, tote_id=row.tote_id,
                  tote=_tote(row.tote_id, row.tote_code), active=row.active)


def load(session: Session, task_id: int) -> TaskCopy | None:
    """The task, its lines (with location, product, order and tote) and its cart as read-only copies; None
    when there is no such task or it is not at a step of the lane."""
    conn = session.connection()
    rows = conn.execute(_TASK_AND_LINES, {"task_id": task_id}).all()
    if not rows:
        return None
    task = rows[0]
    if task.task_state != TaskState.ASSIGNED or task.task_step not in LANE_STEPS:
        return None
    lines = [_line(row) for row in rows if row.id is not None]
    cart = [_slot(row) for row in conn.execute(_CART, {"task_id": task_id})] if task.has_cart else []
    current = next((line for line in lines if line.id == task.task_current_line_id), None)
    return TaskCopy(id=task.task_id, user_id=task.task_user_id, state=task.task_state, step=task.task_step,
                    counted=task.task_counted, was=(task.task_step, task.task_counted),
                    current_line_id=task.task_current_line_id, current_line=current, order_id=task.task_order_id,
                    zone_id=task.task_zone_id, wave_id=task.task_wave_id, priority=task.task_priority,
                    lines=lines, cart=cart)


def takes(task: TaskCopy, user: User) -> bool:
    """The lane's scans: the picker's own assigned task, at a location, item, count or tote step of a line
    whose product is tracked by neither lot nor serial."""
    line = task.current_line
    return (task.user_id == user.id and task.state == TaskState.ASSIGNED and task.step in LANE_STEPS
            and line is not None and line.product.tracking == Tracking.NONE)


def scan(session: Session, task: TaskCopy, user: User, raw: str) -> Outcome | None:
    """Apply one scan to the copy (reads only); None: take the full path. `save` writes what it moved."""
    if not takes(task, user):
        return None
    if task.step == PickStep.TOTE:
        from .picking_lane_tote import decide
        return decide(session, task, user, raw)
    try:
        return picking.scan(session, task, user, raw)
    except NotForTheLane:
        task.__dict__.update(step=task.was[0], counted=task.was[1])
        return None


def save(session: Session, task: TaskCopy, user: User) -> bool:
    """Write the step and count the scan moved the copy to; False (nothing written) when the task is no
    longer where it was read: another request moved it, and the full path must read it again."""
    if task.__dict__.get("confirm") is not None:
        from .picking_lane_tote import confirm
        return confirm(session, task, user)
    if task.current_line is None or task.current_line.id != task.current_line_id:
        return False  # only a confirmed line moves the task to another line
    if (task.step, task.counted) == task.was:
        return True
    moved = session.connection().execute(_MOVE, {
        "b_task": task.id, "b_user": user.id, "b_was_step": task.was[0], "b_was_counted": task.was[1],
        "b_line": task.current_line_id, "b_step": task.step, "b_counted": task.counted}).rowcount
    if moved != 1:
        task.__dict__.update(step=task.was[0], counted=task.was[1])
        return False
    return True
