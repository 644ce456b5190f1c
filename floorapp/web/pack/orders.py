"""An order's packing page: its cartons and documents (reprint anywhere), ship confirm, manifests."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, redirect, request, url_for
from sqlalchemy import select

from ...domain import cartons, documents, shipping
from ...domain.errors import DomainError
from ...domain.lookup import order_for
from ...domain.models import Order, PrintJob
from ...domain.scans import Outcome
from ...domain.states import PrintFormat, ScanResult
from ...domain.stations import carriers, printer_named, printers
from ..common import page_or_fragment
from ..security import db, me, roles
from .routes import PACKERS, bp
from .station import commit_and_print, current_station, settings

MIMETYPES = {PrintFormat.PDF: "application/pdf", PrintFormat.ZPL: "application/vnd.zebra.zpl"}


def _order_or_404(external_id: str) -> Order:
    order = order_for(db(), external_id)
    if order is None:
        abort(404)
    return order


def _order_page(order: Order, outcome: Outcome | None = None, status: int = 200):
    session = db()
    keys = [f"packing-slip:{order.external_id}"] + [f"{kind}:{c.sscc}" for c in order.cartons if c.sscc
                                                     for kind in ("carton-label", "shipping-label")]
    jobs = session.scalars(select(PrintJob).where(PrintJob.document.in_(keys)).order_by(PrintJob.id.desc())
                           .limit(20)).all()
    return page_or_fragment("pack/order.html", "pack/_order.html", order=order, outcome=outcome,
                            printers=printers(session), carriers=carriers(session), station=current_station(),
                            shortages=documents.shortages(session, order), jobs=jobs), status


@bp.get("/orders/<external_id>")
@roles(*PACKERS)
def order_page(external_id: str):
    return _order_page(_order_or_404(external_id))


@bp.post("/orders/<external_id>/ship")
@roles(*PACKERS)
def ship(external_id: str):
    order = _order_or_404(external_id)
    form = request.form
    carrier, _, service = (form.get("service") or "").partition(":")
    tracking = {c.id: (form.get(f"tracking_{c.id}") or "").strip() for c in order.cartons}
    try:
        shipping.confirm_order(db(), order, me(), carrier=carrier, service=service, tracking=tracking)
    except DomainError as error:
        db().rollback()
        return _order_page(_order_or_404(external_id), Outcome(ScanResult.REFUSED, error.message), 409)
    commit_and_print()
    return _order_page(order, Outcome(ScanResult.OK, f"Order {order.external_id} is shipped."))


@bp.post("/reprint")
@roles(*PACKERS)
def reprint():
    form = request.form
    kind, _, key = (form.get("document") or "").partition("|")
    station = current_station()
    name = (form.get("printer") or "").strip()
    printer = printer_named(db(), name) if name else None
    if printer is None and station is not None:
        printer = station.document_printer if kind == "packing-slip" else station.label_printer
    order = order_for(db(), form.get("order", "")) or abort(404)
    if printer is None:
        return _order_page(order, Outcome(ScanResult.REFUSED, "Choose a printer."), 422)
    try:
        job = cartons.reprint(db(), kind, key, printer, settings(), station_code=station.code if station else "",
                              user_id=me().id)
    except DomainError as error:
        db().rollback()
        return _order_page(order, Outcome(ScanResult.REFUSED, error.message), 409)
    commit_and_print()
    return _order_page(order, Outcome(ScanResult.OK, f"Sent to {printer.name} (job {job.id})."))


@bp.get("/cartons/<sscc>/<any('carton-label', 'shipping-label'):kind>.<any(pdf, zpl):fmt>")
@roles(*PACKERS)
def carton_document(sscc: str, kind: str, fmt: str):
    try:
        carton = cartons.carton_by_sscc(db(), sscc)
        content = documents.carton_document(db(), carton, kind, PrintFormat(fmt), settings())
    except DomainError:
        abort(404)
    db().commit()
    return Response(content, mimetype=MIMETYPES[PrintFormat(fmt)],
                    headers={"Content-Disposition": f'inline; filename="{kind}-{sscc}.{fmt}"'})


@bp.get("/orders/<external_id>/packing-slip.pdf")
@roles(*PACKERS)
def packing_slip(external_id: str):
    order = _order_or_404(external_id)
    pdf = documents.packing_slip(db(), order, settings())
    db().commit()
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="packing-slip-{order.external_id}.pdf"'})


@bp.get("/manifests")
@roles(*PACKERS)
def manifests():
    day = _day(request.args.get("date", ""))
    return page_or_fragment("pack/manifests.html", "pack/_manifests.html", day=day,
                            carriers=cartons.shipped_carriers(db(), day))


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.datetime.now(dt.UTC).date()


@bp.get("/manifests/<carrier>/<day>.pdf")
@roles(*PACKERS)
def manifest(carrier: str, day: str):
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    pdf = documents.manifest(db(), carrier, date, settings())
    db().commit()
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="manifest-{carrier}-{day}.pdf"'})


@bp.get("/orders")
@roles(*PACKERS)
def find_order():
    external_id = (request.args.get("order") or "").strip()
    return redirect(url_for("pack.order_page", external_id=external_id)) if external_id else redirect(url_for("pack.index"))
