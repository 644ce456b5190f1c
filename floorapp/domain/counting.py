"""Cycle counts. Asking for one is idempotent per location: an open count is not asked for twice.

Counting is blind, as a small state machine: location -> item (scan each, or scan one and type how many;
Done when the bin is counted) -> done. Only then are the counted figures compared with the stock table.
A variance within the tolerance (FLOORAPP_COUNT_TOLERANCE: units like "2" or a share like "5%" of the
expected figure; default 0) is adjusted at once; beyond it the whole count waits for a supervisor
(approve, recount or reject), with a COUNT_VARIANCE exception on the board. Every adjustment is a stock
move with reason `count`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import parse_scan

from . import events, messages, replenishment
from .errors import DomainError, ValidationFailed
from .flowkit import is_done, ok, refused, typed_qty, with_parsed
from .lookup import location_for, product_for
from .models import CountLine, CycleCount, FloorException, Location, Product, Stock, User, Zone, utcnow
from .scans import Outcome
from .states import CountSource, CountState, ExceptionKind, FlowStep, LocationKind, MoveReason, Tracking
from .stock import move

OPEN_STATES = (CountState.OPEN, CountState.COUNTING, CountState.AWAITING_APPROVAL)
COUNTABLE = (LocationKind.PICK, LocationKind.BULK, LocationKind.QUARANTINE, LocationKind.RETURNS)


def request_count(session: Session, location: Location, source: CountSource, reason: str = "", *,
                  product: Product | None = None, user: User | None = None) -> CycleCount:
    """Queue a blind count of `location` (the open one if it is already queued)."""
    existing = session.scalars(select(CycleCount).where(CycleCount.location_id == location.id,
                                                        CycleCount.state.in_(OPEN_STATES))).first()
    if existing is not None:
        return existing
    count = CycleCount(location=location, product=product, source=source, reason=reason[:200], requested_by=user)
    session.add(count)
    session.flush()
    events.record(session, "count.requested", {"count": count.id, "location": location.code, "source": source.value})
    return count


@dataclass(frozen=True)
class Tolerance:
    """How far a count may differ from the stock table before a supervisor must approve it."""

    units: int = 0
    percent: float | None = None

    @classmethod
    def parse(cls, text: str | None) -> Tolerance:
        text = (text or "0").strip()
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", text)
        if match:
            return cls(percent=float(match.group(1)))
        if text.isdigit():
            return cls(units=int(text))
        raise ValueError(f"FLOORAPP_COUNT_TOLERANCE is a number of units (2) or a share (5%), not {text!r}.")

    def exceeded(self, expected: int, counted: int) -> bool:
        diff = abs(counted - expected)
        if self.percent is not None:
            return diff > expected * self.percent / 100
        return diff > self.units


# Asking for counts (supervisor screen, API, short picks, schedule)

def create_counts(session: Session, user: User | None, *, zone: str | None = None, location: str | None = None,
                  sku: str | None = None, source: CountSource = CountSource.SUPERVISOR) -> list[CycleCount]:
    """Counts of every storage location of a zone, of one location, or of every location holding a product."""
    product = None
    if sku:
        product = session.scalar(select(Product).where(Product.sku == sku))
        if product is None:
            raise ValidationFailed(messages.UNKNOWN_SKU.format(sku=sku), [{"field": "sku", "message": "unknown"}])
    if location:
        found = location_for(session, location)
        if found is None:
            raise ValidationFailed(f"Unknown location {location}.", [{"field": "location", "message": "unknown"}])
        targets = [found]
    elif zone:
        zone_row = session.scalar(select(Zone).where(Zone.code == zone))
        if zone_row is None:
            raise ValidationFailed(f"Unknown zone {zone}.", [{"field": "zone", "message": "unknown"}])
        targets = list(session.scalars(select(Location).where(Location.zone_id == zone_row.id,
                                                              Location.kind.in_(COUNTABLE))
                                       .order_by(Location.pick_sequence)))
    elif product is not None:
        targets = list(session.scalars(select(Location).join(Stock, Stock.location_id == Location.id)
                                       .where(Stock.product_id == product.id, Stock.on_hand > 0,
                                              Location.kind.in_(COUNTABLE))
                                       .order_by(Location.pick_sequence).distinct()))
    else:
        raise ValidationFailed("Name a zone, a location or a SKU to count.", [{"field": "", "message": "required"}])
    reason = f"asked by {user.name}" if user else "asked through the API"
    return [request_count(session, target, source, reason, product=product, user=user) for target in targets]


def open_counts(session: Session, limit: int = 200) -> list[CycleCount]:
    return list(session.scalars(select(CycleCount).where(CycleCount.state.in_((CountState.OPEN, CountState.COUNTING)))
                                .order_by(CycleCount.id).limit(limit)))


def awaiting(session: Session) -> list[CycleCount]:
    return list(session.scalars(select(CycleCount).where(CycleCount.state == CountState.AWAITING_APPROVAL)
                                .order_by(CycleCount.finished_at, CycleCount.id)))


# Counting on the handheld

def current_count(session: Session, user: User) -> CycleCount | None:
    return session.scalar(select(CycleCount).where(CycleCount.user_id == user.id,
                                                   CycleCount.state == CountState.COUNTING)
                          .order_by(CycleCount.id).limit(1))


def next_count_for(session: Session, user: User) -> CycleCount:
    """The counter's unfinished count, else the next open one: short-pick counts first, then oldest."""
    count = current_count(session, user)
    if count is not None:
        return count
    query = (select(CycleCount).join(CycleCount.location)
             .where(CycleCount.state == CountState.OPEN)
             .order_by((CycleCount.source == CountSource.SHORT_PICK).desc(), CycleCount.id).limit(1))
    if user.zone_id is not None:
        query = query.where(Location.zone_id == user.zone_id)
    count = session.scalar(query.with_for_update(skip_locked=True, of=CycleCount))
    if count is None:
        raise DomainError(messages.CNT_NO_WORK)
    count.user_id, count.state, count.step = user.id, CountState.COUNTING, FlowStep.LOCATION
    session.flush()
    events.record(session, "count.started", {"count": count.id, "location": count.location.code, "user": user.badge})
    return count


