"""The station's print jobs, live: status, printer state, retry, send to another printer, open in the browser."""
from __future__ import annotations

from flask import Response, abort, request

from ...domain import printjobs
from ...domain.errors import DomainError
from ...domain.models import PrintJob
from ...domain.states import PrintFormat
from ...domain.stations import printer_named, printers
from ..common import page_or_fragment
from ..security import db, roles
from .routes import PACKERS, bp
from .station import commit_and_print, current_station


def _panel(message: str = "", status: int = 200):
    station = current_station()
    session = db()
    jobs = printjobs.station_jobs(session, station.code) if station else []
    names = {job.printer for job in jobs}
    states = {p.name: p for p in printers(session) if p.name in names}
    return page_or_fragment("pack/jobs.html", "pack/_jobs.html", jobs=jobs, station=station, printers=printers(session),
                            printer_states=states, message=message), status


@bp.get("/jobs")
@roles(*PACKERS)
def jobs():
    return _panel()


@bp.post("/jobs/<int:job_id>/retry")
@roles(*PACKERS)
def retry(job_id: int):
    session = db()
    job = session.get(PrintJob, job_id)
    if job is None:
        abort(404)
    name = (request.form.get("printer") or "").strip()
    printer = printer_named(session, name) if name else None
    if name and printer is None:
        return _panel(f"No printer named {name}.", 422)
    try:
        printjobs.retry(session, job, printer)
    except DomainError as error:
        session.rollback()
        return _panel(error.message, 409)
    commit_and_print()
    return _panel()


@bp.get("/jobs/<int:job_id>/document")
@roles(*PACKERS)
def job_document(job_id: int):
    """What a browser printer hands to the station's own print dialog."""
    job = db().get(PrintJob, job_id)
    if job is None or job.content is None:
        abort(404)
    pdf = job.format == PrintFormat.PDF
    name = job.document.replace(":", "-").split(" ")[0] + (".pdf" if pdf else ".zpl")
    return Response(job.content, mimetype="application/pdf" if pdf else "application/vnd.zebra.zpl",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
