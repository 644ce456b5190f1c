"""Replenishment on the handheld: bring stock from bulk to a pick face (thin views over domain.replenishment).

"Get work" on the picking screen offers a replenishment first (see replenishment.next_task_for); this
blueprint has its own start screen too.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from ...domain import messages, replenishment
from ...domain.models import ReplenishmentTask
from ...domain.scans import Outcome
from ...domain.states import Role
from ..common import commit, page_or_fragment
from ..flows import answer_scan
from ..security import db, me, roles

bp = Blueprint("replenish", __name__, url_prefix="/replenish")
REPLENISHERS = (Role.PICKER, Role.SUPERVISOR, Role.ADMIN)


@bp.get("/")
@roles(*REPLENISHERS)
def index():
    task = replenishment.current_task(db(), me())
    if task is not None:
        return redirect(url_for("replenish.task", task_id=task.id))
    return render_template("replenish/index.html", message=None, waiting=len(replenishment.open_tasks(db())))


@bp.post("/next")
@roles(*REPLENISHERS)
def take_next():
    task = replenishment.next_task_for(db(), me())
    if task is None:
        db().rollback()
        return render_template("replenish/index.html", message=messages.REP_NO_WORK, waiting=0), 409
    commit()
    return redirect(url_for("replenish.task", task_id=task.id))


def _task_or_404(task_id: int) -> ReplenishmentTask:
    task = db().get(ReplenishmentTask, task_id)
    if task is None:
        abort(404)
    if task.user_id != me().id:
        abort(403)
    return task


def _render(task: ReplenishmentTask, outcome: Outcome | None, status: int = 200):
    body = page_or_fragment("replenish/task.html", f"replenish/_{task.step.value}.html", task=task, outcome=outcome,
                            prompt=replenishment.prompt(task), face=task.pick_face,
                            product=task.pick_face.product)
    return body, status


@bp.get("/tasks/<int:task_id>")
@roles(*REPLENISHERS)
def task(task_id: int):
    return _render(_task_or_404(task_id), None)


@bp.post("/tasks/<int:task_id>/scan")
@roles(*REPLENISHERS)
def scan(task_id: int):
    task = _task_or_404(task_id)
    return answer_scan(f"replenish:{task.id}", task.step.value,
                       lambda raw: replenishment.scan(db(), task, me(), raw),
                       lambda outcome, status: _render(_task_or_404(task_id), outcome, status),
                       replenishment.prompt(task))
