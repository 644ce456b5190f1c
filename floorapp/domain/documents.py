"""Documents of an order and its cartons, built with the printing library and kept: a reprint is the
same bytes. Each document is stored under (kind, key, format, fingerprint of its content)."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from printing import (
    Address,
    CartonLabel,
    Manifest,
    ManifestCarton,
    PackingSlip,
    ShippingLabel,
    SlipLine,
    carton_label_zpl,
    render_carton_label,
    render_manifest,
    render_packing_slip,
    render_shipping_label,
    shipping_label_zpl,
)

from . import messages
from .errors import Conflict
from .models import Carton, Order, PackShortage, PrintJob, StoredDocument, utcnow
from .states import CartonState, PrintFormat, PrintState

LABEL_MEDIA = "4x6in"


@dataclass(frozen=True)
class PackSettings:
    """What documents need from the site's configuration (no Flask here: built from a config dict)."""

    ship_from: dict[str, Any]
    gs1_company_prefix: str = "0614141"
    returns_url: str = ""       # e.g. https://shop.example.com/returns/{order}
    paper: str = "letter"

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> PackSettings:
        return cls(ship_from=config["SHIP_FROM"], gs1_company_prefix=config.get("GS1_COMPANY_PREFIX", "0614141"),
                   returns_url=config.get("RETURNS_URL", ""), paper=config.get("PAPER", "letter"))


def _address(data: dict[str, Any]) -> Address:
    return Address(name=data.get("name", ""), line1=data.get("line1", ""), line2=data.get("line2", ""),
                   city=data.get("city", ""), region=data.get("region", ""),
                   postal_code=data.get("postal_code", ""), country=data.get("country", ""))


def _closed(order: Order) -> list[Carton]:
    return [c for c in order.cartons if c.state != CartonState.OPEN]


def _day(carton: Carton) -> dt.date:
    return (carton.closed_at or utcnow()).date()


def packing_slip_for(order: Order, ship_from: dict[str, Any], returns_url: str = "", paper: str = "letter") -> PackingSlip:
    """Ordered, shipped (packed into cartons so far) and backordered, per line; dated by the last carton."""
    lines = tuple(SlipLine(sku=line.product.sku, name=line.product.name, ordered=line.qty,
                           shipped=line.packed, backordered=line.backordered) for line in order.lines)
    closed = _closed(order)
    cartons = tuple(c.sscc or f"Carton {i}" for i, c in enumerate(closed, start=1))
    day = max((_day(c) for c in closed), default=order.created_at.date())
    return PackingSlip(order_ref=order.external_id, customer_name=order.customer_name,
                       ship_to=_address(order.ship_to), ship_from=_address(ship_from), lines=lines,
                       cartons=cartons, date=day, page_size=paper,  # type: ignore[arg-type]
                       returns_url=returns_url.format(order=order.external_id) if returns_url else "")


def carton_label_for(carton: Carton, settings: PackSettings) -> CartonLabel:
    if not carton.sscc:
        raise Conflict(messages.LABEL_NOT_YET)
    closed = _closed(carton.order)
    number = next((i for i, c in enumerate(closed, start=1) if c.id == carton.id), len(closed))
    total = len(closed) if carton.order.status.value in ("packed", "shipped") else 0
    return CartonLabel(sscc=carton.sscc, order_ref=carton.order.external_id, ship_from=_address(settings.ship_from),
                       ship_to=_address(carton.order.ship_to), carton_no=number, carton_count=total,
                       weight_g=carton.weight_g or 0, date=_day(carton))


def shipping_label_for(carton: Carton, settings: PackSettings) -> ShippingLabel:
    if not carton.sscc or not carton.tracking_number:
        raise Conflict(messages.LABEL_NOT_YET)
    label = carton_label_for(carton, settings)
    return ShippingLabel(ship_from=label.ship_from, ship_to=label.ship_to, carrier=carton.carrier or "manual",
                         service=carton.service, tracking=carton.tracking_number, weight_g=carton.weight_g or 0,
                         order_ref=label.order_ref, sscc=carton.sscc, carton_no=label.carton_no, date=label.date)


