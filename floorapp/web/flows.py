"""What the receiving, returns, count and replenishment screens share: one scan, answered once.

A scan is applied by the domain, kept with its scan id and committed; a replayed id gets the first answer
and changes nothing; a domain error is refused with its sentence and nothing saved.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, redirect, request

from ..domain.errors import DomainError
from ..domain.scans import Outcome
from ..domain.states import ScanResult
from .common import is_htmx, keep_scan, replayed, scan_id
from .security import db


def answer_scan(context: str, step: str, apply: Callable[[str], Outcome],
                render: Callable[[Outcome | None, int], object], empty_prompt: str):
    """Parse the form's scan, apply it once, render the next step with its outcome."""
    client_id, raw = scan_id(), (request.form.get("scan") or "")
    if (first := replayed(client_id)) is not None:
        return render(first, 200)
    if not raw.strip():
        return render(Outcome(ScanResult.REFUSED, empty_prompt), 422)
    try:
        outcome = apply(raw)
    except DomainError as error:
        db().rollback()
        return render(Outcome(ScanResult.REFUSED, error.message), 409)
    if not keep_scan(client_id, context, raw, step, outcome):
        return render(replayed(client_id), 200)
    return render(outcome, 200 if outcome.ok else 422)


def go(target: str):
    """Move the handheld to another screen: HX-Redirect for htmx, a plain redirect otherwise."""
    if is_htmx():
        return Response(status=200, headers={"HX-Redirect": target})
    return redirect(target)


def register_flow_blueprints(app) -> None:
    from .count.routes import bp as count_bp
    from .receive.routes import bp as receive_bp
    from .replenish.routes import bp as replenish_bp
    from .returns.routes import bp as returns_bp

    for bp in (receive_bp, returns_bp, count_bp, replenish_bp):
        app.register_blueprint(bp)
