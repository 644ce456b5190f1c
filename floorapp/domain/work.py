""""Get work": what a picker does next. The next pick task is taken; when a pick face on its route holds
less than the task will take from it and a replenishment for that face is open, the replenishment is done
first and the pick task waits for it. With no pick work, any open replenishment tops up a face meanwhile."""
from __future__ import annotations

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from . import picking, replenishment
from .errors import DomainError
from .models import PickTask, ReplenishmentTask, Stock, User
from .states import TaskLineState


def current(session: Session, user: User) -> PickTask | ReplenishmentTask | None:
    """The work this person already holds: a replenishment first, then the pick task that waits for it."""
    return replenishment.current_task(session, user) or picking.current_task(session, user)


def next_work(session: Session, user: User) -> PickTask | ReplenishmentTask:
    held = current(session, user)
    if held is not None:
        return held
    try:
        task = picking.take_next_task(session, user)
    except DomainError:
        meanwhile = replenishment.next_task_for(session, user)
        if meanwhile is not None:
            return meanwhile
        raise
    first = replenishment.next_task_for(session, user, faces=_short_faces(session, task))
    return first or task


def _short_faces(session: Session, task: PickTask) -> set[tuple[int, int]]:
    """The (product, location) pairs on the task's route that hold less than the task will pick there."""
    needed: dict[tuple[int, int], int] = {}
    for line in task.lines:
        if line.state == TaskLineState.OPEN:
            key = (line.product_id, line.location_id)
            needed[key] = needed.get(key, 0) + line.qty - line.picked
    if not needed:
        return set()
    on_hand = {(product_id, location_id): qty for product_id, location_id, qty in session.execute(
        select(Stock.product_id, Stock.location_id, func.sum(Stock.on_hand))
        .where(tuple_(Stock.product_id, Stock.location_id).in_(sorted(needed)))
        .group_by(Stock.product_id, Stock.location_id))}
    return {key for key, qty in needed.items() if on_hand.get(key, 0) < qty}
