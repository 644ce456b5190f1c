"""Replenishment: keep pick faces between their min and max from bulk, and tell when stock runs low.

A pick face's level is what is free there: on hand minus what released picks will take. When the level
falls below the face's min (after a stock move out of it, or when a released wave reserves it down), one
task is made to bring it up to max (never above capacity) from the bulk location that holds the product's
earliest-expiring stock. Tasks whose face has released picks waiting are urgent: they come first in
"Get work". Separately, when a product's stock across all storage falls below its reorder point,
`stock.low` is recorded once (again only after it recovered).

The handheld task: scan from (bulk), scan item, count (scan each or type), scan to (the pick face).
"""
from __future__ import annotations

from sqlalchemy import and_, bindparam, case, func, select, tuple_
from sqlalchemy.orm import Session


from . import events, messages
from .errors import DomainError
from .flowkit import is_done, ok, refused, run_step, typed_qty
from .lookup import location_for, product_for
from .models import (
    Location, PickFace, PickTask, PickTaskLine, Product, ProductPlanning, ReplenishmentTask, Stock, User, Wave, utcnow,
)
from .scans import Outcome
from .states import FlowState, FlowStep, LocationKind, MoveReason, TaskLineState
from .stock import move

OPEN = (FlowState.OPEN, FlowState.ASSIGNED)
STORAGE = (LocationKind.PICK, LocationKind.BULK)


def _level(session: Session, face: PickFace) -> tuple[int, int]:
    """(on hand, reserved) of the face's product at the face, over all lots."""
    on_hand, reserved = session.execute(
        select(func.coalesce(func.sum(Stock.on_hand), 0), func.coalesce(func.sum(Stock.reserved), 0))
        .where(Stock.product_id == face.product_id, Stock.location_id == face.location_id)).one()
    return int(on_hand), int(reserved)


def _source(session: Session, product_id: int) -> Stock | None:
    return session.scalar(
        select(Stock).join(Stock.location)
        .where(Stock.product_id == product_id, Location.kind == LocationKind.BULK, Stock.on_hand > Stock.reserved)
        .order_by(case((Stock.expiry.is_(None), 1), else_=0), Stock.expiry, (Stock.on_hand - Stock.reserved).desc(),
                  Location.pick_sequence, Stock.id).limit(1))


def open_task_for_face(session: Session, face: PickFace) -> ReplenishmentTask | None:
    return session.scalar(select(ReplenishmentTask).where(ReplenishmentTask.pick_face_id == face.id,
                                                          ReplenishmentTask.state.in_(OPEN)).limit(1))


# A face's level and its open task in one read, built once: most picks leave the face above its min, and
# then nothing more is read or written.
_FACE_LEVEL = (
    select(PickFace.id, PickFace.min_qty, func.coalesce(func.sum(Stock.on_hand), 0).label("on_hand"),
           func.coalesce(func.sum(Stock.reserved), 0).label("reserved"),
           select(ReplenishmentTask.id).where(ReplenishmentTask.pick_face_id == PickFace.id,
                                              ReplenishmentTask.state.in_(OPEN)).limit(1).scalar_subquery()
           .label("open_task_id"))
    .outerjoin(Stock, and_(Stock.product_id == PickFace.product_id, Stock.location_id == PickFace.location_id))
    .where(PickFace.product_id == bindparam("product_id"), PickFace.location_id == bindparam("location_id"))
    .group_by(PickFace.id, PickFace.min_qty))


def check(session: Session, product: Product, location: Location) -> ReplenishmentTask | None:
    """Call after stock left `location` (a pick, a count, a move): a task when the face is below min (the
    face's open task, if it has one, either way)."""
    task = None
    face = session.execute(_FACE_LEVEL, {"product_id": product.id, "location_id": location.id}).first()
    if face is not None:
        if face.on_hand - face.reserved < face.min_qty:
            task = _replenish(session, session.get(PickFace, face.id))
        elif face.open_task_id is not None:
            task = session.get(ReplenishmentTask, face.open_task_id)
    check_low(session, product)
    return task


def _replenish(session: Session, face: PickFace) -> ReplenishmentTask | None:
    on_hand, reserved = _level(session, face)
    level = on_hand - reserved
    existing = open_task_for_face(session, face)
    if existing is not None:
        existing.urgent = existing.urgent or reserved > 0 and level < face.min_qty
        return existing
    if level >= face.min_qty:
        return None
    source = _source(session, face.product_id)
    want = min(face.max_qty - level, face.capacity - on_hand)
    if source is None or want <= 0:
        return None
    task = ReplenishmentTask(pick_face=face, from_location=source.location, lot=source.lot,
                             qty=min(want, source.on_hand - source.reserved), urgent=reserved > 0)
    session.add(task)
    session.flush()
    events.record(session, "replenishment.created",
                  {"task": task.id, "sku": face.product.sku, "from": source.location.code,
                   "to": face.location.code, "qty": task.qty, "urgent": task.urgent},
                  rooms=("board", f"zone:{face.location.zone.code}"))
    return task


