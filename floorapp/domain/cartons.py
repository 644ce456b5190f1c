"""What a pack station prints, and when: carton label and shipping label when a carton closes, the
packing slip when the order's last carton closes; reprints from the order's page; label batches."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from printing import CodeLabel, code_labels_zpl, render_code_labels

from . import documents, packing, printjobs
from .documents import LABEL_MEDIA, PackSettings
from .errors import NotFound, ValidationFailed
from .lookup import order_for
from .models import (
    Carton,
    Location,
    Order,
    Printer,
    PrintJob,
    Product,
    Station,
    Tote,
    User,
)
from .scans import Outcome
from .states import CartonState, OrderState, PrintFormat

LABEL_KINDS = ("location", "product", "tote")
BATCH_LIMIT = 500


def label_format(printer: Printer) -> PrintFormat:
    return PrintFormat.ZPL if printer.language == PrintFormat.ZPL and printer.transport != "browser" else PrintFormat.PDF


def carton_by_sscc(session: Session, sscc: str) -> Carton:
    carton = session.scalar(select(Carton).where(Carton.sscc == sscc))
    if carton is None:
        raise NotFound(f"No carton with SSCC {sscc}.", [{"field": "sscc", "message": "unknown carton"}])
    return carton


def print_carton(session: Session, carton: Carton, station: Station | None, settings: PackSettings,
                 user_id: int | None = None, printer: Printer | None = None) -> list[PrintJob]:
    """Carton label and shipping label on the station's label printer (or the one given)."""
    printer = printer or (station.label_printer if station else None)
    if printer is None:
        return []
    fmt = label_format(printer)
    jobs = []
    kinds = ("carton-label", "shipping-label") if carton.tracking_number else ("carton-label",)
    for kind in kinds:
        content = documents.carton_document(session, carton, kind, fmt, settings)
        jobs.append(printjobs.enqueue(session, printer, document=f"{kind}:{carton.sscc}", content=content, fmt=fmt,
                                      station_code=station.code if station else "", user_id=user_id,
                                      media=LABEL_MEDIA if fmt == PrintFormat.PDF else ""))
    return jobs


def print_slip(session: Session, order: Order, station: Station | None, settings: PackSettings,
               user_id: int | None = None, printer: Printer | None = None) -> PrintJob | None:
    printer = printer or (station.document_printer if station else None)
    if printer is None:
        return None
    paper = printer.paper if printer.transport != "browser" else settings.paper
    content = documents.packing_slip(session, order, PackSettings(settings.ship_from, settings.gs1_company_prefix,
                                                                  settings.returns_url, paper))
    return printjobs.enqueue(session, printer, document=f"packing-slip:{order.external_id}", content=content,
                             fmt=PrintFormat.PDF, station_code=station.code if station else "", user_id=user_id,
                             media=paper)


def close_and_print(session: Session, carton: Carton, user: User, station: Station | None, settings: PackSettings,
                    **close_args) -> tuple[Outcome, list[PrintJob], Carton | None]:
    """Close the carton, queue its labels (and the slip with the last carton); open the next carton
    when items are still to pack."""
    outcome = packing.close(session, carton, user, settings=settings, **close_args)
    jobs = print_carton(session, carton, station, settings, user.id)
    order = carton.order
    next_carton = None
    if order.status == OrderState.PACKED:
        slip = print_slip(session, order, station, settings, user.id)
        jobs += [slip] if slip else []
    else:
        next_carton = Carton(order=order, packed_by_id=user.id, station_code=station.code if station else "")
        session.add(next_carton)
        session.flush()
    return outcome, jobs, next_carton


def reprint(session: Session, kind: str, key: str, printer: Printer, settings: PackSettings, *,
            station_code: str = "", user_id: int | None = None) -> PrintJob:
    """The same document again (the kept bytes), on any printer."""
    if kind == "packing-slip":
        order = order_for(session, key)
        if order is None:
            raise NotFound(f"No order {key}.")
        content, fmt, media = documents.packing_slip(session, order, settings), PrintFormat.PDF, settings.paper
    elif kind in ("carton-label", "shipping-label"):
        fmt = label_format(printer)
        content = documents.carton_document(session, carton_by_sscc(session, key), kind, fmt, settings)
        media = LABEL_MEDIA if fmt == PrintFormat.PDF else ""
    else:
        raise ValidationFailed(f"Unknown document {kind}.")
    return printjobs.enqueue(session, printer, document=f"{kind}:{key}", content=content, fmt=fmt,
                             station_code=station_code, user_id=user_id, media=media)


def code_labels(session: Session, kind: str, prefix: str = "") -> list[CodeLabel]:
    """Labels for every location, product or tote whose code starts with `prefix` (e.g. a whole aisle)."""
    if kind == "location":
        rows = session.scalars(select(Location).where(Location.code.startswith(prefix, autoescape=True))
                               .order_by(Location.pick_sequence, Location.code).limit(BATCH_LIMIT))
        labels = [CodeLabel(loc.code, f"Zone {loc.zone.code}", loc.kind.value) for loc in rows]
    elif kind == "product":
        rows = session.scalars(select(Product).where(Product.sku.startswith(prefix, autoescape=True))
                               .order_by(Product.sku).limit(BATCH_LIMIT))
        labels = [CodeLabel(p.barcodes[0].code if p.barcodes else p.sku, p.name, p.sku) for p in rows]
    elif kind == "tote":
        rows = session.scalars(select(Tote).where(Tote.code.startswith(prefix, autoescape=True))
                               .order_by(Tote.code).limit(BATCH_LIMIT))
        labels = [CodeLabel(t.code, "Tote") for t in rows]
    else:
        raise ValidationFailed(f"Labels are for {', '.join(LABEL_KINDS)}.", [{"field": "kind", "message": "unknown"}])
    if not labels:
        raise ValidationFailed(f"No {kind} code starts with {prefix!r}.", [{"field": "prefix", "message": "no match"}])
    return labels


def render_labels(labels: list[CodeLabel], fmt: PrintFormat, title: str) -> bytes:
    return code_labels_zpl(labels) if fmt == PrintFormat.ZPL else render_code_labels(labels, title)


def print_code_labels(session: Session, kind: str, prefix: str, printer: Printer, *, station_code: str = "",
                      user_id: int | None = None) -> PrintJob:
    labels = code_labels(session, kind, prefix)
    fmt = label_format(printer)
    content = render_labels(labels, fmt, f"{kind} labels {prefix}".strip())
    return printjobs.enqueue(session, printer, document=f"{kind}-labels:{prefix or 'all'} ({len(labels)})",
                             content=content, fmt=fmt, station_code=station_code, user_id=user_id,
                             media="4x2in" if fmt == PrintFormat.PDF else "")


def shipped_carriers(session: Session, day: dt.date) -> list[str]:
    start = dt.datetime.combine(day, dt.time())
    return list(session.scalars(select(Carton.carrier).distinct().where(
        Carton.state == CartonState.SHIPPED, Carton.shipped_at >= start, Carton.shipped_at < start + dt.timedelta(days=1))
        .order_by(Carton.carrier)))
