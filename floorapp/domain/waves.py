"""Release allocated orders in a wave: pick tasks with their lines in pick-sequence order."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, contains_eager

from . import events, replenishment
from .errors import DomainError
from .models import (
    Allocation,
    Location,
    Order,
    OrderLine,
    PickTask,
    PickTaskLine,
    Stock,
    TaskTote,
    Wave,
)
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


MAX_CART_TOTES = 12


def release(session: Session, orders: list[Order], *, strategy: WaveStrategy = WaveStrategy.PIECE,
            user_id: int | None = None, totes: int = 4) -> Wave:
    """Release allocated orders in one wave of pick tasks, lines in pick-sequence order.

    piece: one task per order. batch: one task per `totes` orders, one tote per order on the cart.
    zone: one task per zone, holding every order's lines in that zone; the zone totes meet at sorting.
    """
    strategy = WaveStrategy(strategy)
    orders = list(dict.fromkeys(orders))  # an order named twice must not get a second, empty task
    if not orders:
        raise DomainError("Choose at least one allocated order to release.")
    if strategy == WaveStrategy.BATCH and not 1 <= totes <= MAX_CART_TOTES:
        raise DomainError(f"A cart holds 1 to {MAX_CART_TOTES} totes; choose how many orders per picker.")
    for order in orders:
        if order.status not in RELEASABLE:
            raise DomainError(f"Order {order.external_id} is {order.status.value} and cannot be released.")
    wave = Wave(strategy=strategy, released_by_id=user_id)
    session.add(wave)
    position = {order.id: i for i, order in enumerate(orders)}
    allocations = session.scalars(
        select(Allocation).join(Allocation.order_line).join(Allocation.stock).join(Stock.location)
        .where(OrderLine.order_id.in_(position), Allocation.released.is_(False))
        .options(contains_eager(Allocation.order_line), contains_eager(Allocation.stock).contains_eager(Stock.location))
        .order_by(Location.pick_sequence, Location.code, OrderLine.order_id, OrderLine.line_no)).all()
    allocations.sort(key=lambda a: (a.stock.location.pick_sequence, a.stock.location.code,
                                    position[a.order_line.order_id], a.order_line.line_no))
    rush = {order.id for order in orders if order.priority == "rush"}
    if strategy == WaveStrategy.PIECE:
        for order in orders:
            task = PickTask(wave=wave, order=order, priority=1 if order.id in rush else 0)
            session.add(task)
            _add_lines(task, [a for a in allocations if a.order_line.order_id == order.id])
    elif strategy == WaveStrategy.BATCH:
        for start in range(0, len(orders), totes):
            group = orders[start:start + totes]
            ids = {order.id for order in group}
            task = PickTask(wave=wave, priority=1 if ids & rush else 0)
            session.add(task)
            task.cart = [TaskTote(position=i, order=order) for i, order in enumerate(group, start=1)]
            _add_lines(task, [a for a in allocations if a.order_line.order_id in ids])
    else:
        by_zone: dict[int, list[Allocation]] = {}
        for allocation in allocations:
            by_zone.setdefault(allocation.stock.location.zone_id, []).append(allocation)
        for zone_id, zone_allocations in by_zone.items():
            ids = {a.order_line.order_id for a in zone_allocations}
            task = PickTask(wave=wave, zone_id=zone_id, priority=1 if ids & rush else 0)
            session.add(task)
            task.cart = [TaskTote(position=1)]
            _add_lines(task, zone_allocations)
    for order in orders:
        set_state(session, order, OrderState.RELEASED)
    session.flush()
    events.record(session, "wave.released", {"wave": wave.id, "strategy": strategy.value,
                                             "orders": [o.external_id for o in orders]})
    replenishment.check_wave(session, wave)  # faces this wave reserved below min are filled first
    return wave


def _add_lines(task: PickTask, allocations: list[Allocation]) -> None:
    for seq, allocation in enumerate(allocations, start=1):
        allocation.released = True
        task.lines.append(PickTaskLine(
            seq=seq, allocation=allocation, order_line_id=allocation.order_line_id,
            location_id=allocation.stock.location_id, product_id=allocation.stock.product_id,
            lot=allocation.stock.lot, qty=allocation.qty))
