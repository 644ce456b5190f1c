"""Packing as a small state machine: scan the tote or order, verify each item by scan, close the carton.

An order may fill several cartons: items go to the open carton; "carton full" closes it with what was
verified and opens the next. A missing item is reported as an exception (the order waits for a
supervisor: see `ship_partial` and `send_back_to_pick` in packing_shortages, re-exported here).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from printing import make_sscc
from scanners import parse_scan

from . import boxes, events, messages, shipping
from .documents import PackSettings
from .errors import DomainError
from .lookup import order_for, product_for, tote_for
from .models import (
    BoxType,
    Carton,
    CartonLine,
    Order,
    OrderLine,
    PackShortage,
    Tote,
    User,
    utcnow,
)
from .orders import set_state
from .packing_shortages import (
    REPICK,
    open_shortage,
    report_missing,
    send_back_to_pick,
    ship_partial,
)
from .scans import Outcome
from .states import CartonState, OrderState, ScanResult

__all__ = ["PACKABLE", "LineProgress", "WeightFar", "close", "open_carton", "progress", "remaining",
           "report_missing", "send_back_to_pick", "ship_partial", "start", "verify"]

PACKABLE = (OrderState.PICKED, OrderState.SORTED, OrderState.PACKING)
WEIGHT_SCAN = re.compile(r"^\s*(\d{1,6}(?:[.,]\d{1,3})?)\s*(kg|g)\s*$", re.IGNORECASE)


class WeightFar(DomainError):
    code = "weight_far"


@dataclass(frozen=True)
class LineProgress:
    line: OrderLine
    expected: int   # picked, not yet in a closed carton, not reported missing
    verified: int   # scanned into the open carton

    @property
    def missing(self) -> int:
        return self.expected - self.verified


def _written_off(session: Session, order: Order) -> dict[int, int]:
    """Units reported missing at packing and still counted as picked, per order line: waiting for the
    supervisor or shipped without (a re-pick takes them off the line's picked count instead)."""
    rows = session.execute(select(PackShortage.order_line_id, func.sum(PackShortage.qty)).where(
        PackShortage.order_line_id.in_([line.id for line in order.lines]), PackShortage.resolution != REPICK)
        .group_by(PackShortage.order_line_id))
    return {line_id: int(qty) for line_id, qty in rows}


def remaining(order: Order) -> dict[int, int]:
    """Per order line: units picked and still to go into a closed carton."""
    off = _written_off(object_session(order), order)
    return {line.id: line.picked - line.packed - off.get(line.id, 0) for line in order.lines}


def open_carton(session: Session, order: Order) -> Carton | None:
    return session.scalar(select(Carton).where(Carton.order_id == order.id, Carton.state == CartonState.OPEN))


def progress(carton: Carton) -> list[LineProgress]:
    verified = {cl.order_line_id: cl.qty for cl in carton.lines}
    left = remaining(carton.order)
    return [LineProgress(line, left[line.id], verified.get(line.id, 0))
            for line in carton.order.lines if left[line.id] > 0]


def start(session: Session, user: User, raw: str, station_code: str = "") -> tuple[Carton | None, Outcome]:
    """A tote or order scan opens (or resumes) the carton of the order it belongs to."""
    parsed = parse_scan(raw)
    tote = tote_for(session, parsed.text)
    order = tote.order if tote is not None else order_for(session, parsed.text)
    if order is None or order.status not in PACKABLE:
        return None, Outcome(ScanResult.REFUSED, messages.PACK_UNKNOWN.format(scanned=parsed.text), parsed.as_dict())
    if open_shortage(session, order) is not None:
        return None, Outcome(ScanResult.REFUSED, messages.PACK_WAITS_FOR_SUPERVISOR.format(order=order.external_id))
    if not any(left > 0 for left in remaining(order).values()):
        return None, Outcome(ScanResult.REFUSED, messages.PACK_NOTHING_TO_PACK.format(order=order.external_id))
    carton = open_carton(session, order)
    if carton is None:
        carton = Carton(order=order, packed_by_id=user.id, station_code=station_code)
        session.add(carton)
        session.flush()
    set_state(session, order, OrderState.PACKING)
    events.record(session, "pack.started", {"order": order.external_id, "user": user.badge})
    return carton, Outcome(ScanResult.OK, messages.PACK_SCAN_ITEM.format(order=order.external_id), parsed.as_dict())


def _weight_scan(session: Session, carton: Carton, grams: int) -> Outcome:
    if not carton.lines:
        return Outcome(ScanResult.REFUSED, messages.PACK_WEIGH_LATER)
    carton.weight_g = grams
    session.flush()
    return Outcome(ScanResult.OK, messages.PACK_WEIGHT_NOTED.format(kg=grams / 1000))


def verify(session: Session, carton: Carton, user: User, raw: str) -> Outcome:
    """One item scanned into the carton; a wrong item or one too many is refused. A weight scan
    ("1.25 kg", "1250 g") notes the scale's reading for the carton."""
    if carton.state != CartonState.OPEN:
        raise DomainError("This carton is closed. Scan the next tote or order.")
    order = carton.order
    if open_shortage(session, order) is not None:
        return Outcome(ScanResult.REFUSED, messages.PACK_WAITS_FOR_SUPERVISOR.format(order=order.external_id))
    if (weight := WEIGHT_SCAN.match(raw)) is not None:
        value = float(weight.group(1).replace(",", "."))
        return _weight_scan(session, carton, round(value * 1000 if weight.group(2).lower() == "kg" else value))
    parsed = parse_scan(raw)
    product = product_for(session, parsed)
    if product is None:
        return Outcome(ScanResult.REFUSED, messages.PACK_NOT_FOUND.format(scanned=parsed.text), parsed.as_dict())
    rows = [p for p in progress(carton) if p.line.product_id == product.id]
    if not rows and not any(line.product_id == product.id for line in order.lines):
        return Outcome(ScanResult.REFUSED, messages.PACK_NOT_IN_ORDER.format(
            sku=product.sku, name=product.name, order=order.external_id), parsed.as_dict())
    row = next((p for p in rows if p.missing > 0), None)
    if row is None:
        qty = sum(p.expected for p in rows)
        return Outcome(ScanResult.REFUSED, messages.PACK_TOO_MANY.format(
            order=order.external_id, qty=qty, sku=product.sku), parsed.as_dict())
    carton_line = next((cl for cl in carton.lines if cl.order_line_id == row.line.id), None)
    if carton_line is None:
        carton_line = CartonLine(order_line=row.line, qty=0)
        carton.lines.append(carton_line)
    carton_line.qty += 1
    session.flush()
    message = messages.PACK_ITEM_OK.format(sku=product.sku, name=product.name, verified=row.verified + 1,
                                           qty=row.expected)
    if all(p.missing == 0 for p in progress(carton)):
        message = f"{message} {messages.PACK_ALL_VERIFIED}"
    events.record(session, "pack.verified", {"order": order.external_id, "sku": product.sku, "user": user.badge})
    return Outcome(ScanResult.OK, message, parsed.as_dict())


def carton_items(carton: Carton) -> list:
    """(product, qty) in the carton; for a carton with nothing verified yet, everything still to pack."""
    if carton.lines:
        return [(cl.order_line.product, cl.qty) for cl in carton.lines if cl.qty]
    return [(p.line.product, p.expected) for p in progress(carton)]


def _next_serial(session: Session) -> int:
    return shipping.next_value(session, "sscc")


def close(session: Session, carton: Carton, user: User, *, box: BoxType | None = None, weight_g: int | None = None,
          confirm_weight: bool = False, partial: bool = False, carrier: str = "", service: str = "",
          tracking: str = "", settings: PackSettings | None = None) -> Outcome:
    """Close a verified carton: SSCC, box, weight, carrier and tracking; quantities move to packed.

    Everything still to pack must be verified, unless `partial` (carton full: the rest goes into the next
    carton). A weight far from the expected one is refused until confirmed, then kept flagged."""
    if carton.state != CartonState.OPEN:
        raise DomainError("This carton is closed. Scan the next tote or order.")
    if open_shortage(session, carton.order) is not None:
        raise DomainError(messages.PACK_WAITS_FOR_SUPERVISOR.format(order=carton.order.external_id))
    rows = progress(carton)
    missing = [p for p in rows if p.missing > 0]
    verified = sum(p.verified for p in rows)
    if verified == 0 or (missing and not partial):
        text = ", ".join(f"{p.missing} x {p.line.product.sku}" for p in missing)
        raise DomainError(messages.PACK_NOT_VERIFIED.format(missing=text))
    items = carton_items(carton)
    suggestion = boxes.suggest(session, items)
    box = box or suggestion.box
    expected = boxes.expected_weight(suggestion.weight_g, box)
    weighed = weight_g if weight_g is not None else carton.weight_g
    if weighed is not None and weighed <= 0:
        raise DomainError(messages.PACK_WEIGHT_INVALID)
    if weighed is not None and boxes.weight_is_far(weighed, expected) and not confirm_weight:
        raise WeightFar(messages.PACK_WEIGHT_FAR.format(kg=weighed / 1000, expected=expected / 1000))
    settings = settings or PackSettings(ship_from={})
    carton.box_type = box.code if box else ""
    carton.expected_weight_g = expected
    carton.weight_g = weighed if weighed is not None else expected
    carton.weight_flagged = weighed is not None and boxes.weight_is_far(weighed, expected)
    carton.sscc = make_sscc(settings.gs1_company_prefix, _next_serial(session))
    shipping.assign(session, carton, carrier, service, tracking)
    for carton_line in carton.lines:
        carton_line.order_line.packed += carton_line.qty
    carton.state = CartonState.CLOSED
    carton.closed_at = utcnow()
    order = carton.order
    session.flush()
    done = not any(left > 0 for left in remaining(order).values())
    if done:
        set_state(session, order, OrderState.PACKED)
        for tote in session.scalars(select(Tote).where(Tote.order_id == order.id)):
            tote.order_id = None
    session.flush()
    events.record(session, "carton.closed", {"order": order.external_id, "carton": carton.id, "sscc": carton.sscc,
                                             "user": user.badge})
    if carton.weight_flagged:
        events.record(session, "carton.weight_flagged", {"order": order.external_id, "sscc": carton.sscc,
                                                         "weight_g": carton.weight_g, "expected_g": expected})
    if done:
        return Outcome(ScanResult.OK, messages.PACK_CLOSED.format(order=order.external_id))
    left = sum(v for v in remaining(order).values() if v > 0)
    return Outcome(ScanResult.OK, messages.PACK_CLOSED_MORE.format(order=order.external_id, left=left))
