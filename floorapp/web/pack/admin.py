"""Set-up of pack stations, printers and box types; location, product and tote label batches."""
from __future__ import annotations

from flask import Response, request

from ...domain import cartons
from ...domain.errors import DomainError
from ...domain.states import PrintFormat, Role
from ...domain.stations import (
    box_types,
    carriers,
    printer_named,
    printers,
    save_box_type,
    save_printer,
    save_station,
    stations,
)
from ..common import page_or_fragment
from ..security import db, me, roles
from .routes import bp
from .station import commit_and_print, current_station

ADMINS = (Role.ADMIN,)
LABEL_MAKERS = (Role.SUPERVISOR, Role.ADMIN)
SAVERS = {"printer": save_printer, "station": save_station, "box": save_box_type}


def _setup(message: str = "", ok: bool = True, status: int = 200):
    session = db()
    return page_or_fragment("pack/setup.html", "pack/_setup.html", stations=stations(session),
                            printers=printers(session), boxes=box_types(session, active_only=False),
                            carriers=carriers(session), message=message, ok=ok), status


@bp.get("/setup")
@roles(*ADMINS)
def setup():
    return _setup()


@bp.post("/setup/<any(printer, station, box):what>")
@roles(*ADMINS)
def save(what: str):
    try:
        saved = SAVERS[what](db(), request.form.to_dict())
    except DomainError as error:
        db().rollback()
        return _setup(error.message, ok=False, status=422)
    commit_and_print()
    return _setup(f"Saved {what} {getattr(saved, 'code', None) or saved.name}.")


def _labels_page(message: str = "", ok: bool = True, status: int = 200):
    return page_or_fragment("pack/labels.html", "pack/_labels.html", printers=printers(db()), message=message, ok=ok,
                            kinds=cartons.LABEL_KINDS), status


@bp.get("/labels")
@roles(*LABEL_MAKERS)
def labels():
    return _labels_page()


@bp.post("/labels")
@roles(*LABEL_MAKERS)
def print_labels():
    form = request.form
    kind, prefix, name = form.get("kind", ""), (form.get("prefix") or "").strip(), form.get("printer", "")
    try:
        if form.get("download") or not name:
            batch = cartons.code_labels(db(), kind, prefix)
            fmt = PrintFormat(form.get("format") or "pdf")
            content = cartons.render_labels(batch, fmt, f"{kind} labels {prefix}")
            filename = f"{kind}-labels-{prefix or 'all'}.{fmt.value}"
            return Response(content, mimetype="application/pdf" if fmt == PrintFormat.PDF else "application/vnd.zebra.zpl",
                            headers={"Content-Disposition": f'inline; filename="{filename}"'})
        printer = printer_named(db(), name)
        if printer is None:
            return _labels_page(f"No printer named {name}.", ok=False, status=422)
        station = current_station()
        job = cartons.print_code_labels(db(), kind, prefix, printer, station_code=station.code if station else "",
                                        user_id=me().id)
    except DomainError as error:
        db().rollback()
        return _labels_page(error.message, ok=False, status=422)
    commit_and_print()
    return _labels_page(f"{job.document} sent to {printer.name} (job {job.id}).")
