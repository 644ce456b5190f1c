"""An order-file import as a job row: the upload page starts it in the background and polls the row,
which is updated (and committed) with every batch; the import's own commits carry the progress."""
from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from . import events, messages
from .errors import DomainError, NotFound
from .importing import ImportReport, check, import_orders, read_file
from .models import ImportJob, utcnow

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 20 * 1024 * 1024
SHOWN_PROBLEMS = 500  # the page lists this many; the count says how many there are


def create(session: Session, filename: str, content: bytes, *, good_rows_only: bool, user_id: int | None
           ) -> ImportJob:
    name = (filename or "").strip() or "orders.csv"
    if not name.lower().endswith((".csv", ".json")):
        raise DomainError(messages.IMPORT_WRONG_KIND)
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(messages.IMPORT_TOO_BIG)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(messages.IMPORT_NOT_UTF8) from None
    job = ImportJob(filename=name[:255], content=text, good_rows_only=good_rows_only, user_id=user_id,
                    problems=[])
    session.add(job)
    session.flush()
    return job


def again_with_good_rows(session: Session, job_id: int, user_id: int | None) -> ImportJob:
    """The user saw the problems and chose to import the good rows of the same file."""
    first = session.get(ImportJob, job_id)
    if first is None:
        raise NotFound("No such import.")
    job = ImportJob(filename=first.filename, content=first.content, good_rows_only=True, user_id=user_id,
                    problems=[])
    session.add(job)
    session.flush()
    return job


def run(make_session: sessionmaker[Session], job_id: int) -> None:
    """Check the job's file as a whole, then import it in batches, committing progress with each."""
    with make_session() as session:
        job = session.get(ImportJob, job_id)
        try:
            _run(session, job)
        except Exception as error:  # the page must show that the import stopped, and why
            log.exception("import job %s", job_id)
            session.rollback()
            job = session.get(ImportJob, job_id)
            job.state, job.finished_at = "failed", utcnow()
            job.message = getattr(error, "message", None) or messages.IMPORT_STOPPED.format(
                error=f"{type(error).__name__}: {error}")
            session.commit()


def _run(session: Session, job: ImportJob) -> None:
    job.state = "checking"
    session.commit()
    try:
        entries, rows = read_file(job.filename, job.content)
    except DomainError as error:
        job.state, job.message, job.finished_at = "refused", error.message, utcnow()
        session.commit()
        return
    result = check(session, entries, rows)
    problems = result.problems
    job.rows_total, job.problem_count = rows, len(problems)
    job.problems = [p.as_dict() for p in problems[:SHOWN_PROBLEMS]]
    if problems and not job.good_rows_only:
        job.state, job.finished_at = "refused", utcnow()
        job.message = messages.IMPORT_REFUSED.format(problems=len(problems), rows=len(result.skipped_rows))
        session.commit()
        return
    job.state = "importing"
    session.commit()

    def progress(report: ImportReport) -> None:
        job.rows_done, job.orders_created = report.rows_done, len(report.created)
        session.commit()
        events.take(session)  # thousands of per-order board events: the page shows the job instead
        time.sleep(0)  # under gevent: let the web process answer (the page polling this job) between batches

    report = import_orders(session, result.entries, on_batch=progress)
    job.rows_done, job.orders_created, job.orders_unchanged = report.rows_done, len(report.created), len(report.unchanged)
    job.state, job.finished_at = "done", utcnow()
    skipped = len(result.skipped_rows)
    job.message = (messages.IMPORT_DONE.format(created=len(report.created), unchanged=len(report.unchanged))
                   + (messages.IMPORT_SKIPPED.format(rows=skipped) if skipped else "."))
    session.commit()
    events.take(session)


def describe(job: ImportJob) -> dict[str, Any]:
    percent = int(100 * job.rows_done / job.rows_total) if job.rows_total else 0
    return {"id": job.id, "state": job.state, "percent": percent, "running": job.state in (
        "queued", "checking", "importing")}
