"""Small helpers every floor view uses: commit-then-emit, fragment-or-page rendering, scan ids."""
from __future__ import annotations

import uuid

from flask import render_template, request
from sqlalchemy.exc import IntegrityError

from .. import realtime
from ..domain import scans
from ..domain.scans import Outcome
from .security import db, me


def commit() -> None:
    """The route owns the transaction: commit, then emit what the domain recorded."""
    session = db()
    session.commit()
    realtime.emit_recorded(session)


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def page_or_fragment(page: str, fragment: str, **context) -> str:
    """One fragment, one template: the page includes the fragment; an htmx request gets it alone."""
    return render_template(fragment if is_htmx() else page, fragment=fragment, **context)


def scan_id() -> str:
    """The id the device made for this scan; a plain form without script gets a fresh one."""
    value = (request.form.get("scan_id") or "").strip()
    return value[:64] if value else f"srv-{uuid.uuid4()}"


def replayed(client_id: str) -> Outcome | None:
    """The first answer to a scan id the server has seen before (a replay changes nothing)."""
    return scans.first_answer(db(), client_id)


def keep_scan(client_id: str, context: str, raw: str, step: str, outcome: Outcome) -> bool:
    """Record the scan with what it did, and commit both; False when the same scan id won a race."""
    try:
        scans.keep(db(), client_id=client_id, user_id=me().id, device=request.headers.get("User-Agent", ""),
                   context=context, raw=raw, step=step, outcome=outcome)
        commit()
    except IntegrityError:
        db().rollback()
        if scans.first_answer(db(), client_id) is None:
            raise  # not a race on the scan id: the change itself broke a rule, and must not pass for a replay
        return False
    return True
