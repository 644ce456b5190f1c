"""Pack stations and what they print on: printers, box types, carriers, SSCC serials, stored documents,
and items reported missing at packing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..states import PrintFormat
from .base import Base, enum_column, utcnow
from .core import FloorException, OrderLine


class Printer(Base):
    """A label or document printer: raw TCP 9100 (Zebra), a CUPS queue, or the station's browser."""

    __tablename__ = "printers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    transport: Mapped[str] = mapped_column(String(20), default="browser")   # tcp9100 | cups | browser
    address: Mapped[str] = mapped_column(String(200), default="")           # host:port or queue[@server]
    language: Mapped[PrintFormat] = mapped_column(enum_column(PrintFormat), default=PrintFormat.PDF)
    paper: Mapped[str] = mapped_column(String(10), default="letter")        # letter | a4 (documents)
    state: Mapped[str] = mapped_column(String(20), default="unknown")       # unknown | ready | offline
    last_error: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(default=True)


class Station(Base):
    """A pack station: chosen once per device (or by scanning its code); it knows its two printers."""

    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    label_printer_id: Mapped[int | None] = mapped_column(ForeignKey("printers.id"))
    document_printer_id: Mapped[int | None] = mapped_column(ForeignKey("printers.id"))

    label_printer: Mapped[Printer | None] = relationship(foreign_keys=[label_printer_id])
    document_printer: Mapped[Printer | None] = relationship(foreign_keys=[document_printer_id])


class BoxType(Base):
    __tablename__ = "box_types"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    max_weight_g: Mapped[int] = mapped_column(Integer)
    tare_g: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def volume_mm3(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm


class Carrier(Base):
    """A carrier and its services; `adapter` names the code that books shipments (built in: manual)."""

    __tablename__ = "carriers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    adapter: Mapped[str] = mapped_column(String(40), default="manual")
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class Sequence(Base):
    """A named counter (SSCC serial references); taken with one UPDATE ... RETURNING, never twice."""

    __tablename__ = "sequences"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class StoredDocument(Base):
    """A document as printed, kept so a reprint is the same bytes."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("kind", "key", "format", "fingerprint"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))          # carton-label | shipping-label | packing-slip | manifest
    key: Mapped[str] = mapped_column(String(120), index=True)
    format: Mapped[PrintFormat] = mapped_column(enum_column(PrintFormat))
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PackShortage(Base):
    """Items a packer could not find: the order waits until a supervisor ships partial or sends it back to pick."""

    __tablename__ = "pack_shortages"
    id: Mapped[int] = mapped_column(primary_key=True)
    exception_id: Mapped[int] = mapped_column(ForeignKey("exceptions.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    resolution: Mapped[str] = mapped_column(String(20), default="")   # "" (open) | ship_partial | repick
    note: Mapped[str] = mapped_column(Text, default="")

    exception: Mapped[FloorException] = relationship()
    order_line: Mapped[OrderLine] = relationship()
