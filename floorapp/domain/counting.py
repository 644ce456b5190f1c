"""Cycle counts. Asking for one is idempotent per location: an open count is not asked for twice."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import events
from .models import CycleCount, Location, Product, User
from .states import CountSource, CountState

OPEN_STATES = (CountState.OPEN, CountState.COUNTING, CountState.AWAITING_APPROVAL)


def request_count(session: Session, location: Location, source: CountSource, reason: str = "", *,
                  product: Product | None = None, user: User | None = None) -> CycleCount:
    """Queue a blind count of `location` (the open one if it is already queued)."""
    existing = session.scalars(select(CycleCount).where(CycleCount.location_id == location.id,
                                                        CycleCount.state.in_(OPEN_STATES))).first()
    if existing is not None:
        return existing
    count = CycleCount(location=location, product=product, source=source, reason=reason[:200], requested_by=user)
    session.add(count)
    session.flush()
    events.record(session, "count.requested", {"count": count.id, "location": location.code, "source": source.value})
    return count
