"""Sorting at the put wall on a handheld: thin views over floorapp.domain.sorting."""
from __future__ import annotations

from flask import Blueprint, request

from ...domain import sorting
from ...domain.models import SortWork
from ...domain.scans import Outcome
from ...domain.states import Role, ScanResult
from ..common import commit, keep_scan, page_or_fragment, replayed, scan_id
from ..security import db, me, roles

bp = Blueprint("sort", __name__, url_prefix="/sort")
SORTERS = (Role.PICKER, Role.PACKER, Role.SUPERVISOR, Role.ADMIN)


def _render(work: SortWork, outcome: Outcome | None, status: int = 200):
    step = sorting.step_of(work)
    line = work.line
    order = line.order_line.order if line is not None else None
    dest = sorting.order_tote(db(), order) if order is not None else None
    left = sorting.waiting(db(), work.tote) if work.tote is not None else []
    body = page_or_fragment("sort/index.html", "sort/_step.html", work=work, step=step, outcome=outcome,
                            prompt=sorting.prompt(db(), work), line=line, order=order, dest=dest,
                            left=sum(item.picked - item.sorted for item in left))
    return body, status


@bp.get("/")
@roles(*SORTERS)
def index():
    work = sorting.work_for(db(), me())
    commit()
    return _render(work, None)


@bp.post("/scan")
@roles(*SORTERS)
def scan():
    session = db()
    work = sorting.work_for(session, me())
    client_id, raw = scan_id(), (request.form.get("scan") or "")
    if (first := replayed(client_id)) is not None:  # a replay: the first answer, nothing changed twice
        return _render(work, first)
    if not raw.strip():
        return _render(work, Outcome(ScanResult.REFUSED, sorting.prompt(session, work)), 422)
    step = sorting.step_of(work)
    outcome = sorting.scan(session, work, me(), raw)
    if not keep_scan(client_id, "sort", raw, step, outcome):
        return _render(sorting.work_for(db(), me()), replayed(client_id))
    return _render(work, outcome, 200 if outcome.ok else 422)
