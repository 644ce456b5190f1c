"""Print jobs: kept in the database, claimed by one sender at a time, sent once, retried with backoff
while a printer is unreachable, and never lost across a restart.

A job goes queued -> sending (claimed by one UPDATE ... WHERE state = 'queued') -> sent, or back to
queued with a later `next_attempt_at` when the printer cannot be reached, or failed with the reason
when the printer refused it. A job left 'sending' by a crash is not sent again blindly: it is marked
failed with a reason so a person checks the printer and retries it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from printing import PrintError, PrinterUnreachable, transport_for

from . import events, messages
from .errors import DomainError, NotFound
from .models import Printer, PrintJob, utcnow
from .states import PrintFormat, PrintState

BACKOFF_CAP_S = 60.0
INTERRUPTED_AFTER = dt.timedelta(minutes=2)


def backoff(attempts: int, base: float = 1.0) -> dt.timedelta:
    """1, 2, 4, ... seconds after each failed try, at most a minute."""
    return dt.timedelta(seconds=min(BACKOFF_CAP_S, base * 2 ** max(0, attempts - 1)))


def job_json(job: PrintJob) -> dict:
    return {"id": job.id, "document": job.document, "printer": job.printer, "state": job.state.value,
            "attempts": job.attempts, "error": job.error, "station": job.station_code}


def _record(session: Session, job: PrintJob, printer: Printer | None = None) -> None:
    if not job.station_code:
        return
    data = job_json(job)
    if printer is not None:
        data["printer_state"] = printer.state
    events.record(session, "print.job", data, (f"station:{job.station_code}",))


def enqueue(session: Session, printer: Printer, *, document: str, content: bytes, fmt: PrintFormat,
            station_code: str = "", user_id: int | None = None, media: str = "") -> PrintJob:
    """A new queued job for `printer`; a sender picks it up after the transaction commits."""
    if not printer.active:
        raise DomainError(messages.PRINTER_INACTIVE.format(printer=printer.name))
    job = PrintJob(printer=printer.name, format=fmt, document=document[:120], content=content,
                   state=PrintState.QUEUED, station_code=station_code, user_id=user_id, media=media)
    session.add(job)
    session.flush()
    _record(session, job, printer)
    return job


def retry(session: Session, job: PrintJob, printer: Printer | None = None) -> PrintJob:
    """A failed job (or one still waiting) goes to the queue again, on its printer or on another one."""
    if job.state in (PrintState.SENDING,):
        raise DomainError(messages.PRINT_JOB_BUSY)
    if printer is not None:
        if printer.language != job.format and printer.transport != "browser":
            raise DomainError(messages.PRINTER_WRONG_LANGUAGE.format(
                printer=printer.name, language=printer.language.value.upper(), document=job.format.value.upper()))
        job.printer = printer.name
    if job.state == PrintState.SENT and printer is None:
        raise DomainError(messages.PRINT_JOB_ALREADY_SENT)
    if job.state == PrintState.SENT:
        # printing a sent document on another printer is a new job: the first one stays as it was
        job = PrintJob(printer=printer.name, format=job.format, document=job.document, content=job.content,
                       station_code=job.station_code, user_id=job.user_id, media=job.media)
        session.add(job)
    job.state, job.next_attempt_at, job.error = PrintState.QUEUED, None, ""
    session.flush()
    _record(session, job)
    return job


def job_or_404(session: Session, job_id: int) -> PrintJob:
    job = session.get(PrintJob, job_id)
    if job is None:
        raise NotFound(messages.PRINT_JOB_NOT_FOUND.format(job=job_id))
    return job


def _printer(session: Session, name: str) -> Printer | None:
    return session.scalar(select(Printer).where(Printer.name == name))


def claim(session: Session, job_id: int, now: dt.datetime) -> bool:
    """Take a queued job for sending; exactly one of several racing senders gets True."""
    result = session.execute(update(PrintJob).where(PrintJob.id == job_id, PrintJob.state == PrintState.QUEUED)
                             .values(state=PrintState.SENDING, claimed_at=now, attempts=PrintJob.attempts + 1))
    return result.rowcount == 1


def recover_interrupted(session: Session, now: dt.datetime | None = None) -> int:
    """Jobs left 'sending' by a crashed sender: failed with a reason, to be checked and retried by a person."""
    now = now or utcnow()
    jobs = list(session.scalars(select(PrintJob).where(PrintJob.state == PrintState.SENDING,
                                                       PrintJob.claimed_at < now - INTERRUPTED_AFTER)))
    for job in jobs:
        job.state, job.error = PrintState.FAILED, messages.PRINT_INTERRUPTED
        _record(session, job)
    return len(jobs)


def _due(session: Session, now: dt.datetime, limit: int) -> list[tuple[int, str]]:
    waiting = select(PrintJob.printer).where(PrintJob.state == PrintState.QUEUED, PrintJob.next_attempt_at > now)
    backing_off = set(session.scalars(waiting))  # keep each printer's jobs in order while it is away
    rows = session.execute(select(PrintJob.id, PrintJob.printer).where(
        PrintJob.state == PrintState.QUEUED,
        (PrintJob.next_attempt_at.is_(None)) | (PrintJob.next_attempt_at <= now)).order_by(PrintJob.id).limit(limit))
    return [(job_id, name) for job_id, name in rows if name not in backing_off]


def send_due(make_session: sessionmaker, *, now: Callable[[], dt.datetime] = utcnow,
             after_commit: Callable[[Session], None] | None = None, backoff_base: float = 1.0,
             limit: int = 200, transports: Callable = transport_for) -> int:
    """Send every job that is due, oldest first; returns how many were sent."""
    with make_session() as session:
        due = _due(session, now(), limit)
    sent, unreachable = 0, set()
    for job_id, printer_name in due:
        if printer_name in unreachable:
            continue
        with make_session() as session:
            if not claim(session, job_id, now()):
                session.rollback()
                continue
            session.commit()
            job = session.get(PrintJob, job_id)
            printer = _printer(session, job.printer)
            session.commit()  # end the read: the result is written in a new transaction (SQLite: no lock upgrade)
            try:
                if printer is None:
                    raise PrintError(messages.PRINTER_UNKNOWN.format(printer=job.printer))
                receipt = transports(printer.transport, printer.address).send(
                    job.content or b"", title=job.document, media=job.media, raw=job.format == PrintFormat.ZPL)
            except PrinterUnreachable as error:
                unreachable.add(printer_name)
                job.state, job.error = PrintState.QUEUED, error.reason
                job.next_attempt_at = now() + backoff(job.attempts, backoff_base)
                printer.state, printer.last_error = "offline", error.reason
            except PrintError as error:
                job.state, job.error = PrintState.FAILED, error.reason
                if printer is not None:
                    printer.state, printer.last_error = "ready", error.reason
            else:
                job.state, job.sent_at, job.receipt, job.error = PrintState.SENT, now(), receipt[:200], ""
                printer.state, printer.last_error = "ready", ""
                sent += 1
            if printer is not None:
                printer.checked_at = now()
            _record(session, job, printer)
            session.commit()
            if after_commit is not None:
                after_commit(session)
    return sent


def station_jobs(session: Session, station_code: str, limit: int = 12) -> list[PrintJob]:
    return list(session.scalars(select(PrintJob).where(PrintJob.station_code == station_code)
                                .order_by(PrintJob.id.desc()).limit(limit)))


def next_wake(session: Session, now: dt.datetime) -> float:
    """Seconds until the next queued job is due (for a sender that sleeps in between), at most 5."""
    soonest = session.scalar(select(PrintJob.next_attempt_at).where(PrintJob.state == PrintState.QUEUED)
                             .order_by(PrintJob.next_attempt_at.asc().nulls_first()).limit(1))
    if soonest is None:
        return 0.0 if session.scalar(select(PrintJob.id).where(PrintJob.state == PrintState.QUEUED).limit(1)) else 5.0
    return max(0.0, min(5.0, (soonest - now).total_seconds()))
