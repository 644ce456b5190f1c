"""Returns at a station or on a handheld: thin views over floorapp.domain.returns."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for

from ...domain import messages, returns
from ...domain.lookup import order_for
from ...domain.models import ReturnTask
from ...domain.scans import Outcome
from ...domain.states import Disposition, ReturnReason, Role
from ..common import page_or_fragment
from ..flows import answer_scan, go
from ..security import db, me, roles

bp = Blueprint("returns", __name__, url_prefix="/returns")
RETURNERS = (Role.PACKER, Role.SUPERVISOR, Role.ADMIN)


def _start_page(outcome: Outcome | None, status: int = 200):
    return page_or_fragment("returns/index.html", "returns/_order.html", outcome=outcome), status


@bp.get("/")
@roles(*RETURNERS)
def index():
    task = returns.current_task(db(), me())
    if task is not None:
        return redirect(url_for("returns.task", task_id=task.id))
    return _start_page(None)


@bp.post("/start")
@roles(*RETURNERS)
def start():
    started: list[ReturnTask] = []

    def apply(raw: str) -> Outcome:
        task, outcome = returns.start(db(), me(), raw)
        if task is not None:
            started.append(task)
        return outcome

    def render(outcome: Outcome | None, status: int):
        task = started[0] if started else returns.current_task(db(), me())
        if outcome is not None and outcome.ok and task is not None:
            return go(url_for("returns.task", task_id=task.id))
        return _start_page(outcome, status if status != 200 else 422)

    return answer_scan("returns", "order", apply, render, messages.RET_SCAN_ORDER)


def _task_or_404(task_id: int) -> ReturnTask:
    task = db().get(ReturnTask, task_id)
    if task is None:
        abort(404)
    if task.user_id != me().id:
        abort(403)
    return task


def _render(task: ReturnTask, outcome: Outcome | None, status: int = 200):
    body = page_or_fragment("returns/task.html", f"returns/_{task.step.value}.html", task=task, outcome=outcome,
                            prompt=returns.prompt(task), rows=returns.returnable(db(), task.order),
                            reasons=list(ReturnReason), dispositions=list(Disposition))
    return body, status


@bp.get("/tasks/<int:task_id>")
@roles(*RETURNERS)
def task(task_id: int):
    return _render(_task_or_404(task_id), None)


@bp.post("/tasks/<int:task_id>/scan")
@roles(*RETURNERS)
def scan(task_id: int):
    task = _task_or_404(task_id)
    return answer_scan(f"return:{task.id}", task.step.value, lambda raw: returns.scan(db(), task, me(), raw),
                       lambda outcome, status: _render(_task_or_404(task_id), outcome, status), returns.prompt(task))


@bp.get("/orders/<external_id>")
@roles(*RETURNERS)
def order(external_id: str):
    """What came back of an order (the order's returns page)."""
    found = order_for(db(), external_id)
    if found is None:
        abort(404)
    return page_or_fragment("returns/order.html", "returns/_history.html", order=found,
                            rows=returns.returnable(db(), found), history=returns.returns_json(found))
