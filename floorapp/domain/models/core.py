"""The core things of the floor (DOMAIN.md): people, places, products, stock, orders, tasks, scans."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text,
    UniqueConstraint, true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..states import (
    BarcodeKind, CartonState, ExceptionKind, LocationKind, MoveReason, OrderState, PickStep,
    PrintFormat, PrintState, Role, ScanResult, TaskLineState, TaskState, Tracking, WaveStrategy,
)
from .base import Base, _enum, utcnow


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    badge: Mapped[str] = mapped_column(String(40), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"))
    active: Mapped[bool] = mapped_column(default=True)

    zone: Mapped[Zone | None] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)


class Zone(Base):
    __tablename__ = "zones"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Location(Base):
    __tablename__ = "locations"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    pick_sequence: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[LocationKind] = mapped_column(_enum(LocationKind))

    zone: Mapped[Zone] = relationship()


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    weight_g: Mapped[int] = mapped_column(default=0)
    length_mm: Mapped[int] = mapped_column(default=0)
    width_mm: Mapped[int] = mapped_column(default=0)
    height_mm: Mapped[int] = mapped_column(default=0)
    tracking: Mapped[Tracking] = mapped_column(_enum(Tracking), default=Tracking.NONE)

    barcodes: Mapped[list[Barcode]] = relationship(back_populates="product", cascade="all, delete-orphan",
                                                   order_by="Barcode.id")
    # picking: scan once and type how many (False: every unit is scanned; serial-tracked never types)
    allow_typed_qty: Mapped[bool] = mapped_column(default=True, server_default=true())


class Barcode(Base):
    __tablename__ = "barcodes"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[BarcodeKind] = mapped_column(_enum(BarcodeKind))

    product: Mapped[Product] = relationship(back_populates="barcodes")


class Stock(Base):
    """What lies at a location: derived from the move ledger, kept in the same transaction."""

    __tablename__ = "stock"
    __table_args__ = (UniqueConstraint("product_id", "location_id", "lot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    lot: Mapped[str] = mapped_column(String(40), default="")
    expiry: Mapped[dt.date | None] = mapped_column(Date)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMove(Base):
    """The ledger: on hand anywhere == the sum of the moves in minus the moves out."""

    __tablename__ = "stock_moves"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    lot: Mapped[str] = mapped_column(String(40), default="")
    expiry: Mapped[dt.date | None] = mapped_column(Date)
    qty: Mapped[int]
    reason: Mapped[MoveReason] = mapped_column(_enum(MoveReason))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reference: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(80), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_email: Mapped[str] = mapped_column(String(200), default="")
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    ship_by: Mapped[dt.date | None] = mapped_column(Date)
    carrier: Mapped[str] = mapped_column(String(40), default="", server_default="")  # requested; "" = any
    status: Mapped[OrderState] = mapped_column(_enum(OrderState), default=OrderState.RECEIVED, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                  order_by="OrderLine.line_no")
    cartons: Mapped[list[Carton]] = relationship(back_populates="order", order_by="Carton.id")


class OrderLine(Base):
    """Quantities only move forward: allocated, picked, packed, shipped never go back."""

    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    line_no: Mapped[int]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    qty: Mapped[int]
    allocated: Mapped[int] = mapped_column(default=0)
    backordered: Mapped[int] = mapped_column(default=0)
    picked: Mapped[int] = mapped_column(default=0)
    packed: Mapped[int] = mapped_column(default=0)
    shipped: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class Allocation(Base):
    """Stock reserved for an order line at one location/lot."""

    __tablename__ = "allocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    stock_id: Mapped[int] = mapped_column(ForeignKey("stock.id"))
    qty: Mapped[int]
    released: Mapped[bool] = mapped_column(default=False)

    order_line: Mapped[OrderLine] = relationship()
    stock: Mapped[Stock] = relationship()


class Wave(Base):
    __tablename__ = "waves"
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy: Mapped[WaveStrategy] = mapped_column(_enum(WaveStrategy))
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Tote(Base):
    __tablename__ = "totes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))

    order: Mapped[Order | None] = relationship()


class PickTask(Base):
    """One picker's share of a wave; it remembers where the last confirmed scan left it."""

    __tablename__ = "pick_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[TaskState] = mapped_column(_enum(TaskState), default=TaskState.OPEN, index=True)
    priority: Mapped[int] = mapped_column(default=0)
    step: Mapped[PickStep] = mapped_column(_enum(PickStep), default=PickStep.LOCATION)
    current_line_id: Mapped[int | None] = mapped_column(ForeignKey("pick_task_lines.id", use_alter=True))
    counted: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    wave: Mapped[Wave] = relationship()
    order: Mapped[Order | None] = relationship()
    user: Mapped[User | None] = relationship()
    lines: Mapped[list[PickTaskLine]] = relationship(
        back_populates="task", foreign_keys="PickTaskLine.task_id", order_by="PickTaskLine.seq")
    current_line: Mapped[PickTaskLine | None] = relationship(foreign_keys=[current_line_id], post_update=True)


