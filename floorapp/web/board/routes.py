"""The supervisor's floor board: live sections (orders by stage, people, tasks, exceptions, figures) and the
supervisor's actions. Thin: parse -> one service call -> commit (emits) -> render the section's fragment."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from ...domain import board, exceptions, metrics, resolutions, supervising, waves  # noqa: F401 (resolutions registers)
from ...domain.errors import DomainError
from ...domain.models import utcnow
from ...domain.orders import CARRIER_LIMIT
from ...domain.states import Role, WaveStrategy
from ..common import commit, is_htmx
from ..security import db, me, roles

bp = Blueprint("board", __name__, url_prefix="/board")
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
SECTIONS = ("stages", "people", "tasks", "exceptions", "figures", "release")
LAYOUT = ("stages", "exceptions", "people", "figures", "tasks", "release")


def _context(section: str, message: str | None = None, refused: bool = False, **extra) -> dict:
    """What one section's fragment needs (each section is one template: board/_<section>.html)."""
    session, now = db(), utcnow()
    context: dict = {"message": message, "refused": refused, "now": now}
    if section == "stages":
        context["stages"] = board.stages(session, now)
    elif section == "people":
        context["people"] = board.people(session, now)
    elif section == "tasks":
        context.update(tasks=board.open_tasks(session), pickers=board.pickers(session),
                       actions=supervising.recent_actions(session))
    elif section == "exceptions":
        context["issues"] = exceptions.feed(session, now)
    elif section == "figures":
        shift, today = metrics.shift_window(now), metrics.today_window(now)
        context.update(shift=metrics.figures(session, shift, now), today=metrics.figures(session, today, now))
        context["heat"] = board.zone_heat(session, context["shift"])
    elif section == "release":
        chosen = extra.pop("filters", supervising.WaveFilter())
        candidates = supervising.wave_candidates(session, chosen)
        context.update(filters=chosen, candidates=candidates, per_zone=supervising.lines_per_zone(session, candidates),
                       releasable=waves.releasable_count(session), strategies=list(WaveStrategy),
                       zones=board.pick_zones(session), carriers=supervising.releasable_carriers(session))
    context.update(extra)
    return context


def _section(section: str, message: str | None = None, refused: bool = False, status: int = 200, **extra):
    return render_template(f"board/_{section}.html", **_context(section, message, refused, **extra)), status


@bp.get("/")
@roles(*SUPERVISORS)
def index():
    """The page is its sections' fragments, each rendered by the same template htmx later re-fetches."""
    sections = {name: Markup(render_template(f"board/_{name}.html", **_context(name))) for name in SECTIONS}
    return render_template("board/index.html", order=LAYOUT, sections=sections)


@bp.get("/sections/<name>")
@roles(*SUPERVISORS)
def section(name: str):
    """One live section, re-fetched by htmx when the socket says something changed (or on reconnect)."""
    if name not in SECTIONS:
        abort(404)
    return _section(name)


def _done_or_refused(section: str, action, success: str | None = None, **extra):
    """Run one action in the request's transaction: commit and show the result, or roll back and say why."""
    try:
        result = action()
    except DomainError as error:
        db().rollback()
        if not is_htmx():
            return redirect(url_for("board.index"))
        return _section(section, error.message, True, 422, **extra)
    commit()
    if not is_htmx():
        return redirect(url_for("board.index"))
    return _section(section, success if success is not None else result, **extra)


def _filters() -> supervising.WaveFilter:
    form = request.form
    priority = form.get("priority", "") if form.get("priority", "") in ("", "rush", "normal") else ""
    ship_by = None
    if form.get("ship_by"):
        try:
            ship_by = dt.date.fromisoformat(form["ship_by"])
        except ValueError:
            raise DomainError("Ship-by must be a date like 2026-03-02.") from None
    limit = form.get("limit", "20")
    if not limit.isdigit() or not 1 <= int(limit) <= 200:
        raise DomainError("Release from 1 to 200 orders at a time.")
    return supervising.WaveFilter(priority=priority, ship_by=ship_by, zone=form.get("zone", "")[:20],
                                  carrier=form.get("carrier", "").strip()[:CARRIER_LIMIT], limit=int(limit))


@bp.post("/release")
@roles(*SUPERVISORS)
def release():
    """Preview (estimated lines per zone) or release the orders the filters choose."""
    try:
        chosen = _filters()
    except DomainError as error:
        return _section("release", error.message, True, 422)
    try:
        strategy = WaveStrategy(request.form.get("strategy", "piece"))
    except ValueError:
        return _section("release", "Choose piece, batch or zone.", True, 422, filters=chosen)
    totes_text = request.form.get("totes", "").strip()
    if totes_text and (not totes_text.isdigit() or not 1 <= int(totes_text) <= 50):
        return _section("release", "Totes on the cart: a number from 1 to 50.", True, 422, filters=chosen)
    if request.form.get("do") != "release":
        return _section("release", filters=chosen)
    session = db()
    orders = supervising.wave_candidates(session, chosen)

    def act() -> str:
        wave = supervising.release_wave(session, me(), orders, strategy, int(totes_text) if totes_text else None)
        return f"Wave {wave.id} released: {len(orders)} orders, {strategy.value} picking."
    return _done_or_refused("release", act, filters=chosen)


def _task_id() -> int:
    value = request.form.get("task", "")
    if not value.isdigit():
        raise DomainError("Choose a task.")
    return int(value)


@bp.post("/tasks")
@roles(*SUPERVISORS)
def task_action():
    """Reassign, unassign, pause or resume a pick task; the handhelds concerned are told at once."""
    session, user, action = db(), me(), request.form.get("action", "")

    def act() -> str:
        task_id = _task_id()
        if action == "reassign":
            picker = request.form.get("picker", "")
            if not picker.isdigit():
                raise DomainError("Choose the picker to give the task to.")
            task = supervising.reassign(session, user, task_id, int(picker))
            return f"Task {task.id} given to {task.user.name}."
        handlers = {"unassign": supervising.unassign, "pause": supervising.pause, "resume": supervising.resume}
        if action not in handlers:
            raise DomainError("Choose reassign, unassign, pause or resume.")
        task = handlers[action](session, user, task_id)
        return f"Task {task.id} {action}d." if action != "pause" else f"Task {task.id} paused."
    return _done_or_refused("tasks", act)


@bp.post("/orders/<int:order_id>/rush")
@roles(*SUPERVISORS)
def rush(order_id: int):
    def act() -> str:
        order = supervising.rush(db(), me(), order_id)
        return f"Order {order.external_id} is now rush."
    return _done_or_refused("stages", act)


@bp.post("/exceptions")
@roles(*SUPERVISORS)
def resolve():
    key, action = request.form.get("key", "")[:40], request.form.get("action", "")[:40]
    return _done_or_refused("exceptions", lambda: exceptions.resolve(db(), key, action, me(), dict(request.form)))