def check_wave(session: Session, wave: Wave) -> list[ReplenishmentTask]:
    """After a wave is released: every pick face it reserved down below min gets a (now urgent) task."""
    pairs = session.execute(
        select(PickTaskLine.product_id, PickTaskLine.location_id).join(PickTaskLine.task)
        .where(PickTask.wave_id == wave.id, PickTaskLine.state == TaskLineState.OPEN).distinct()).all()
    tasks = []
    for product_id, location_id in pairs:
        face = session.scalar(select(PickFace).where(PickFace.product_id == product_id,
                                                     PickFace.location_id == location_id))
        if face is not None and (task := _replenish(session, face)) is not None:
            tasks.append(task)
    return tasks


_PLAN = select(ProductPlanning.id, ProductPlanning.reorder_point, ProductPlanning.low).where(
    ProductPlanning.product_id == bindparam("product_id"))
_IN_STORAGE = (select(func.coalesce(func.sum(Stock.on_hand), 0)).join(Stock.location)
               .where(Stock.product_id == bindparam("product_id"), Location.kind.in_(STORAGE)))


def check_low(session: Session, product: Product) -> bool:
    """Record `stock.low` when the product's stock in storage falls below its reorder point; True if low."""
    plan = session.execute(_PLAN, {"product_id": product.id}).first()
    if plan is None or plan.reorder_point <= 0:
        return False
    on_hand = session.scalar(_IN_STORAGE, {"product_id": product.id}) or 0
    low = on_hand < plan.reorder_point
    if low != plan.low:
        if low:
            events.record(session, "stock.low", {"sku": product.sku, "on_hand": int(on_hand),
                                                 "reorder_point": plan.reorder_point})
        session.get(ProductPlanning, plan.id).low = low
    return low


def set_reorder_point(session: Session, product: Product, reorder_point: int) -> ProductPlanning:
    plan = session.scalar(select(ProductPlanning).where(ProductPlanning.product_id == product.id))
    if plan is None:
        plan = ProductPlanning(product=product)
        session.add(plan)
    plan.reorder_point = reorder_point
    session.flush()
    return plan


def current_task(session: Session, user: User) -> ReplenishmentTask | None:
    return session.scalar(select(ReplenishmentTask).where(ReplenishmentTask.user_id == user.id,
                                                          ReplenishmentTask.state == FlowState.ASSIGNED)
                          .order_by(ReplenishmentTask.id).limit(1))


def next_task_for(session: Session, user: User, *, urgent_only: bool = False,
                  faces: set[tuple[int, int]] | None = None) -> ReplenishmentTask | None:
    """The user's unfinished replenishment, else the next open one (urgent first), now theirs; None if none.

    "Get work" asks this with urgent_only=True before handing out a pick task, so faces are filled before
    the picks that need them, and without it when there is no pick work, so faces are topped up meanwhile.
    """
    task = current_task(session, user)
    if task is not None:
        return task
    query = (select(ReplenishmentTask).join(ReplenishmentTask.pick_face).join(PickFace.location)
             .where(ReplenishmentTask.state == FlowState.OPEN, ReplenishmentTask.user_id.is_(None))
             .order_by(ReplenishmentTask.urgent.desc(), ReplenishmentTask.id).limit(1))
    if user.zone_id is not None:
        query = query.where(Location.zone_id == user.zone_id)
    if urgent_only:
        query = query.where(ReplenishmentTask.urgent.is_(True))
    if faces is not None:  # only the faces these (product, location) pairs name: the picks that wait for them
        if not faces:
            return None
        query = query.where(tuple_(PickFace.product_id, PickFace.location_id).in_(sorted(faces)))
    task = session.scalar(query.with_for_update(skip_locked=True, of=ReplenishmentTask))
    if task is None:
        return None
    task.user_id, task.state, task.step = user.id, FlowState.ASSIGNED, FlowStep.FROM
    session.flush()
    events.record(session, "replenishment.assigned", {"task": task.id, "user": user.badge},
                  rooms=("board", f"user:{user.id}"))
    return task


