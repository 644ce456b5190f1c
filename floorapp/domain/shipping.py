"""Carriers, tracking numbers and ship confirm.

The carrier the order asked for (Order.carrier) is proposed when it is set up here; the packer may choose another.

A carrier's `adapter` names the code that gives tracking numbers (a carrier's API client plugs in with
`register_adapter`); the built-in "manual" one makes test numbers from a sequence. Ship confirm takes
carrier, service and tracking per carton; the order is shipped when all its cartons are, and
"order.shipped" is recorded with every carton's SSCC, carrier, service and tracking number.
"""
from __future__ import annotations

from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scanners import gtin_check_digit

from . import events, messages
from .errors import DomainError
from .models import Carrier, Carton, Location, Order, Sequence, Stock, User, utcnow
from .orders import set_state, ship_reference
from .states import CartonState, LocationKind, MoveReason, OrderState
from .stations import carrier_for, carriers
from .stock import move

TRACKING_LIMIT = 60


class CarrierAdapter(Protocol):
    def tracking_number(self, session: Session, carton: Carton, service: str) -> str: ...


class ManualCarrier:
    """Test tracking numbers: MAN + 10 digits from a sequence + a mod-10 check digit."""

    def tracking_number(self, session: Session, carton: Carton, service: str) -> str:
        body = f"{next_value(session, 'tracking:manual'):010d}"
        return f"MAN{body}{gtin_check_digit(body)}"


ADAPTERS: dict[str, CarrierAdapter] = {"manual": ManualCarrier()}


def register_adapter(name: str, adapter: CarrierAdapter) -> None:
    ADAPTERS[name] = adapter


def next_value(session: Session, name: str) -> int:
    """The next number of a named sequence; concurrent transactions never get the same one."""
    for _ in range(3):
        value = session.scalar(update(Sequence).where(Sequence.name == name)
                               .values(value=Sequence.value + 1).returning(Sequence.value))
        if value is not None:
            return value
        try:
            with session.begin_nested():
                session.add(Sequence(name=name, value=1))
            return 1
        except IntegrityError:
            continue  # another transaction made it first: take the next one
    raise DomainError("Could not take the next number; try again.")


def _clean_tracking(tracking: str) -> str:
    tracking = tracking.strip()
    if len(tracking) > TRACKING_LIMIT or not all(" " < c <= "~" for c in tracking):
        raise DomainError(messages.TRACKING_INVALID)
    return tracking


def proposed_carrier(session: Session, order: Order) -> Carrier | None:
    """The set-up carrier the order asked for (its code or name, in any case); None when it asked for none
    or for one not set up here - then the default carrier is proposed, and the packer chooses."""
    wanted = order.carrier.strip().casefold()
    return next((c for c in carriers(session) if wanted in (c.code.casefold(), c.name.casefold())), None) \
        if wanted else None


def assign(session: Session, carton: Carton, carrier_code: str = "", service: str = "", tracking: str = "") -> None:
    """Carrier, service and tracking number of a carton: as given (typed or scanned), or from the carrier."""
    carrier = carrier_for(session, carrier_code) if carrier_code else (
        proposed_carrier(session, carton.order) or next(iter(carriers(session)), None))
    if carrier_code and carrier is None:
        raise DomainError(messages.CARRIER_UNKNOWN.format(carrier=carrier_code))
    if carrier is None:
        carton.carrier, carton.service = carrier_code or "manual", service
        carton.tracking_number = _clean_tracking(tracking) if tracking else ""
        return
    service = service or (carrier.services[0] if carrier.services else "")
    if carrier.services and service not in carrier.services:
        raise DomainError(messages.SERVICE_UNKNOWN.format(service=service, carrier=carrier.name,
                                                          services=", ".join(carrier.services)))
    changed = carton.carrier != carrier.code
    carton.carrier, carton.service = carrier.code, service
    if tracking:
        carton.tracking_number = _clean_tracking(tracking)
    elif not carton.tracking_number or changed:
        adapter = ADAPTERS.get(carrier.adapter)
        carton.tracking_number = adapter.tracking_number(session, carton, service) if adapter else ""


def _ship_stock(session: Session, order: Order, user: User) -> None:
    """The goods leave the building: stock moves out of the pack station, per line."""
    for line in order.lines:
        qty = line.packed - line.shipped
        if qty <= 0:
            continue
        rows = session.scalars(select(Stock).join(Stock.location).where(
            Stock.product_id == line.product_id, Location.kind == LocationKind.PACK, Stock.on_hand > 0)
            .order_by(Stock.expiry.asc().nulls_last(), Stock.id))
        left = qty
        for row in rows:
            take = min(left, row.on_hand)
            move(session, product=line.product, qty=take, reason=MoveReason.SHIP, source=row.location, lot=row.lot,
                 user_id=user.id, reference=ship_reference(order))
            left -= take
            if left == 0:
                break
        if left:
            raise DomainError(messages.SHIP_STOCK_MISSING.format(sku=line.product.sku, qty=left))
        line.shipped += qty


def confirm(session: Session, carton: Carton, user: User, *, carrier: str = "", service: str = "",
            tracking: str = "") -> bool:
    """Ship-confirm one closed carton; returns True when this shipped the whole order."""
    if carton.state == CartonState.OPEN:
        raise DomainError(messages.SHIP_CARTON_OPEN)
    if carton.state == CartonState.SHIPPED:
        raise DomainError(messages.SHIP_ALREADY.format(sscc=carton.sscc))
    assign(session, carton, carrier or carton.carrier, service or carton.service, tracking)
    if not carton.tracking_number:
        raise DomainError(messages.TRACKING_MISSING)
    carton.state, carton.shipped_at = CartonState.SHIPPED, utcnow()
    order = carton.order
    session.flush()
    events.record(session, "carton.shipped", {"order": order.external_id, "sscc": carton.sscc,
                                              "tracking": carton.tracking_number}, rooms=("board",))
    if order.status != OrderState.PACKED or any(c.state != CartonState.SHIPPED for c in order.cartons):
        return False
    _ship_stock(session, order, user)
    set_state(session, order, OrderState.SHIPPED)
    events.record(session, "order.shipped", {"order": order.external_id, "cartons": [
        {"sscc": c.sscc, "carrier": c.carrier, "service": c.service, "tracking": c.tracking_number}
        for c in order.cartons]}, rooms=("board",))
    return True


def confirm_order(session: Session, order: Order, user: User, *, carrier: str = "", service: str = "",
                  tracking: dict[int, str] | None = None) -> None:
    """Ship-confirm every closed carton of a packed order at once (tracking per carton id, optional)."""
    if order.status != OrderState.PACKED:
        raise DomainError(messages.SHIP_NOT_PACKED.format(order=order.external_id, status=order.status.value))
    for carton in list(order.cartons):
        if carton.state == CartonState.CLOSED:
            confirm(session, carton, user, carrier=carrier, service=service, tracking=(tracking or {}).get(carton.id, ""))