def prompt(count: CycleCount) -> str:
    if count.step == FlowStep.LOCATION:
        return messages.CNT_GO_TO.format(location=count.location.code)
    if count.step == FlowStep.ITEM:
        return messages.CNT_SCAN_ITEMS.format(location=count.location.code)
    if count.state == CountState.AWAITING_APPROVAL:
        return messages.CNT_WAITS.format(location=count.location.code)
    return messages.CNT_DONE.format(location=count.location.code)


def last_line(count: CycleCount) -> CountLine | None:
    return max(count.lines, key=lambda line: line.seq or 0, default=None)


def scan(session: Session, count: CycleCount, user: User, raw: str, tolerance: Tolerance = Tolerance()) -> Outcome:
    if count.user_id != user.id:
        raise DomainError(messages.CNT_NOT_YOURS)
    if count.state != CountState.COUNTING:
        return refused(messages.FLOW_FINISHED)
    parsed = parse_scan(raw)
    if count.step == FlowStep.LOCATION:
        outcome = _at_location(session, count, parsed)
    else:
        outcome = _at_item(session, count, user, parsed, tolerance)
    session.flush()
    return with_parsed(outcome, parsed.as_dict())


def _at_location(session: Session, count: CycleCount, parsed) -> Outcome:
    expected = count.location.code
    if parsed.text != expected:
        if location_for(session, parsed.text) is not None:
            return refused(messages.CNT_WRONG_LOCATION.format(scanned=parsed.text, expected=expected))
        return refused(messages.NOT_A_LOCATION.format(scanned=parsed.text, expected=expected))
    count.step = FlowStep.ITEM
    return ok(prompt(count))


def _line(session: Session, count: CycleCount, product: Product, lot: str) -> CountLine:
    line = next((x for x in count.lines if x.product_id == product.id and x.lot == lot), None)
    if line is None:
        line = CountLine(count=count, product=product, lot=lot, counted=0)
        session.add(line)
    line.seq = max((x.seq or 0 for x in count.lines), default=0) + 1
    return line


def _lot_for(session: Session, count: CycleCount, product: Product, parsed) -> str | None:
    if product.tracking != Tracking.LOT:
        return ""
    if parsed.lot:
        return parsed.lot
    lots = session.scalars(select(Stock.lot).where(Stock.product_id == product.id,
                                                   Stock.location_id == count.location_id, Stock.on_hand > 0)).all()
    return lots[0] if len(lots) == 1 else None


def _at_item(session: Session, count: CycleCount, user: User, parsed, tolerance: Tolerance) -> Outcome:
    if is_done(parsed.text):
        return finish(session, count, user, tolerance)
    typed = typed_qty(parsed.text)
    if typed is not None:
        line = last_line(count)
        if line is None:
            return refused(messages.CNT_TYPE_AFTER_SCAN)
        line.counted = typed
        return ok(messages.CNT_COUNTED.format(sku=line.product.sku, counted=typed))
    product = product_for(session, parsed)
    if product is None:
        return refused(messages.CNT_NOT_FOUND.format(scanned=parsed.text))
    if count.product_id is not None and product.id != count.product_id:
        return refused(messages.CNT_ONLY_PRODUCT.format(sku=count.product.sku, scanned_sku=product.sku))
    lot = _lot_for(session, count, product, parsed)
    if lot is None:
        return refused(messages.CNT_LOT_NEEDED.format(sku=product.sku))
    line = _line(session, count, product, lot)
    line.counted += parsed.qty or 1
    return ok(messages.CNT_COUNTED.format(sku=product.sku, counted=line.counted))