RENDERERS = {
    ("carton-label", PrintFormat.PDF): render_carton_label, ("carton-label", PrintFormat.ZPL): carton_label_zpl,
    ("shipping-label", PrintFormat.PDF): render_shipping_label, ("shipping-label", PrintFormat.ZPL): shipping_label_zpl,
    ("packing-slip", PrintFormat.PDF): render_packing_slip, ("manifest", PrintFormat.PDF): render_manifest,
}


def stored(session: Session, kind: str, key: str, fmt: PrintFormat, data: Any) -> bytes:
    """The document's bytes: the kept ones when this content was rendered before, else rendered and kept."""
    fingerprint = hashlib.sha256(repr(data).encode()).hexdigest()
    found = session.scalar(select(StoredDocument.content).where(
        StoredDocument.kind == kind, StoredDocument.key == key, StoredDocument.format == fmt,
        StoredDocument.fingerprint == fingerprint))
    if found is not None:
        return found
    content = RENDERERS[(kind, fmt)](data)
    session.add(StoredDocument(kind=kind, key=key, format=fmt, fingerprint=fingerprint, content=content))
    session.flush()
    return content


def carton_document(session: Session, carton: Carton, kind: str, fmt: PrintFormat, settings: PackSettings) -> bytes:
    data = carton_label_for(carton, settings) if kind == "carton-label" else shipping_label_for(carton, settings)
    return stored(session, kind, carton.sscc or "", fmt, data)


def packing_slip(session: Session, order: Order, settings: PackSettings) -> bytes:
    slip = packing_slip_for(order, settings.ship_from, settings.returns_url, settings.paper)
    return stored(session, "packing-slip", order.external_id, PrintFormat.PDF, slip)


def manifest(session: Session, carrier: str, day: dt.date, settings: PackSettings) -> bytes:
    start = dt.datetime.combine(day, dt.time())
    cartons = session.scalars(select(Carton).where(
        Carton.state == CartonState.SHIPPED, Carton.carrier == carrier, Carton.shipped_at >= start,
        Carton.shipped_at < start + dt.timedelta(days=1)).order_by(Carton.shipped_at, Carton.id))
    rows = tuple(ManifestCarton(sscc=c.sscc or "", order_ref=c.order.external_id, service=c.service,
                                tracking=c.tracking_number, weight_g=c.weight_g or 0,
                                ship_to=", ".join(_address(c.order.ship_to).printed_lines()))
                 for c in cartons)
    data = Manifest(carrier=carrier, date=day, ship_from=_address(settings.ship_from), cartons=rows,
                    page_size=settings.paper)  # type: ignore[arg-type]
    return stored(session, "manifest", f"{carrier}:{day.isoformat()}", PrintFormat.PDF, data)


def shortages(session: Session, order: Order) -> list[PackShortage]:
    line_ids = [line.id for line in order.lines]
    return list(session.scalars(select(PackShortage).where(PackShortage.order_line_id.in_(line_ids))
                                .order_by(PackShortage.id)))


def print_packing_slip(session: Session, order: Order, ship_from: dict[str, Any], *, printer: str = "browser",
                       user_id: int | None = None, returns_url: str = "") -> PrintJob:
    """The slip handed to the browser at once, kept as a sent print job (the pack screen's 'Packing slip' link)."""
    pdf = packing_slip(session, order, PackSettings(ship_from=ship_from, returns_url=returns_url))
    job = PrintJob(printer=printer, format=PrintFormat.PDF, document=f"packing-slip:{order.external_id}",
                   content=pdf, user_id=user_id, attempts=1, state=PrintState.SENT, sent_at=utcnow())
    session.add(job)
    session.flush()
    return job
