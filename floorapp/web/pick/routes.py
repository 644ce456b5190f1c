"""Picking on the handheld: thin views over floorapp.domain.picking."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ...domain import picking
from ...domain.errors import DomainError
from ...domain.models import PickTask
from ...domain.scans import Outcome
from ...domain.states import Role, ScanResult
from ..common import commit, keep_scan, page_or_fragment, replayed, scan_id
from ..security import db, me, roles

bp = Blueprint("pick", __name__, url_prefix="/pick")
PICKERS = (Role.PICKER, Role.SUPERVISOR, Role.ADMIN)


@bp.get("/")
@roles(*PICKERS)
def index():
    task = picking.current_task(db(), me())
    if task is not None:
        return redirect(url_for("pick.task", task_id=task.id))
    return render_template("pick/index.html", message=None)


@bp.post("/next")
@roles(*PICKERS)
def take_next():
    try:
        task = picking.take_next_task(db(), me())
    except DomainError as error:
        db().rollback()
        return render_template("pick/index.html", message=error.message), 409
    commit()
    return redirect(url_for("pick.task", task_id=task.id))


def _task_or_404(task_id: int) -> PickTask:
    task = picking.load_task(db(), task_id)
    if task is None:
        abort(404)
    if task.user_id != me().id:
        abort(403)
    return task


def _render(task: PickTask, outcome: Outcome | None, status: int = 200):
    fragment = f"pick/_{task.step.value}.html"
    body = page_or_fragment("pick/task.html", fragment, task=task, outcome=outcome, prompt=picking.prompt(task),
                            next_line=picking.next_line_after(task), totes=picking.totes_of(task))
    return body, status


@bp.get("/tasks/<int:task_id>")
@roles(*PICKERS)
def task(task_id: int):
    return _render(_task_or_404(task_id), None)


@bp.post("/tasks/<int:task_id>/scan")
@roles(*PICKERS)
def scan(task_id: int):
    session = db()
    task = _task_or_404(task_id)
    client_id, raw = scan_id(), (request.form.get("scan") or "")
    if (first := replayed(client_id)) is not None:  # a replay: the first answer, nothing changed twice
        return _render(task, first)
    if not raw.strip():
        return _render(task, Outcome(ScanResult.REFUSED, picking.prompt(task)), 422)
    step = task.step.value
    outcome = picking.scan(session, task, me(), raw)
    if not keep_scan(client_id, f"pick:{task.id}", raw, step, outcome):
        # the same scan id raced in on another connection: answer with the first
        return _render(_task_or_404(task_id), replayed(client_id))
    return _render(task, outcome, 200 if outcome.ok else 422)
