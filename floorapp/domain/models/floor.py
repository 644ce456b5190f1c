"""Tables of the inbound and after-sales floor flows: pick faces and their levels, expected receipts,
receiving, returns, count lines and replenishment tasks. Each session-like flow remembers its step, so
a scan on another device carries on where the last one left it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..states import Disposition, FlowState, FlowStep, ReturnReason
from .base import Base, enum_column, utcnow
from .core import Location, Order, OrderLine, Product, User
from .counting import CycleCount


class PickFace(Base):
    """A product's home bin: how many fit (capacity), when to top it up (below min) and up to what (max)."""

    __tablename__ = "pick_faces"
    __table_args__ = (UniqueConstraint("product_id", "location_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    capacity: Mapped[int]
    min_qty: Mapped[int]
    max_qty: Mapped[int]

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()


class ProductPlanning(Base):
    """Per product: the warehouse-wide reorder point (stock.low below it) and its ABC class for counting."""

    __tablename__ = "product_planning"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), unique=True)
    reorder_point: Mapped[int] = mapped_column(default=0)
    abc_class: Mapped[str] = mapped_column(String(1), default="")
    low: Mapped[bool] = mapped_column(default=False)  # stock.low was raised and stock has not recovered since

    product: Mapped[Product] = relationship()


class ExpectedReceipt(Base):
    """An advance shipping notice: what a supplier says is on its way (POST /api/v1/receipts, expected)."""

    __tablename__ = "expected_receipts"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    supplier: Mapped[str] = mapped_column(String(200), default="")
    payload_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[FlowState] = mapped_column(enum_column(FlowState), default=FlowState.OPEN, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    lines: Mapped[list[ExpectedReceiptLine]] = relationship(back_populates="receipt", cascade="all, delete-orphan",
                                                            order_by="ExpectedReceiptLine.line_no")


class ExpectedReceiptLine(Base):
    __tablename__ = "expected_receipt_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("expected_receipts.id"), index=True)
    line_no: Mapped[int]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    lot: Mapped[str] = mapped_column(String(40), default="")
    qty: Mapped[int]
    received: Mapped[int] = mapped_column(default=0)

    receipt: Mapped[ExpectedReceipt] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class ReceivingTask(Base):
    """One receiver's session at the dock: scan product, count, put away, next product ..."""

    __tablename__ = "receiving_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("expected_receipts.id"))
    state: Mapped[FlowState] = mapped_column(enum_column(FlowState), default=FlowState.ASSIGNED, index=True)
    step: Mapped[FlowStep] = mapped_column(enum_column(FlowStep), default=FlowStep.PRODUCT)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    lot: Mapped[str] = mapped_column(String(40), default="")
    expiry: Mapped[dt.date | None] = mapped_column(Date)
    counted: Mapped[int] = mapped_column(default=0)
    proposed_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    put_away: Mapped[int] = mapped_column(default=0)  # units put away in this session
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
    receipt: Mapped[ExpectedReceipt | None] = relationship()
    product: Mapped[Product | None] = relationship()
    proposed: Mapped[Location | None] = relationship()


class ReturnTask(Base):
    """One return being booked: the order, then item by item a reason, a disposition and where it went."""

    __tablename__ = "return_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    state: Mapped[FlowState] = mapped_column(enum_column(FlowState), default=FlowState.ASSIGNED, index=True)
    step: Mapped[FlowStep] = mapped_column(enum_column(FlowStep), default=FlowStep.ORDER)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    lot: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[ReturnReason | None] = mapped_column(enum_column(ReturnReason))
    disposition: Mapped[Disposition | None] = mapped_column(enum_column(Disposition))
    proposed_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
    order: Mapped[Order | None] = relationship()
    order_line: Mapped[OrderLine | None] = relationship()
    proposed: Mapped[Location | None] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(back_populates="task", order_by="ReturnLine.id")


class ReturnLine(Base):
    """What came back of an order line: how many, why, and what became of it."""

    __tablename__ = "return_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("return_tasks.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    lot: Mapped[str] = mapped_column(String(40), default="")
    qty: Mapped[int]
    reason: Mapped[ReturnReason] = mapped_column(enum_column(ReturnReason))
    disposition: Mapped[Disposition] = mapped_column(enum_column(Disposition))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    task: Mapped[ReturnTask] = relationship(back_populates="lines")
    # Order.returned_lines: loaded on access only (returns_json reads it for returned orders alone), so the
    # scan paths that load orders pay nothing for it
    order: Mapped[Order] = relationship(backref=backref("returned_lines", order_by="ReturnLine.id"))
    order_line: Mapped[OrderLine] = relationship()
    product: Mapped[Product] = relationship()
    location: Mapped[Location | None] = relationship()


class CountLine(Base):
    """What the counter found of one product (and lot) at the counted location; expected is filled at the end."""

    __tablename__ = "count_lines"
    __table_args__ = (UniqueConstraint("count_id", "product_id", "lot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("cycle_counts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    lot: Mapped[str] = mapped_column(String(40), default="")
    counted: Mapped[int] = mapped_column(default=0)
    expected: Mapped[int | None]
    seq: Mapped[int] = mapped_column(default=0)  # the line scanned last is the one a typed quantity is for

    count: Mapped[CycleCount] = relationship(backref=backref("lines", order_by="CountLine.id",
                                                             cascade="all, delete-orphan"))
    product: Mapped[Product] = relationship()

    @property
    def variance(self) -> int:
        return self.counted - (self.expected or 0)


class ReplenishmentTask(Base):
    """Top a pick face up from bulk: scan from, scan item, count, scan to."""

    __tablename__ = "replenishment_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    pick_face_id: Mapped[int] = mapped_column(ForeignKey("pick_faces.id"), index=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    lot: Mapped[str] = mapped_column(String(40), default="")
    qty: Mapped[int]
    counted: Mapped[int] = mapped_column(default=0)
    moved: Mapped[int] = mapped_column(default=0)
    urgent: Mapped[bool] = mapped_column(default=False)  # released picks wait for it
    state: Mapped[FlowState] = mapped_column(enum_column(FlowState), default=FlowState.OPEN, index=True)
    step: Mapped[FlowStep] = mapped_column(enum_column(FlowStep), default=FlowStep.FROM)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    pick_face: Mapped[PickFace] = relationship()
    from_location: Mapped[Location] = relationship()
    user: Mapped[User | None] = relationship()
