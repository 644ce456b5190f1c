"""The scan trail: every scan is kept; a replayed client id gets the first answer back."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .models import Scan, utcnow
from .states import ScanResult


@dataclass(frozen=True)
class Outcome:
    """What a scan did: accepted or refused, and the one sentence the worker sees."""

    result: ScanResult
    message: str
    parsed: dict | None = None

    @property
    def ok(self) -> bool:
        return self.result == ScanResult.OK


def earlier(session: Session, client_id: str) -> Scan | None:
    return session.scalar(select(Scan).where(Scan.client_id == client_id))


_FIRST_ANSWER = select(Scan.result, Scan.message).where(Scan.client_id == bindparam("client_id"))  # built once


def first_answer(session: Session, client_id: str) -> Outcome | None:
    """The answer given the first time this scan id was seen (two columns, no Scan object built)."""
    row = session.execute(_FIRST_ANSWER, {"client_id": client_id}).first()
    return Outcome(row.result, row.message) if row is not None else None


_KEEP = Scan.__table__.insert()  # Core: one INSERT, no Scan object for the unit of work to track


def keep(session: Session, *, client_id: str, user_id: int | None, device: str, context: str, raw: str,
         step: str, outcome: Outcome, at: dt.datetime | None = None) -> None:
    """Write the scan to the trail now (a second scan with the same client id fails here, IntegrityError).
    `at`: when it was scanned, if not now (a simulation's clock, an imported trail)."""
    session.connection().execute(_KEEP, {
        "client_id": client_id, "user_id": user_id, "device": device[:80], "context": context, "raw": raw[:400],
        "step": step, "parsed": outcome.parsed, "result": outcome.result, "message": outcome.message,
        "created_at": at or utcnow()})
