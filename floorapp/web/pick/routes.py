"""Picking on the handheld: thin views over floorapp.domain.picking (and shortpick for "Can't pick")."""
from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ...domain import events, picking, picking_lane, shortpick, work
from ...domain.errors import DomainError
from ...domain.models import PickTask, ReplenishmentTask
from ...domain.scans import Outcome
from ...domain.states import PickStep, Role, ScanResult, ShortReason
from ..common import commit, is_htmx, keep_scan, page_or_fragment, replayed, scan_id
from ..security import db, me, reads_first, roles, start_writing

bp = Blueprint("pick", __name__, url_prefix="/pick")
PICKERS = (Role.PICKER, Role.SUPERVISOR, Role.ADMIN)
# What the next scan must be, per step, for the automation contract (data-expect).
EXPECT = {PickStep.CART: "tote", PickStep.LOCATION: "location", PickStep.PRODUCT: "product", PickStep.LOT: "lot",
          PickStep.SERIAL: "serial", PickStep.QTY: "qty", PickStep.TOTE: "tote", PickStep.DONE: "done"}


@bp.get("/")
@roles(*PICKERS)
def index():
    held = work.current(db(), me())
    if held is not None:
        return _go_to(held)
    return render_template("pick/index.html", message=None)


def _go_to(held: PickTask | ReplenishmentTask):
    if isinstance(held, ReplenishmentTask):
        return redirect(url_for("replenish.task", task_id=held.id))
    return redirect(url_for("pick.task", task_id=held.id))


@bp.post("/next")
@roles(*PICKERS)
def take_next():
    try:
        held = work.next_work(db(), me())
    except DomainError as error:
        db().rollback()
        return render_template("pick/index.html", message=error.message), 409
    commit()
    return _go_to(held)


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
                            next_line=picking.next_line_after(task), totes=picking.totes_of(task),
                            expect=EXPECT[task.step], target_tote=picking.target_tote(task),
                            may_type=task.current_line is not None and picking.may_type_qty(task.current_line),
                            sorting=picking.sorts_later(task), form_id=lambda: f"srv-{uuid.uuid4()}")
    return body, status


def _apply(task_id: int, raw: str, action: Callable[[PickTask], Outcome]):
    """One scan-like action: a replayed id gets the first answer; otherwise act, keep the scan, commit."""
    task = _task_or_404(task_id)
    client_id = scan_id()
    if (first := replayed(client_id)) is not None:  # a replay: the first answer, nothing changed twice
        return _render(task, first)
    step = task.step.value
    outcome = action(task)
    if not keep_scan(client_id, f"pick:{task.id}", raw, step, outcome):
        # the same scan id raced in on another connection: answer with the first
        return _render(_task_or_404(task_id), replayed(client_id))
    return _render(task, outcome, 200 if outcome.ok else 422)


@bp.get("/tasks/<int:task_id>")
@roles(*PICKERS)
def task(task_id: int):
    return _render(_task_or_404(task_id), None)


@bp.post("/tasks/<int:task_id>/scan")
@roles(*PICKERS)
@reads_first
def scan(task_id: int):
    raw = request.form.get("scan") or ""
    if not raw.strip():
        task = _task_or_404(task_id)
        return _render(task, Outcome(ScanResult.REFUSED, picking.prompt(task)), 422)
    if is_htmx() and (answer := _quick(task_id, raw)) is not None:
        return answer
    start_writing()
    return _apply(task_id, raw, lambda task: picking.scan(db(), task, me(), raw))


def _quick(task_id: int, raw: str):
    """A location, item, count or tote scan through the quick lane (picking_lane): read and decided without
    the write lock, then written in a short transaction; None: the full path answers."""
    task = picking_lane.load(db(), task_id)
    if task is None or not picking_lane.takes(task, me()):
        return None
    client_id = scan_id()
    if (first := replayed(client_id)) is not None:
        return _render(task, first)
    step = task.step.value
    outcome = picking_lane.scan(db(), task, me(), raw)
    if outcome is None:
        return None
    start_writing()
    if not picking_lane.save(db(), task, me()):
        db().rollback()  # whatever the lane wrote before it saw the task had moved
        events.take(db())  # and nothing of it is announced
        return None
    if not keep_scan(client_id, f"pick:{task.id}", raw, step, outcome):
        return _render(_task_or_404(task_id), replayed(client_id))
    return _render(task, outcome, 200 if outcome.ok else 422)


@bp.post("/tasks/<int:task_id>/short")
@roles(*PICKERS)
def short(task_id: int):
    reason = request.form.get("reason", "")
    if reason not in {r.value for r in ShortReason}:
        task = _task_or_404(task_id)
        return _render(task, Outcome(ScanResult.REFUSED, "Choose why: empty, damaged or can't find."), 422)
    return _apply(task_id, f"cant-pick:{reason}", lambda task: shortpick.cant_pick(db(), task, me(), reason))


@bp.post("/tasks/<int:task_id>/skip")
@roles(*PICKERS)
def skip(task_id: int):
    return _apply(task_id, "skip", lambda task: picking.skip(db(), task, me()))
