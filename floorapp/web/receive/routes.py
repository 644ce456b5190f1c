"""Receiving and put-away on the handheld: thin views over floorapp.domain.inbound."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from ...domain import inbound, messages
from ...domain.models import ReceivingTask
from ...domain.scans import Outcome
from ...domain.states import Role, ScanResult
from ..common import commit, keep_scan, page_or_fragment, replayed, scan_id
from ..flows import answer_scan, go
from ..security import db, me, roles

bp = Blueprint("receive", __name__, url_prefix="/receive")
# Receiving is floor work like picking: pickers do it (no separate receiver role; see README).
RECEIVERS = (Role.PICKER, Role.SUPERVISOR, Role.ADMIN)


def _start_page(outcome: Outcome | None, status: int = 200):
    return page_or_fragment("receive/index.html", "receive/_receipt.html", outcome=outcome), status


@bp.get("/")
@roles(*RECEIVERS)
def index():
    task = inbound.current_task(db(), me())
    if task is not None:
        return redirect(url_for("receive.task", task_id=task.id))
    return _start_page(None)


@bp.post("/start")
@roles(*RECEIVERS)
def start():
    """A scanned receipt number starts receiving against it; the Blind receipt button (blind=1) without one."""
    client_id = scan_id()
    blind = request.form.get("blind") == "1"
    raw = None if blind else (request.form.get("scan") or "").strip()
    if (first := replayed(client_id)) is not None:
        task = inbound.current_task(db(), me())
        return go(url_for("receive.task", task_id=task.id)) if task and first.ok else _start_page(first, 422)
    if raw == "":
        return _start_page(Outcome(ScanResult.REFUSED, messages.RCV_SCAN_RECEIPT), 422)
    try:
        task, outcome = inbound.start(db(), me(), raw)
    except inbound.DomainError as error:
        db().rollback()
        return _start_page(Outcome(ScanResult.REFUSED, error.message), 409)
    if not keep_scan(client_id, "receive", raw or "BLIND", "receipt", outcome) or task is None:
        return _start_page(outcome, 422)
    return go(url_for("receive.task", task_id=task.id))


def _task_or_404(task_id: int) -> ReceivingTask:
    task = db().get(ReceivingTask, task_id)
    if task is None:
        abort(404)
    if task.user_id != me().id:
        abort(403)
    return task


def _render(task: ReceivingTask, outcome: Outcome | None, status: int = 200):
    body = page_or_fragment("receive/task.html", f"receive/_{task.step.value}.html", task=task, outcome=outcome,
                            prompt=inbound.prompt(task), left=inbound.left(task), rows=inbound.expected_rows(task))
    return body, status


@bp.get("/tasks/<int:task_id>")
@roles(*RECEIVERS)
def task(task_id: int):
    return _render(_task_or_404(task_id), None)


@bp.post("/tasks/<int:task_id>/scan")
@roles(*RECEIVERS)
def scan(task_id: int):
    task = _task_or_404(task_id)
    step = task.step.value
    return answer_scan(f"receive:{task.id}", step, lambda raw: inbound.scan(db(), task, me(), raw),
                       lambda outcome, status: _render(_task_or_404(task_id), outcome, status), inbound.prompt(task))


@bp.post("/tasks/<int:task_id>/finish")
@roles(*RECEIVERS)
def finish(task_id: int):
    task = _task_or_404(task_id)
    outcome = inbound.finish(db(), task, me())
    commit()
    return _render(task, outcome, 200 if outcome.ok else 422)
