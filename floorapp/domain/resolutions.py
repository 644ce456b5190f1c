"""The board's answers to exceptions that other areas own: count variances (counting), items missing at
packing (packing_shortages) and orders cancelled after picking (changes). Each is registered in the one
dispatch table of floorapp.domain.exceptions; importing this module registers them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from . import changes, counting, exceptions, packing_shortages
from .errors import DomainError
from .models import CycleCount, User
from .supervising import _check, _done


def _count(session: Session, key: str) -> CycleCount:
    source, _, raw_id = key.partition(":")
    count = (session.get(CycleCount, int(raw_id)) if source == "count"
             else counting.count_for_exception(session, exceptions.floor_exception(session, key)))
    if count is None:
        raise DomainError("No count waits behind this exception; resolve it on the count screen.")
    return count


def _count_action(action: str, label: str, run, sentence: str) -> None:
    @exceptions.resolution("count_variance", action, label)
    def resolve(session: Session, key: str, user: User, params: dict) -> str:
        _check(user)
        count = _count(session, key)
        run(session, count, user)  # closes the exception behind the count too
        _done(session, user, key, action)
        return sentence.format(location=count.location.code)


_count_action("approve", "Approve: adjust the stock", counting.approve_variance,
              "Count at {location} approved; the stock now shows what was counted.")
_count_action("recount", "Count again", counting.recount, "{location} will be counted again.")
_count_action("reject", "Reject: keep the stock figures", counting.reject_variance,
              "Count at {location} rejected; the stock figures stay.")


@exceptions.resolution("missing_at_pack", "ship_partial", "Ship partial (backorder the missing)")
def pack_ship_partial(session: Session, key: str, user: User, params: dict) -> str:
    _check(user)
    shortage = packing_shortages.ship_partial(session, exceptions.floor_exception(session, key), user)
    _done(session, user, key, "ship_partial")
    line = shortage.order_line
    return f"Order {line.order.external_id} ships without {shortage.qty} x {line.product.sku}; they are backordered."


@exceptions.resolution("missing_at_pack", "repick", "Pick the missing again")
def pack_repick(session: Session, key: str, user: User, params: dict) -> str:
    _check(user)
    task = packing_shortages.send_back_to_pick(session, exceptions.floor_exception(session, key), user)
    _done(session, user, key, "repick", task=task.id)
    return f"Pick task {task.id} made for the missing items."


@exceptions.resolution("order_cancelled", "put_back", "Put the picked goods back")
def put_back(session: Session, key: str, user: User, params: dict) -> str:
    _check(user)
    moves = changes.put_back(session, exceptions.floor_exception(session, key), user_id=user.id)
    _done(session, user, key, "put_back")
    return f"{sum(m.qty for m in moves)} units go back to their locations; the totes are free."
