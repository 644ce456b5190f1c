"""Pack stations, printers, box types and carriers: the set-up an admin keeps, and the demo's."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import messages
from .errors import NotFound, ValidationFailed
from .models import BoxType, Carrier, Printer, Station
from .states import PrintFormat

TRANSPORTS = ("browser", "tcp9100", "cups")
PAPERS = ("letter", "a4")


def station_for(session: Session, code: str) -> Station | None:
    return session.scalar(select(Station).where(Station.code == code.strip()))


def stations(session: Session) -> list[Station]:
    return list(session.scalars(select(Station).order_by(Station.code)))


def printers(session: Session) -> list[Printer]:
    return list(session.scalars(select(Printer).order_by(Printer.name)))


def printer_named(session: Session, name: str) -> Printer | None:
    return session.scalar(select(Printer).where(Printer.name == name))


def box_types(session: Session, *, active_only: bool = True) -> list[BoxType]:
    query = select(BoxType).order_by(BoxType.length_mm * BoxType.width_mm * BoxType.height_mm)
    return list(session.scalars(query.where(BoxType.active.is_(True)) if active_only else query))


def carriers(session: Session) -> list[Carrier]:
    return list(session.scalars(select(Carrier).where(Carrier.active.is_(True)).order_by(Carrier.id)))  # the first set up is the default


def carrier_for(session: Session, code: str) -> Carrier | None:
    return session.scalar(select(Carrier).where(Carrier.code == code))


def _text(data: dict[str, Any], field: str, limit: int, *, required: bool = True) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise ValidationFailed(messages.FIELD_MISSING.format(field=field), [{"field": field, "message": "required"}])
    if len(value) > limit:
        raise ValidationFailed(messages.TOO_LONG.format(field=field, limit=limit), [{"field": field, "message": "too long"}])
    return value


def _whole(data: dict[str, Any], field: str, low: int = 1, high: int = 10_000_000) -> int:
    try:
        value = int(str(data.get(field, "")).strip())
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValidationFailed(messages.PACK_NUMBER_RANGE.format(field=field, low=low, high=high),
                               [{"field": field, "message": "out of range"}])
    return value


def save_printer(session: Session, data: dict[str, Any]) -> Printer:
    name = _text(data, "name", 80)
    transport = _text(data, "transport", 20)
    if transport not in TRANSPORTS:
        raise ValidationFailed(messages.PRINTER_TRANSPORT, [{"field": "transport", "message": "unknown"}])
    address = _text(data, "address", 200, required=transport != "browser")
    language = PrintFormat(data.get("language") or "pdf")
    paper = data.get("paper") or "letter"
    if paper not in PAPERS:
        raise ValidationFailed(messages.PRINTER_PAPER, [{"field": "paper", "message": "unknown"}])
    printer = printer_named(session, name) or Printer(name=name)
    printer.transport, printer.address, printer.language, printer.paper = transport, address, language, paper
    printer.active = True
    session.add(printer)
    session.flush()
    return printer


def save_station(session: Session, data: dict[str, Any]) -> Station:
    code = _text(data, "code", 40)
    station = station_for(session, code) or Station(code=code)
    station.name = _text(data, "name", 80, required=False) or code
    for field in ("label_printer", "document_printer"):
        name = str(data.get(field) or "").strip()
        printer = printer_named(session, name) if name else None
        if name and printer is None:
            raise NotFound(messages.PRINTER_UNKNOWN.format(printer=name), [{"field": field, "message": "unknown"}])
        setattr(station, field, printer)
    session.add(station)
    session.flush()
    return station


def save_box_type(session: Session, data: dict[str, Any]) -> BoxType:
    code = _text(data, "code", 40)
    box = session.scalar(select(BoxType).where(BoxType.code == code)) or BoxType(code=code)
    box.name = _text(data, "name", 80, required=False) or code
    box.length_mm, box.width_mm, box.height_mm = (_whole(data, f, 1, 5000) for f in ("length_mm", "width_mm", "height_mm"))
    box.max_weight_g = _whole(data, "max_weight_g", 1, 1_000_000)
    box.tare_g = _whole(data, "tare_g", 0, 100_000) if str(data.get("tare_g", "")).strip() else 0
    box.active = True
    session.add(box)
    session.flush()
    return box


def seed_demo(session: Session) -> None:
    """Two pack stations printing to the browser (the demo needs no hardware), box types and carriers."""
    screen = save_printer(session, {"name": "Browser (this station)", "transport": "browser", "language": "pdf"})
    save_printer(session, {"name": "Zebra ZD421 dock", "transport": "tcp9100", "address": "127.0.0.1:9100",
                           "language": "zpl"})
    for code in ("PACK-1", "PACK-2"):
        save_station(session, {"code": code, "name": f"Pack station {code[-1]}", "label_printer": screen.name,
                               "document_printer": screen.name})
    for code, name, dims, max_kg, tare in (
            ("S", "Small box", (200, 150, 100), 5, 120), ("M", "Medium box", (300, 250, 200), 15, 250),
            ("L", "Large box", (450, 350, 300), 25, 450), ("XL", "Extra large box", (600, 400, 400), 30, 700)):
        save_box_type(session, {"code": code, "name": name, "length_mm": dims[0], "width_mm": dims[1],
                                "height_mm": dims[2], "max_weight_g": max_kg * 1000, "tare_g": tare})
    session.add_all([Carrier(code="manual", name="Manual", adapter="manual", services=["Ground", "Express"]),
                     Carrier(code="freight", name="Freight", adapter="manual", services=["Pallet"])])
    session.flush()
