"""Release allocated orders in a wave: pick tasks with their lines in pick-sequence order."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from . import events
from .errors import DomainError
from .models import Allocation, Location, Order, OrderLine, PickTask, PickTaskLine, Stock, Wave
from .orders import set_state
from .states import OrderState, WaveStrategy

RELEASABLE = (OrderState.ALLOCATED, OrderState.PARTIALLY_ALLOCATED)


def releasable_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Order).where(Order.status.in_(RELEASABLE))) or 0


def releasable_orders(session: Session, limit: int = 50) -> list[Order]:
    return list(session.scalars(
        select(Order).where(Order.status.in_(RELEASABLE))
        .order_by(case((Order.priority == "rush", 0), else_=1), Order.ship_by, Order.created_at, Order.id)
        .limit(limit)))


def release(session: Session, orders: list[Order], *, strategy: WaveStrategy = WaveStrategy.PIECE,
            user_id: int | None = None) -> Wave:
    """One pick task per order (piece picking); batch and zone strategies build on the same tasks."""
    if strategy != WaveStrategy.PIECE:
        raise DomainError(f"The {strategy.value} strategy is not available yet; release as piece.")
    orders = list(dict.fromkeys(orders))  # an order named twice must not get a second, empty task
    if not orders:
        raise DomainError("Choose at least one allocated order to release.")
    for order in orders:
        if order.status not in RELEASABLE:
            raise DomainError(f"Order {order.external_id} is {order.status.value} and cannot be released.")
    wave = Wave(strategy=strategy, released_by_id=user_id)
    session.add(wave)
    for order in orders:
        allocations = session.scalars(
            select(Allocation).join(Allocation.order_line).join(Allocation.stock).join(Stock.location)
            .where(OrderLine.order_id == order.id, Allocation.released.is_(False))
            .order_by(Location.pick_sequence, Location.code, OrderLine.line_no)).all()
        task = PickTask(wave=wave, order=order, priority=1 if order.priority == "rush" else 0)
        session.add(task)
        for seq, allocation in enumerate(allocations, start=1):
            allocation.released = True
            task.lines.append(PickTaskLine(
                seq=seq, allocation=allocation, order_line_id=allocation.order_line_id,
                location_id=allocation.stock.location_id, product_id=allocation.stock.product_id,
                lot=allocation.stock.lot, qty=allocation.qty))
        set_state(session, order, OrderState.RELEASED)
    session.flush()
    events.record(session, "wave.released", {"wave": wave.id, "orders": [o.external_id for o in orders]})
    return wave