def prompt(task: ReplenishmentTask) -> str:
    product, face = task.pick_face.product, task.pick_face.location
    if task.step == FlowStep.FROM:
        return messages.REP_GO_TO.format(location=task.from_location.code)
    if task.step == FlowStep.ITEM:
        return messages.REP_SCAN_ITEM.format(qty=task.qty, sku=product.sku, name=product.name)
    if task.step == FlowStep.QTY:
        return messages.REP_COUNT.format(counted=task.counted, qty=task.qty, sku=product.sku)
    if task.step == FlowStep.TO:
        return messages.REP_TAKE_TO.format(qty=task.counted, sku=product.sku, location=face.code)
    return messages.REP_DONE.format(qty=task.moved, sku=product.sku, location=face.code)


def scan(session: Session, task: ReplenishmentTask, user: User, raw: str) -> Outcome:
    return run_step(session, task, user, raw,
                    {FlowStep.FROM: _at_from, FlowStep.ITEM: _at_item, FlowStep.QTY: _at_qty, FlowStep.TO: _at_to},
                    messages.REP_NOT_YOURS)


def _at_location(session: Session, scanned: str, expected: Location) -> Outcome | None:
    if scanned == expected.code:
        return None
    if location_for(session, scanned) is not None:
        return refused(messages.REP_WRONG_LOCATION.format(scanned=scanned, expected=expected.code))
    return refused(messages.NOT_A_LOCATION.format(scanned=scanned, expected=expected.code))


def _at_from(session: Session, task: ReplenishmentTask, user: User, parsed) -> Outcome:
    if (refusal := _at_location(session, parsed.text, task.from_location)) is not None:
        return refusal
    task.step = FlowStep.ITEM
    return ok(prompt(task))


def _product_refusal(session: Session, task: ReplenishmentTask, parsed) -> Outcome | None:
    product = task.pick_face.product
    scanned = product_for(session, parsed)
    if scanned is None:
        return refused(messages.NOT_FOUND.format(scanned=parsed.text, sku=product.sku, name=product.name))
    if scanned.id != product.id:
        return refused(messages.REP_WRONG_ITEM.format(scanned_sku=scanned.sku, scanned_name=scanned.name,
                                                      sku=product.sku, name=product.name))
    return None


def _count(task: ReplenishmentTask, counted: int) -> Outcome:
    if counted > task.qty:
        return refused(messages.REP_OVER.format(qty=task.qty, sku=task.pick_face.product.sku, extra=counted - task.qty))
    task.counted = counted
    task.step = FlowStep.TO if counted == task.qty else FlowStep.QTY
    return ok(prompt(task))


def _at_item(session: Session, task: ReplenishmentTask, user: User, parsed) -> Outcome:
    if (refusal := _product_refusal(session, task, parsed)) is not None:
        return refusal
    return _count(task, parsed.qty or 1)


def _at_qty(session: Session, task: ReplenishmentTask, user: User, parsed) -> Outcome:
    if is_done(parsed.text) and task.counted > 0:
        task.step = FlowStep.TO
        return ok(prompt(task))
    typed = typed_qty(parsed.text)
    if typed is not None:
        if not 1 <= typed <= task.qty:
            return refused(messages.QTY_INVALID.format(remaining=task.qty))
        return _count(task, typed)
    if (refusal := _product_refusal(session, task, parsed)) is not None:
        return refusal
    return _count(task, task.counted + (parsed.qty or 1))


def _at_to(session: Session, task: ReplenishmentTask, user: User, parsed) -> Outcome:
    face = task.pick_face
    if (refusal := _at_location(session, parsed.text, face.location)) is not None:
        return refusal
    try:
        move(session, product=face.product, qty=task.counted, reason=MoveReason.REPLENISH,
             source=task.from_location, target=face.location, lot=task.lot, user_id=user.id,
             reference=f"replenishment {task.id}")
    except DomainError as error:  # the bulk stock went elsewhere meanwhile
        return refused(error.message)
    task.moved, task.step, task.state, task.finished_at = task.counted, FlowStep.DONE, FlowState.DONE, utcnow()
    events.record(session, "replenishment.done", {"task": task.id, "sku": face.product.sku, "qty": task.moved,
                                                  "location": face.location.code, "user": user.badge},
                  rooms=("board", f"zone:{face.location.zone.code}"))
    return ok(prompt(task))


def open_tasks(session: Session) -> list[ReplenishmentTask]:
    return list(session.scalars(select(ReplenishmentTask).where(ReplenishmentTask.state.in_(OPEN))
                                .order_by(ReplenishmentTask.urgent.desc(), ReplenishmentTask.id)))
