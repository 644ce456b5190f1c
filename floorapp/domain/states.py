"""States, kinds and reasons of the floor, and which state may follow which.

An order only moves along the road of DOMAIN.md; anything else is a domain error.
"""
from __future__ import annotations

import enum

from .errors import DomainError


class Role(str, enum.Enum):
    PICKER = "picker"
    PACKER = "packer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Tracking(str, enum.Enum):
    NONE = "none"
    LOT = "lot"
    SERIAL = "serial"


class LocationKind(str, enum.Enum):
    PICK = "pick"
    BULK = "bulk"
    PACK = "pack"
    SHIP = "ship"
    RETURNS = "returns"
    QUARANTINE = "quarantine"
    RECEIVING = "receiving"  # the dock where counted goods wait for put-away


class BarcodeKind(str, enum.Enum):
    GTIN13 = "gtin13"
    UPCA = "upca"
    EAN8 = "ean8"
    CODE128 = "code128"


class OrderState(str, enum.Enum):
    RECEIVED = "received"
    REJECTED = "rejected"
    ALLOCATED = "allocated"
    PARTIALLY_ALLOCATED = "partially_allocated"
    BACKORDERED = "backordered"
    RELEASED = "released"
    PICKING = "picking"
    PICKED = "picked"
    SORTED = "sorted"
    PACKING = "packing"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


_O = OrderState
ORDER_TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    _O.RECEIVED: frozenset({_O.ALLOCATED, _O.PARTIALLY_ALLOCATED, _O.BACKORDERED, _O.REJECTED, _O.CANCELLED}),
    _O.BACKORDERED: frozenset({_O.ALLOCATED, _O.PARTIALLY_ALLOCATED, _O.CANCELLED}),
    _O.PARTIALLY_ALLOCATED: frozenset({_O.ALLOCATED, _O.RELEASED, _O.CANCELLED}),
    _O.ALLOCATED: frozenset({_O.RELEASED, _O.CANCELLED}),
    _O.RELEASED: frozenset({_O.PICKING, _O.CANCELLED}),
    _O.PICKING: frozenset({_O.PICKED, _O.CANCELLED}),
    _O.PICKED: frozenset({_O.SORTED, _O.PACKING, _O.CANCELLED}),
    _O.SORTED: frozenset({_O.PACKING, _O.CANCELLED}),
    _O.PACKING: frozenset({_O.PACKED, _O.CANCELLED}),
    _O.PACKED: frozenset({_O.SHIPPED, _O.PACKING, _O.CANCELLED}),
    _O.SHIPPED: frozenset({_O.DELIVERED, _O.RETURNED}),
    _O.DELIVERED: frozenset({_O.RETURNED}),
    _O.REJECTED: frozenset(),
    _O.CANCELLED: frozenset(),
    _O.RETURNED: frozenset(),
}

OPEN_ORDER_STATES = frozenset(set(OrderState) - {_O.SHIPPED, _O.DELIVERED, _O.CANCELLED, _O.REJECTED, _O.RETURNED})


class IllegalTransition(DomainError):
    code = "illegal_transition"


def check_order_transition(current: OrderState, new: OrderState) -> None:
    if new not in ORDER_TRANSITIONS[current]:
        raise IllegalTransition(f"An order that is {current.value} cannot become {new.value}.")


class WaveStrategy(str, enum.Enum):
    PIECE = "piece"
    BATCH = "batch"
    ZONE = "zone"


class TaskState(str, enum.Enum):
    OPEN = "open"          # released, nobody has it yet
    ASSIGNED = "assigned"  # a picker has it
    PAUSED = "paused"      # a supervisor stopped it; its picker's scans are refused until it is resumed
    DONE = "done"


class PickStep(str, enum.Enum):
    LOCATION = "location"
    PRODUCT = "product"
    QTY = "qty"
    TOTE = "tote"
    DONE = "done"
    CART = "cart"      # batch: scan one empty tote per order onto the cart before the first location
    LOT = "lot"        # a lot-tracked item scanned without its lot: scan the lot number
    SERIAL = "serial"  # a serial-tracked item scanned without its serial: scan the serial number