class PickTaskLine(Base):
    """One location visit: pick `qty` of a product (and lot) for one order line."""

    __tablename__ = "pick_task_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("pick_tasks.id"), index=True)
    seq: Mapped[int]
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    lot: Mapped[str] = mapped_column(String(40), default="")
    qty: Mapped[int]
    picked: Mapped[int] = mapped_column(default=0)
    state: Mapped[TaskLineState] = mapped_column(_enum(TaskLineState), default=TaskLineState.OPEN)
    tote_id: Mapped[int | None] = mapped_column(ForeignKey("totes.id"))
    short: Mapped[int] = mapped_column(default=0, server_default="0")   # units that could not be picked here
    sorted: Mapped[int] = mapped_column(default=0, server_default="0")  # units in their order's own tote

    task: Mapped[PickTask] = relationship(back_populates="lines", foreign_keys=[task_id])
    allocation: Mapped[Allocation] = relationship()
    order_line: Mapped[OrderLine] = relationship()
    location: Mapped[Location] = relationship()
    product: Mapped[Product] = relationship()
    tote: Mapped[Tote | None] = relationship()


class Scan(Base):
    """Every scan, as the audit trail. `client_id` is made on the device: a replay gets the first answer."""

    __tablename__ = "scans"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    device: Mapped[str] = mapped_column(String(80), default="")
    context: Mapped[str] = mapped_column(String(80), default="")
    raw: Mapped[str] = mapped_column(String(400))
    step: Mapped[str] = mapped_column(String(20), default="")
    parsed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[ScanResult] = mapped_column(_enum(ScanResult))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class FloorException(Base):
    """Short pick, wrong item, damage, count variance: open until a supervisor resolves it."""

    __tablename__ = "exceptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ExceptionKind] = mapped_column(_enum(ExceptionKind))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    qty: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Carton(Base):
    __tablename__ = "cartons"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    box_type: Mapped[str] = mapped_column(String(40), default="")
    weight_g: Mapped[int | None]
    state: Mapped[CartonState] = mapped_column(_enum(CartonState), default=CartonState.OPEN)
    carrier: Mapped[str] = mapped_column(String(40), default="")
    service: Mapped[str] = mapped_column(String(40), default="")
    tracking_number: Mapped[str] = mapped_column(String(60), default="")
    packed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # packing (issue 5): what the scale should say, whether it said something else, where and when it went
    expected_weight_g: Mapped[int | None]
    weight_flagged: Mapped[bool] = mapped_column(default=False)
    station_code: Mapped[str] = mapped_column(String(40), default="")
    shipped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    order: Mapped[Order] = relationship(back_populates="cartons")
    lines: Mapped[list[CartonLine]] = relationship(back_populates="carton", cascade="all, delete-orphan")


class CartonLine(Base):
    __tablename__ = "carton_lines"
    __table_args__ = (UniqueConstraint("carton_id", "order_line_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    qty: Mapped[int] = mapped_column(default=0)

    carton: Mapped[Carton] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class PrintJob(Base):
    """A document on its way to a printer; never lost: an offline printer keeps it queued."""

    __tablename__ = "print_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    printer: Mapped[str] = mapped_column(String(80))
    format: Mapped[PrintFormat] = mapped_column(_enum(PrintFormat))
    document: Mapped[str] = mapped_column(String(120))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[PrintState] = mapped_column(_enum(PrintState), default=PrintState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # printing (issue 5): which station's screen follows it, when to try again, when a sender claimed it
    station_code: Mapped[str] = mapped_column(String(40), default="", index=True)
    media: Mapped[str] = mapped_column(String(20), default="")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    receipt: Mapped[str] = mapped_column(String(200), default="")

