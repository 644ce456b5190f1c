"""The pack station: scan a tote or order, verify each item by scan, close the carton, print the slip."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for

from ...domain import packing
from ...domain.documents import print_packing_slip
from ...domain.errors import DomainError
from ...domain.lookup import order_for
from ...domain.models import Carton
from ...domain.scans import Outcome
from ...domain.states import CartonState, Role, ScanResult
from ..common import commit, keep_scan, page_or_fragment, replayed, scan_id
from ..security import db, me, roles

bp = Blueprint("pack", __name__, url_prefix="/pack")
PACKERS = (Role.PACKER, Role.SUPERVISOR, Role.ADMIN)


def _start_page(outcome: Outcome | None, status: int = 200):
    return page_or_fragment("pack/index.html", "pack/_start.html", outcome=outcome), status


@bp.get("/")
@roles(*PACKERS)
def index():
    return _start_page(None)


@bp.post("/start")
@roles(*PACKERS)
def start():
    client_id, raw = scan_id(), (request.form.get("scan") or "").strip()
    if (first := replayed(client_id)) is not None:
        return _start_page(first)
    if not raw:
        return _start_page(Outcome(ScanResult.REFUSED, "Scan a tote or an order number."), 422)
    carton, outcome = packing.start(db(), me(), raw)
    if not keep_scan(client_id, "pack", raw, "start", outcome) or carton is None:
        return _start_page(outcome, 422)
    target = url_for("pack.carton", carton_id=carton.id)
    if request.headers.get("HX-Request"):
        return Response(status=200, headers={"HX-Redirect": target})
    return redirect(target)


def _carton_or_404(carton_id: int) -> Carton:
    carton = db().get(Carton, carton_id)
    if carton is None:
        abort(404)
    return carton


def _render_carton(carton: Carton, outcome: Outcome | None, status: int = 200):
    state = "closed" if carton.state != CartonState.OPEN else "verify"
    rows = packing.progress(carton) if carton.state == CartonState.OPEN else []
    complete = bool(rows) and all(r.missing == 0 for r in rows)
    return page_or_fragment("pack/carton.html", f"pack/_{state}.html", carton=carton, order=carton.order,
                            rows=rows, complete=complete, outcome=outcome), status


@bp.get("/cartons/<int:carton_id>")
@roles(*PACKERS)
def carton(carton_id: int):
    return _render_carton(_carton_or_404(carton_id), None)


@bp.post("/cartons/<int:carton_id>/scan")
@roles(*PACKERS)
def scan(carton_id: int):
    carton = _carton_or_404(carton_id)
    client_id, raw = scan_id(), (request.form.get("scan") or "")
    if (first := replayed(client_id)) is not None:
        return _render_carton(carton, first)
    if not raw.strip():
        return _render_carton(carton, Outcome(ScanResult.REFUSED, "Scan the next item."), 422)
    try:
        outcome = packing.verify(db(), carton, me(), raw)
    except DomainError as error:
        db().rollback()
        return _render_carton(carton, Outcome(ScanResult.REFUSED, error.message), 409)
    if not keep_scan(client_id, f"carton:{carton.id}", raw, "verify", outcome):
        return _render_carton(_carton_or_404(carton_id), replayed(client_id))
    return _render_carton(carton, outcome, 200 if outcome.ok else 422)


@bp.post("/cartons/<int:carton_id>/close")
@roles(*PACKERS)
def close(carton_id: int):
    carton = _carton_or_404(carton_id)
    if carton.state != CartonState.OPEN:
        return _render_carton(carton, None)
    try:
        outcome = packing.close(db(), carton, me())
    except DomainError as error:
        db().rollback()
        return _render_carton(_carton_or_404(carton_id), Outcome(ScanResult.REFUSED, error.message), 409)
    commit()
    return _render_carton(carton, outcome)


@bp.get("/orders/<external_id>/packing-slip.pdf")
@roles(*PACKERS)
def packing_slip(external_id: str):
    order = order_for(db(), external_id)
    if order is None:
        abort(404)
    pdf = print_packing_slip(db(), order, current_app.config["SHIP_FROM"], user_id=me().id).content
    commit()
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="packing-slip-{order.external_id}.pdf"'})
