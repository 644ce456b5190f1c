"""Cycle counts: the counter's blind count on the handheld, and the supervisor's screen (ask, approve)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from ...domain import counting
from ...domain.errors import DomainError
from ...domain.models import CycleCount
from ...domain.scans import Outcome
from ...domain.states import Role
from ..common import commit, page_or_fragment
from ..flows import answer_scan
from ..security import db, me, roles

bp = Blueprint("count", __name__, url_prefix="/count")
COUNTERS = (Role.PICKER, Role.SUPERVISOR, Role.ADMIN)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def tolerance() -> counting.Tolerance:
    return counting.Tolerance.parse(current_app.config.get("COUNT_TOLERANCE"))


@bp.get("/")
@roles(*COUNTERS)
def index():
    count = counting.current_count(db(), me())
    if count is not None:
        return redirect(url_for("count.task", count_id=count.id))
    return render_template("count/index.html", message=None)


@bp.post("/next")
@roles(*COUNTERS)
def take_next():
    try:
        count = counting.next_count_for(db(), me())
    except DomainError as error:
        db().rollback()
        return render_template("count/index.html", message=error.message), 409
    commit()
    return redirect(url_for("count.task", count_id=count.id))


def _count_or_404(count_id: int) -> CycleCount:
    count = db().get(CycleCount, count_id)
    if count is None:
        abort(404)
    if count.user_id != me().id:
        abort(403)
    return count


def _render(count: CycleCount, outcome: Outcome | None, status: int = 200):
    step = "done" if count.step.value == "done" else count.step.value
    last = counting.last_line(count)
    body = page_or_fragment("count/task.html", f"count/_{step}.html", count=count, outcome=outcome,
                            prompt=counting.prompt(count), last=last)
    return body, status


@bp.get("/tasks/<int:count_id>")
@roles(*COUNTERS)
def task(count_id: int):
    return _render(_count_or_404(count_id), None)


@bp.post("/tasks/<int:count_id>/scan")
@roles(*COUNTERS)
def scan(count_id: int):
    count = _count_or_404(count_id)
    limits = tolerance()
    return answer_scan(f"count:{count.id}", count.step.value,
                       lambda raw: counting.scan(db(), count, me(), raw, limits),
                       lambda outcome, status: _render(_count_or_404(count_id), outcome, status),
                       counting.prompt(count))


# The supervisor's screen

def _supervisor_page(message: str | None = None, refused: bool = False, status: int = 200):
    return page_or_fragment("count/supervisor.html", "count/_supervisor.html", message=message, refused=refused,
                            open_counts=counting.open_counts(db()), waiting=counting.awaiting(db())), status


@bp.get("/supervisor")
@roles(*SUPERVISORS)
def supervisor():
    return _supervisor_page()


@bp.post("/supervisor/ask")
@roles(*SUPERVISORS)
def ask():
    what, value = request.form.get("by", ""), (request.form.get("value") or "").strip()
    if what not in ("zone", "location", "sku") or not value:
        return _supervisor_page("Choose zone, location or SKU and type what to count.", True, 422)
    try:
        made = counting.create_counts(db(), me(), **{what: value})
    except DomainError as error:
        db().rollback()
        return _supervisor_page(error.message, True, 422)
    commit()
    return _supervisor_page(f"{len(made)} count(s) open for {what} {value}.")


@bp.post("/<int:count_id>/<any(approve, recount, reject):decision>")
@roles(*SUPERVISORS)
def decide(count_id: int, decision: str):
    count = db().get(CycleCount, count_id)
    if count is None:
        abort(404)
    action = {"approve": counting.approve_variance, "recount": counting.recount,
              "reject": counting.reject_variance}[decision]
    try:
        action(db(), count, me())
    except DomainError as error:
        db().rollback()
        return _supervisor_page(error.message, True, 409)
    commit()
    return _supervisor_page(f"Count {count_id} at {count.location.code}: {decision} done.")
