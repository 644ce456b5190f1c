"""The quick lane's tote scan: a piece-picking line confirmed in Core statements.

The tote scan that puts a line's units into the order's tote is about a quarter of a task's scans and,
through the ORM, by far the dearest: the task's whole graph loaded, a dozen objects flushed. Here it is
decided on the lane's read-only copies by picking's own rule (`tote_refusal`) and written with guarded
statements, as `picking.confirm_line` does: the task (still where it was read) moves to its next line, the
line (still open) is picked into the tote (still free or the order's), the stock leaves the location (still
enough there: `stock.move_by_ids`) with its ledger entry, the order line counts it, the face's min/max is
checked and `pick.confirmed` recorded; the order's first pick moves it from released to picking. The full
path keeps what needs more: a batch or zone task, the task's last line (it finishes the task and settles its
orders), a tote that is unknown or holds another order.
"""
from __future__ import annotations

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from scanners import parse_scan

from . import events, messages, replenishment
from .models import Order, OrderLine, PickTask, PickTaskLine, Tote, User
from .picking import pack_staging, tote_refusal
from .picking_lane import Frozen, TaskCopy
from .picking_route import go_to_next_line, open_lines, prompt
from .scans import Outcome
from .states import MoveReason, OrderState, PickStep, ScanResult, TaskLineState, TaskState
from .stock import move_by_ids

_T, _L, _OL, _TOTE = PickTask.__table__.c, PickTaskLine.__table__.c, OrderLine.__table__.c, Tote.__table__.c
_TOTE_BY_CODE = select(_TOTE.id, _TOTE.code, _TOTE.order_id).where(_TOTE.code == bindparam("b_code"))
_NEXT_LINE = (update(PickTask.__table__)
              .where(_T.id == bindparam("b_task"), _T.user_id == bindparam("b_user"), _T.state == TaskState.ASSIGNED,
                     _T.step == PickStep.TOTE, _T.counted == bindparam("b_qty"),
                     _T.current_line_id == bindparam("b_line"))
              .values(step=bindparam("b_step"), counted=0, current_line_id=bindparam("b_next")))
_LINE_PICKED = (update(PickTaskLine.__table__)
                .where(_L.id == bindparam("b_line"), _L.state == TaskLineState.OPEN)
                .values(picked=bindparam("b_qty"), state=TaskLineState.PICKED, tote_id=bindparam("b_tote"),
                        sorted=bindparam("b_qty")))
_TOTE_TO_ORDER = (update(Tote.__table__)
                  .where(_TOTE.id == bindparam("b_tote"),
                         or_(_TOTE.order_id.is_(None), _TOTE.order_id == bindparam("b_order")))
                  .values(order_id=bindparam("b_order")))
_ORD = Order.__table__.c
_ORDER_PICKING = (update(Order.__table__).where(_ORD.id == bindparam("b_order"), _ORD.status == OrderState.RELEASED)
                  .values(status=OrderState.PICKING))
_ORDER_STATUS = select(_ORD.status).where(_ORD.id == bindparam("b_order"))
_PICKABLE = (OrderState.RELEASED, OrderState.PICKING)
_ORDER_LINE_PICKED = (update(OrderLine.__table__).where(_OL.id == bindparam("b_order_line"))
                      .values(picked=_OL.picked + bindparam("b_qty")))


def decide(session: Session, task: TaskCopy, user: User, raw: str) -> Outcome | None:
    """The tote scan decided on the copy (reads only), which moves on to the next line for the screen;
    None: the full path decides. `confirm` writes it."""
    line = task.current_line
    order = line.order_line.order
    if (task.cart or task.counted <= 0 or order.status not in _PICKABLE or line.location.zone.code is None
            or len(open_lines(task)) < 2):
        return None
    parsed = parse_scan(raw)
    row = session.connection().execute(_TOTE_BY_CODE, {"b_code": parsed.text}).first()
    if row is None or row.order_id not in (None, order.id):  # unknown, or another order's: the full path says so
        return None
    tote = Frozen(id=row.id, code=row.code, order_id=row.order_id)
    if refusal := tote_refusal(session, task, tote):
        return Outcome(refusal.result, refusal.message, parsed.as_dict())
    qty = task.counted
    task.__dict__.update(confirm=tote, confirmed=line)
    line.__dict__.update(picked=qty, state=TaskLineState.PICKED, tote=tote, tote_id=tote.id, sorted=qty)
    go_to_next_line(task, after=line)
    done = messages.LINE_DONE.format(qty=qty, sku=line.product.sku, tote=tote.code)
    return Outcome(ScanResult.OK, f"{done} {prompt(task)}", parsed.as_dict())


def _order_picking(session: Session, order: Frozen) -> bool:
    """The order's first pick moves it from released to picking (as orders.set_state, with its event);
    False when the order is neither any more (held, cancelled meanwhile): the full path decides."""
    conn = session.connection()
    if conn.execute(_ORDER_PICKING, {"b_order": order.id}).rowcount == 1:
        events.record(session, "order.state", {"order": order.external_id, "from": OrderState.RELEASED.value,
                                               "to": OrderState.PICKING.value})
        return True
    return conn.execute(_ORDER_STATUS, {"b_order": order.id}).scalar() == OrderState.PICKING


def confirm(session: Session, task: TaskCopy, user: User) -> bool:
    """Write the confirmed line; False when something moved since it was read (the caller rolls back and
    takes the full path)."""
    tote, line = task.confirm, task.confirmed
    qty, conn = line.picked, session.connection()
    if conn.execute(_NEXT_LINE, {"b_task": task.id, "b_user": user.id, "b_qty": qty, "b_line": line.id,
                                 "b_step": task.step, "b_next": task.current_line.id}).rowcount != 1:
        return False
    if conn.execute(_LINE_PICKED, {"b_line": line.id, "b_qty": qty, "b_tote": tote.id}).rowcount != 1:
        return False
    if conn.execute(_TOTE_TO_ORDER, {"b_tote": tote.id, "b_order": line.order_line.order_id}).rowcount != 1:
        return False
    if not move_by_ids(session, product_id=line.product_id, qty=qty, reason=MoveReason.PICK,
                       source_id=line.location_id, target_id=pack_staging(session).id, lot=line.lot,
                       user_id=user.id, reference=f"task {task.id} tote {tote.code}", release_reserved=qty):
        return False
    replenishment.check(session, line.product, line.location)  # the face may now be below its min
    conn.execute(_ORDER_LINE_PICKED, {"b_order_line": line.order_line_id, "b_qty": qty})
    if not _order_picking(session, line.order_line.order):
        return False
    events.record(session, "pick.confirmed",
                  {"task": task.id, "order": line.order_line.order.external_id, "sku": line.product.sku,
                   "qty": qty, "location": line.location.code, "user": user.badge},
                  rooms=("board", f"zone:{line.location.zone.code}"))
    return True
