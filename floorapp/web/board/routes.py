"""The supervisor's floor board: orders by stage, live; release work in a wave."""
from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from sqlalchemy import func, select

from ...domain import waves
from ...domain.errors import DomainError
from ...domain.models import Order, PickTask, Scan
from ...domain.states import OrderState, Role, TaskState
from ..common import commit, page_or_fragment
from ..security import db, me, roles

bp = Blueprint("board", __name__, url_prefix="/board")
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
STAGES = (OrderState.RECEIVED, OrderState.BACKORDERED, OrderState.PARTIALLY_ALLOCATED, OrderState.ALLOCATED,
          OrderState.RELEASED, OrderState.PICKING, OrderState.PICKED, OrderState.PACKING, OrderState.PACKED,
          OrderState.SHIPPED)


def _figures() -> dict:
    session = db()
    counts = dict(session.execute(select(Order.status, func.count()).group_by(Order.status)).all())
    tasks = dict(session.execute(select(PickTask.state, func.count()).group_by(PickTask.state)).all())
    recent = session.scalars(select(Scan).order_by(Scan.id.desc()).limit(12)).all()
    return {"stages": [(s, counts.get(s, 0)) for s in STAGES], "open_tasks": tasks.get(TaskState.OPEN, 0),
            "assigned_tasks": tasks.get(TaskState.ASSIGNED, 0), "recent": recent,
            "releasable": waves.releasable_count(session)}


@bp.get("/")
@roles(*SUPERVISORS)
def index():
    return page_or_fragment("board/index.html", "board/_stages.html", message=None, **_figures())


@bp.post("/release")
@roles(*SUPERVISORS)
def release():
    count = request.form.get("count", "10")
    limit = int(count) if count.isdigit() and 0 < int(count) <= 200 else 10
    message = None
    try:
        wave = waves.release(db(), waves.releasable_orders(db(), limit=limit), user_id=me().id)
        commit()
        message = f"Wave {wave.id} released."
    except DomainError as error:
        db().rollback()
        message = error.message
    if request.headers.get("HX-Request"):
        return page_or_fragment("board/index.html", "board/_stages.html", message=message, **_figures())
    return redirect(url_for("board.index"))
