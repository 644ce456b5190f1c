"""What the receiving, returns, count and replenishment state machines share: answers and typed input."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from scanners import parse_scan

from .errors import DomainError
from .messages import FLOW_FINISHED
from .scans import Outcome
from .states import FlowState, ScanResult

DONE = "DONE"            # the Done button (or a typed DONE) ends counting, a bin, a return
MAX_TYPED_DIGITS = 4     # a typed quantity is at most 9999; longer digit strings are barcodes


def ok(message: str, parsed: dict | None = None) -> Outcome:
    return Outcome(ScanResult.OK, message, parsed)


def refused(message: str, parsed: dict | None = None) -> Outcome:
    return Outcome(ScanResult.REFUSED, message, parsed)


def typed_qty(text: str) -> int | None:
    """A quantity typed on the keypad, or None when the text is not one (a barcode, a word)."""
    return int(text) if text.isdigit() and len(text) <= MAX_TYPED_DIGITS else None


def is_done(text: str) -> bool:
    return text.strip().upper() == DONE


def with_parsed(outcome: Outcome, parsed: dict) -> Outcome:
    return Outcome(outcome.result, outcome.message, outcome.parsed or parsed)


def run_step(session: Session, task: Any, user: Any, raw: str, handlers: Mapping[Any, Callable[..., Outcome]],
             not_yours: str) -> Outcome:
    """One scan of a floor flow: only its own person, only while it runs; the handler of the current step
    answers, and the answer carries what the scan parsed to."""
    if task.user_id != user.id:
        raise DomainError(not_yours)
    if task.state != FlowState.ASSIGNED:
        return refused(FLOW_FINISHED)
    parsed = parse_scan(raw)
    outcome = handlers[task.step](session, task, user, parsed)
    session.flush()
    return with_parsed(outcome, parsed.as_dict())
