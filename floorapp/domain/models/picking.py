"""Picking's own tables: the totes a task picks into, serial numbers picked, and each sorter's place at the put wall."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .core import Order, PickTask, PickTaskLine, Tote


class TaskTote(Base):
    """A tote a task picks into. Batch: one per order on the cart (position 1..n, tote scanned at the start).
    Zone: one shared tote (order_id NULL) that goes to sorting; `active` until everything in it is sorted."""

    __tablename__ = "task_totes"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("pick_tasks.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    tote_id: Mapped[int | None] = mapped_column(ForeignKey("totes.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    task: Mapped[PickTask] = relationship(back_populates="cart")
    order: Mapped[Order | None] = relationship()
    tote: Mapped[Tote | None] = relationship()


# The task's totes, loaded with the task (declared here so core.py stays untouched).
PickTask.cart = relationship(TaskTote, back_populates="task", order_by=TaskTote.position)


class PickSerial(Base):
    """One serial number picked for a task line (serial-tracked products: one per unit)."""

    __tablename__ = "pick_serials"
    __table_args__ = (UniqueConstraint("line_id", "serial"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("pick_task_lines.id"), index=True)
    serial: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    line: Mapped[PickTaskLine] = relationship()


class SortWork(Base):
    """Where one sorter is at the put wall: the tote being emptied and the item in hand (survives a dead battery)."""

    __tablename__ = "sort_work"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    tote_id: Mapped[int | None] = mapped_column(ForeignKey("totes.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("pick_task_lines.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    tote: Mapped[Tote | None] = relationship()
    line: Mapped[PickTaskLine | None] = relationship()