class TaskLineState(str, enum.Enum):
    OPEN = "open"
    PICKED = "picked"
    SHORT = "short"
    CANCELLED = "cancelled"  # the order was cancelled before this line was picked


class CartonState(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"
    SHIPPED = "shipped"


class ScanResult(str, enum.Enum):
    OK = "ok"
    REFUSED = "refused"


class ExceptionKind(str, enum.Enum):
    SHORT_PICK = "short_pick"
    WRONG_ITEM = "wrong_item"
    DAMAGE = "damage"
    COUNT_VARIANCE = "count_variance"
    MISSING_AT_PACK = "missing_at_pack"
    ORDER_CANCELLED = "order_cancelled"  # cancelled after picking began: picked goods go back to stock


class PrintFormat(str, enum.Enum):
    PDF = "pdf"
    ZPL = "zpl"


class PrintState(str, enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SENDING = "sending"   # claimed by one sender; never sent twice


class MoveReason(str, enum.Enum):
    RECEIPT = "receipt"
    PICK = "pick"
    SHIP = "ship"
    ADJUST = "adjust"
    RETURN = "return"
    TRANSFER = "transfer"
    PUTAWAY = "putaway"
    COUNT = "count"
    SCRAP = "scrap"
    REPLENISH = "replenish"


class CountState(str, enum.Enum):
    """A cycle count: asked for, being counted, waiting for a supervisor (variance), done, or called off."""
    OPEN = "open"
    COUNTING = "counting"
    AWAITING_APPROVAL = "awaiting_approval"
    DONE = "done"
    CANCELLED = "cancelled"


class CountSource(str, enum.Enum):
    """Why a count was asked for."""
    SUPERVISOR = "supervisor"
    SHORT_PICK = "short_pick"
    SCHEDULE = "schedule"


# Receiving, put-away, returns, counts, replenishment (issue 7, floor flows)
class FlowStep(str, enum.Enum):
    """Where a receiving, returns, count or replenishment session stands; the screen shows `_<step>.html`."""
    RECEIPT = "receipt"          # receiving: scan the expected receipt (or go blind)
    PRODUCT = "product"          # scan the product
    LOT = "lot"                  # a lot-tracked product came without a lot: scan or type it
    QTY = "qty"                  # count: scan each, or type how many
    LOCATION = "location"        # scan the (proposed) location
    ORDER = "order"              # returns: scan the packing-slip QR or type the order number
    ITEM = "item"                # returns / counts: scan an item
    REASON = "reason"            # returns: why it came back
    DISPOSITION = "disposition"  # returns: restock, quarantine or scrap
    FROM = "from"                # replenishment: scan the bulk location
    TO = "to"                    # replenishment: scan the pick face
    DONE = "done"


class FlowState(str, enum.Enum):
    OPEN = "open"
    ASSIGNED = "assigned"
    DONE = "done"
    CANCELLED = "cancelled"


class ReturnReason(str, enum.Enum):
    NOT_WANTED = "not_wanted"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"
    WRONG_ITEM = "wrong_item"


class Disposition(str, enum.Enum):
    RESTOCK = "restock"
    QUARANTINE = "quarantine"
    SCRAP = "scrap"
# Picking (issue 3): why a picker could not pick; an order whose every unit was short waits as a backorder again.
class ShortReason(str, enum.Enum):
    EMPTY = "empty"
    DAMAGED = "damaged"
    CANT_FIND = "cant_find"


ORDER_TRANSITIONS[_O.RELEASED] = ORDER_TRANSITIONS[_O.RELEASED] | {_O.BACKORDERED}
ORDER_TRANSITIONS[_O.PICKING] = ORDER_TRANSITIONS[_O.PICKING] | {_O.BACKORDERED}
