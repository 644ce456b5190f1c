"""Where goods go: pick faces with their capacity, min and max, and the put-away proposal.

The proposal: the product's pick face when the whole quantity fits under its capacity; else a bulk
location in the pick face's zone (one already holding the product first, then an empty one, then any);
else any bulk location (holding the product, then empty, then any: bulk may mix products).
The person may put away elsewhere when the location is
storage (pick or bulk), holds no other product (bulk may mix) and, for a pick face, has room.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import messages
from .errors import DomainError, ValidationFailed
from .lookup import location_for
from .models import Location, PickFace, Product, Stock
from .states import LocationKind

STORAGE = (LocationKind.PICK, LocationKind.BULK)


def on_hand_at(session: Session, product: Product, location: Location) -> int:
    return session.scalar(select(func.coalesce(func.sum(Stock.on_hand), 0))
                          .where(Stock.product_id == product.id, Stock.location_id == location.id)) or 0


def faces_of(session: Session, product: Product) -> list[PickFace]:
    return list(session.scalars(select(PickFace).join(PickFace.location).where(PickFace.product_id == product.id)
                                .order_by(Location.pick_sequence, Location.id)))


def face_at(session: Session, product: Product, location: Location) -> PickFace | None:
    return session.scalar(select(PickFace).where(PickFace.product_id == product.id,
                                                 PickFace.location_id == location.id))


def set_face(session: Session, product: Product, location: Location, *, capacity: int, min_qty: int,
             max_qty: int) -> PickFace:
    """Create or change a pick face; 0 <= min < max <= capacity."""
    if location.kind != LocationKind.PICK:
        raise ValidationFailed(f"{location.code} is not a pick location.")
    if not 0 <= min_qty < max_qty <= capacity:
        raise ValidationFailed("A pick face needs 0 <= min < max <= capacity.")
    face = face_at(session, product, location)
    if face is None:
        face = PickFace(product=product, location=location, capacity=capacity, min_qty=min_qty, max_qty=max_qty)
        session.add(face)
    else:
        face.capacity, face.min_qty, face.max_qty = capacity, min_qty, max_qty
    session.flush()
    return face


def _others_at(session: Session, product: Product, location: Location) -> bool:
    """Does the location hold (or is it the pick face of) another product?"""
    stock = session.scalar(select(Stock.id).where(Stock.location_id == location.id, Stock.product_id != product.id,
                                                  Stock.on_hand > 0).limit(1))
    face = session.scalar(select(PickFace.id).where(PickFace.location_id == location.id,
                                                    PickFace.product_id != product.id).limit(1))
    return stock is not None or face is not None


def _bulk(session: Session, product: Product, zone_id: int | None) -> Location | None:
    holding = select(Stock.location_id).where(Stock.product_id == product.id, Stock.on_hand > 0)
    empty = ~Location.id.in_(select(Stock.location_id).where(Stock.on_hand > 0))
    for zone_filter in ((Location.zone_id == zone_id,) if zone_id else ()) + (Location.id > 0,):
        for kind_filter in (Location.id.in_(holding), empty, Location.id > 0):
            found = session.scalar(select(Location).where(Location.kind == LocationKind.BULK, zone_filter, kind_filter)
                                   .order_by(Location.pick_sequence, Location.id).limit(1))
            if found is not None:
                return found
    return None


def propose(session: Session, product: Product, qty: int) -> Location:
    """The location to put `qty` of a product away to (see the module's rule)."""
    faces = faces_of(session, product)
    for face in faces:
        if on_hand_at(session, product, face.location) + qty <= face.capacity:
            return face.location
    location = _bulk(session, product, faces[0].location.zone_id if faces else None)
    if location is None:
        raise DomainError(messages.PUT_NOWHERE.format(qty=qty, sku=product.sku))
    return location


def refusal(session: Session, product: Product, qty: int, scanned: str, proposed: Location) -> tuple[str | None,
                                                                                                     Location | None]:
    """(why the scanned location is refused, or None) and the location it names."""
    if scanned == proposed.code:
        return None, proposed
    location = location_for(session, scanned)
    if location is None:
        return messages.PUT_NOT_A_LOCATION.format(scanned=scanned, expected=proposed.code), None
    if location.kind not in STORAGE:
        return messages.PUT_NOT_STORAGE.format(scanned=scanned, kind=location.kind.value,
                                               expected=proposed.code), location
    if location.kind == LocationKind.PICK and _others_at(session, product, location):
        return messages.PUT_OTHER_GOODS.format(scanned=scanned, expected=proposed.code), location
    face = face_at(session, product, location)
    if face is not None and on_hand_at(session, product, location) + qty > face.capacity:
        return messages.PUT_NO_ROOM.format(scanned=scanned, qty=qty, sku=product.sku, expected=proposed.code), location
    return None, location
