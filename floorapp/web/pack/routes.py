"""The pack station: choose the station, scan a tote or order, verify each item by scan, box, weigh, close."""
from __future__ import annotations

from flask import Blueprint, Response, abort, make_response, redirect, request, url_for

from ...domain import boxes, messages, packing, printjobs, shipping
from ...domain.cartons import close_and_print
from ...domain.errors import DomainError
from ...domain.models import Carton
from ...domain.packing import WeightFar
from ...domain.scans import Outcome
from ...domain.states import CartonState, Role, ScanResult
from ...domain.stations import box_types, carriers, station_for, stations
from ..common import is_htmx, keep_scan, page_or_fragment, replayed, scan_id
from ..security import db, me, roles
from .station import commit_and_print, current_station, remember_station, settings

bp = Blueprint("pack", __name__, url_prefix="/pack")
PACKERS = (Role.PACKER, Role.SUPERVISOR, Role.ADMIN)


def _start_page(outcome: Outcome | None, status: int = 200, station=None):
    station = station or current_station()
    return page_or_fragment("pack/index.html", "pack/_start.html", outcome=outcome, station=station,
                            stations=stations(db()) if station is None else []), status


@bp.get("/")
@roles(*PACKERS)
def index():
    return _start_page(None)


@bp.post("/station")
@roles(*PACKERS)
def choose_station():
    station = station_for(db(), request.form.get("station", ""))
    if station is None:
        code = request.form.get("station", "").strip()[:40]
        return _start_page(Outcome(ScanResult.REFUSED, messages.PACK_STATION_UNKNOWN.format(scanned=code)), 422)
    return remember_station(redirect(url_for("pack.index")), station)


@bp.post("/start")
@roles(*PACKERS)
def start():
    client_id, raw = scan_id(), (request.form.get("scan") or "").strip()
    if (first := replayed(client_id)) is not None:
        return _start_page(first)
    if not raw:
        return _start_page(Outcome(ScanResult.REFUSED, messages.PACK_SCAN_ORDER), 422)
    if (station := station_for(db(), raw)) is not None:  # the station's own barcode: this device is that station
        outcome = Outcome(ScanResult.OK, messages.PACK_STATION_SET.format(station=station.code))
        keep_scan(client_id, "pack", raw, "station", outcome)
        body, status = _start_page(outcome, station=station)
        return remember_station(make_response(body, status), station)
    station = current_station()  # none chosen: packing works, documents open in this browser, nothing queues
    carton, outcome = packing.start(db(), me(), raw, station.code if station else "")
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


def render_carton(carton: Carton, outcome: Outcome | None, status: int = 200, **extra):
    session = db()
    station = current_station()
    if carton.state != CartonState.OPEN:
        return page_or_fragment("pack/carton.html", "pack/_closed.html", carton=carton, order=carton.order,
                                outcome=outcome, station=station, next_carton=extra.get("next_carton"),
                                jobs=extra.get("jobs", [])), status
    rows = packing.progress(carton)
    verified = sum(r.verified for r in rows)
    complete = bool(rows) and all(r.missing == 0 for r in rows)
    suggestion = boxes.suggest(session, packing.carton_items(carton)) if rows else None
    waiting = packing.open_shortage(session, carton.order) is not None
    return page_or_fragment(
        "pack/carton.html", "pack/_verify.html", carton=carton, order=carton.order, rows=rows, complete=complete,
        verified=verified, outcome=outcome, suggestion=suggestion, boxes=box_types(session), carriers=carriers(session),
        proposed=shipping.proposed_carrier(session, carton.order),
        station=station, waiting=waiting, confirm_weight=extra.get("confirm_weight", False),
        form=extra.get("form", {}),
        jobs=printjobs.station_jobs(session, station.code) if station and not is_htmx() else []), status


@bp.get("/cartons/<int:carton_id>")
@roles(*PACKERS)
def carton(carton_id: int):
    return render_carton(_carton_or_404(carton_id), None)


@bp.post("/cartons/<int:carton_id>/scan")
@roles(*PACKERS)
def scan(carton_id: int):
    carton = _carton_or_404(carton_id)
    client_id, raw = scan_id(), (request.form.get("scan") or "")
    if (first := replayed(client_id)) is not None:
        return render_carton(carton, first)
    if not raw.strip():
        return render_carton(carton, Outcome(ScanResult.REFUSED, "Scan the next item."), 422)
    try:
        outcome = packing.verify(db(), carton, me(), raw)
    except DomainError as error:
        db().rollback()
        return render_carton(_carton_or_404(carton_id), Outcome(ScanResult.REFUSED, error.message), 409)
    if not keep_scan(client_id, f"carton:{carton.id}", raw, "verify", outcome):
        return render_carton(_carton_or_404(carton_id), replayed(client_id))
    return render_carton(carton, outcome, 200 if outcome.ok else 422)


def _close_form() -> dict:
    form = request.form
    weight = (form.get("weight_g") or "").strip()
    return {"box": form.get("box", ""), "weight_g": weight, "carrier": form.get("carrier", ""),
            "service": form.get("service", ""), "tracking": (form.get("tracking") or "").strip(),
            "partial": form.get("partial") == "1", "confirm_weight": form.get("confirm_weight") == "1"}


@bp.post("/cartons/<int:carton_id>/close")
@roles(*PACKERS)
def close(carton_id: int):
    carton = _carton_or_404(carton_id)
    if carton.state != CartonState.OPEN:
        return render_carton(carton, None)
    form = _close_form()
    box = None
    if form["box"]:
        box = next((b for b in box_types(db()) if b.code == form["box"]), None)
        if box is None:
            return render_carton(carton, Outcome(ScanResult.REFUSED, messages.PACK_BOX_UNKNOWN.format(box=form["box"])),
                                 422, form=form)
    if form["weight_g"] and not form["weight_g"].isdigit():
        return render_carton(carton, Outcome(ScanResult.REFUSED, messages.PACK_WEIGHT_INVALID), 422, form=form)
    service = form["service"]
    carrier, _, service = service.partition(":") if ":" in service else (form["carrier"], "", service)
    try:
        outcome, jobs, next_carton = close_and_print(
            db(), carton, me(), current_station(), settings(), box=box,
            weight_g=int(form["weight_g"]) if form["weight_g"] else None, confirm_weight=form["confirm_weight"],
            partial=form["partial"], carrier=carrier, service=service, tracking=form["tracking"])
    except WeightFar as error:
        db().rollback()
        return render_carton(_carton_or_404(carton_id), Outcome(ScanResult.REFUSED, error.message), 409,
                             confirm_weight=True, form=form)
    except DomainError as error:
        db().rollback()
        return render_carton(_carton_or_404(carton_id), Outcome(ScanResult.REFUSED, error.message), 409, form=form)
    commit_and_print()
    return render_carton(carton, outcome, next_carton=next_carton, jobs=jobs)


@bp.post("/cartons/<int:carton_id>/missing")
@roles(*PACKERS)
def missing(carton_id: int):
    carton = _carton_or_404(carton_id)
    line_id, qty = request.form.get("line", ""), request.form.get("qty", "1")
    try:
        outcome = packing.report_missing(db(), carton, me(), int(line_id) if line_id.isdigit() else 0,
                                         int(qty) if qty.isdigit() else 0)
    except DomainError as error:
        db().rollback()
        return render_carton(_carton_or_404(carton_id), Outcome(ScanResult.REFUSED, error.message), 409)
    commit_and_print()
    return render_carton(carton, outcome)


from . import admin, jobs, orders  # noqa: F401  (register their routes on bp)
