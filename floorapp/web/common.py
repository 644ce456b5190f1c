"""Small helpers every floor view uses: commit-then-emit, fragment-or-page rendering, scan ids."""
from __future__ import annotations

import uuid

from flask import render_template, request

from .. import realtime
from .security import db


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
