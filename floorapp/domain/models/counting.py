"""Cycle counts: a location (optionally one product in it) to be counted blind."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..states import CountSource, CountState, FlowStep
from .base import Base, enum_column, utcnow
from .core import Location, Product, User


class CycleCount(Base):
    __tablename__ = "cycle_counts"
    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    state: Mapped[CountState] = mapped_column(enum_column(CountState), default=CountState.OPEN, index=True)
    source: Mapped[CountSource] = mapped_column(enum_column(CountSource))
    reason: Mapped[str] = mapped_column(String(200), default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    location: Mapped[Location] = relationship()
    product: Mapped[Product | None] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    # Counting it (issue 7): who counts, where the count stands, who decided on a variance.
    step: Mapped[FlowStep] = mapped_column(enum_column(FlowStep), default=FlowStep.LOCATION)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    exception_id: Mapped[int | None] = mapped_column(ForeignKey("exceptions.id"))
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
