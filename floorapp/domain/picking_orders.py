"""An order leaves picking only when every line of it, across all its tasks, is picked (or short) and in its own tote.

picking -> picked (piece and batch: the units went straight into the order's tote),
picking -> picked -> sorted (zone: after the last unit was put to the order's tote at sorting),
released/picking -> backordered when nothing at all could be picked (it waits for stock again).
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import Order, OrderLine, PickTask, PickTaskLine, Tote, Wave
from .orders import set_state
from .states import OrderState, TaskLineState, WaveStrategy

_IN_PICKING = (OrderState.RELEASED, OrderState.PICKING)


def settle_orders(session: Session, order_ids: set[int]) -> list[Order]:
    """Move each order whose picking is complete along the road; returns the orders moved."""
    moved = []
    for order in session.scalars(select(Order).where(Order.id.in_(order_ids), Order.status.in_(_IN_PICKING))):
        pending = session.scalar(
            select(PickTaskLine.id).join(OrderLine, OrderLine.id == PickTaskLine.order_line_id)
            .where(OrderLine.order_id == order.id,
                   or_(PickTaskLine.state == TaskLineState.OPEN, PickTaskLine.sorted < PickTaskLine.picked))
            .limit(1))
        if pending is not None:
            continue
        if not any(line.picked for line in order.lines):
            set_state(session, order, OrderState.BACKORDERED)
            for tote in session.scalars(select(Tote).where(Tote.order_id == order.id)):
                tote.order_id = None  # an empty cart tote goes back to the pool
        else:
            set_state(session, order, OrderState.PICKED)
            if _was_sorted(session, order):
                set_state(session, order, OrderState.SORTED)
        moved.append(order)
    return moved


def _was_sorted(session: Session, order: Order) -> bool:
    return session.scalar(
        select(PickTaskLine.id).join(OrderLine, OrderLine.id == PickTaskLine.order_line_id)
        .join(PickTask, PickTask.id == PickTaskLine.task_id).join(Wave, Wave.id == PickTask.wave_id)
        .where(OrderLine.order_id == order.id, Wave.strategy == WaveStrategy.ZONE, PickTaskLine.picked > 0)
        .limit(1)) is not None