def finish(session: Session, count: CycleCount, user: User, tolerance: Tolerance = Tolerance()) -> Outcome:
    """The bin is counted: compare with the stock table; adjust, or wait for a supervisor."""
    query = select(Stock).where(Stock.location_id == count.location_id, Stock.on_hand > 0)
    if count.product_id is not None:
        query = query.where(Stock.product_id == count.product_id)
    for stock in session.scalars(query):
        if not any(x.product_id == stock.product_id and x.lot == stock.lot for x in count.lines):
            session.add(CountLine(count=count, product_id=stock.product_id, lot=stock.lot, counted=0))
    session.flush()
    for line in count.lines:
        line.expected = session.scalar(select(Stock.on_hand).where(
            Stock.location_id == count.location_id, Stock.product_id == line.product_id, Stock.lot == line.lot)) or 0
    count.step, count.finished_at = FlowStep.DONE, utcnow()
    if any(tolerance.exceeded(line.expected, line.counted) for line in count.lines):
        count.state = CountState.AWAITING_APPROVAL
        _raise_exception(session, count, user)
        return ok(prompt(count))
    _adjust(session, count, user)
    count.state = CountState.DONE
    events.record(session, "count.done", {"count": count.id, "location": count.location.code, "user": user.badge})
    return ok(prompt(count))


def _describe(count: CycleCount) -> str:
    return "; ".join(f"{x.product.sku}{' lot ' + x.lot if x.lot else ''}: {x.variance:+d}"
                     for x in count.lines if x.variance)


def _raise_exception(session: Session, count: CycleCount, user: User) -> None:
    varied = [x for x in count.lines if x.variance]
    exception = FloorException(kind=ExceptionKind.COUNT_VARIANCE, location_id=count.location_id,
                               product_id=varied[0].product_id if len(varied) == 1 else None,
                               qty=sum(x.variance for x in varied), user_id=user.id,
                               note=f"Count {count.id} at {count.location.code}: {_describe(count)}"[:2000])
    session.add(exception)
    session.flush()
    count.exception_id = exception.id
    events.record(session, "exception.raised",
                  {"exception": exception.id, "kind": ExceptionKind.COUNT_VARIANCE.value, "count": count.id,
                   "location": count.location.code, "note": exception.note})


def _adjust(session: Session, count: CycleCount, user: User) -> None:
    """Book each variance as a stock move `count` (the difference found, applied to today's stock)."""
    for line in count.lines:
        if line.variance > 0:
            move(session, product=line.product, qty=line.variance, reason=MoveReason.COUNT, target=count.location,
                 lot=line.lot, user_id=user.id, reference=f"count {count.id}")
        elif line.variance < 0:
            on_hand = session.scalar(select(Stock.on_hand).where(
                Stock.location_id == count.location_id, Stock.product_id == line.product_id,
                Stock.lot == line.lot)) or 0
            qty = min(-line.variance, on_hand)
            if qty:
                move(session, product=line.product, qty=qty, reason=MoveReason.COUNT, source=count.location,
                     lot=line.lot, user_id=user.id, reference=f"count {count.id}")
                session.flush()
                replenishment.check(session, line.product, count.location)


def _resolve(session: Session, count: CycleCount, user: User, outcome: str) -> None:
    if count.state != CountState.AWAITING_APPROVAL:
        raise DomainError(messages.CNT_NOT_AWAITING)
    count.resolved_by_id, count.resolved_at = user.id, utcnow()
    if count.exception_id is not None:
        exception = session.get(FloorException, count.exception_id)
        if exception is not None and exception.resolved_at is None:
            exception.resolved_at = utcnow()
            exception.note = f"{exception.note} -> {outcome} by {user.name}"[:2000]
    events.record(session, f"count.{outcome}", {"count": count.id, "location": count.location.code,
                                                "user": user.badge, "exception": count.exception_id})


def approve_variance(session: Session, count: CycleCount, user: User) -> CycleCount:
    """A supervisor accepts the counted figures: stock is adjusted by the variance found."""
    _resolve(session, count, user, "approved")
    _adjust(session, count, user)
    count.state = CountState.DONE
    session.flush()
    return count


def reject_variance(session: Session, count: CycleCount, user: User) -> CycleCount:
    """A supervisor keeps the stock table's figures: the count closes without an adjustment."""
    _resolve(session, count, user, "rejected")
    count.state = CountState.DONE
    session.flush()
    return count


def recount(session: Session, count: CycleCount, user: User) -> CycleCount:
    """Count the location again, from scratch, by whoever takes it next."""
    _resolve(session, count, user, "recount")
    for line in list(count.lines):
        count.lines.remove(line)
    count.state, count.step, count.user_id, count.finished_at, count.exception_id = (
        CountState.OPEN, FlowStep.LOCATION, None, None, None)
    session.flush()
    return count


def count_for_exception(session: Session, exception: FloorException) -> CycleCount | None:
    """The count waiting behind a COUNT_VARIANCE exception (the board's exception list approves through it)."""
    return session.scalar(select(CycleCount).where(CycleCount.exception_id == exception.id))
