"""The outbox: integration events waiting to go out (webhooks to subscribers, emails to customers).

Rows are added by `events.record` in the same transaction as the change, so a committed change always
has its messages and a rolled-back one never has. A worker (`floorapp outbox-worker`, or a background
thread in the web process) claims due rows atomically - `FOR UPDATE SKIP LOCKED` on Postgres, `BEGIN
IMMEDIATE` on SQLite - marks them leased, delivers them outside any transaction (so a slow receiver
holds no lock and never slows a scan), then records the answer. A failed attempt is retried with
exponential backoff until MAX_ATTEMPTS; a crashed worker's lease simply runs out.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from ..db import write_intent
from .models import Order, OutboxMessage, WebhookSubscription, utcnow

log = logging.getLogger(__name__)

EVENTS = frozenset({"order.allocated", "order.backordered", "order.shipped", "order.returned",
                    "order.cancelled", "stock.low"})
EMAIL_EVENTS = frozenset({"order.shipped", "order.backordered", "order.returned"})
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
_CACHE = "outbox_subscribers"
EMAIL_HINTS = "outbox_customer_emails"  # session.info: {external id: customer email} set by a bulk import


@dataclass(frozen=True)
class Settings:
    smtp_url: str | None = None
    mail_from: str = "floorapp <noreply@localhost>"
    timeout: float = 10.0          # seconds a receiver or mail server may take to answer
    backoff_seconds: float = 30.0  # first retry after this; doubles each attempt
    max_backoff_seconds: float = 6 * 3600
    max_attempts: int = 12
    lease_seconds: float = 120.0   # a claimed row is someone's for this long (more than one delivery)
    allow_internal: bool = False   # webhooks to loopback/private/... hosts (see webhooks.py)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Settings:
        return cls(smtp_url=config.get("SMTP_URL"), mail_from=config.get("MAIL_FROM") or cls.mail_from,
                   timeout=float(config.get("OUTBOX_TIMEOUT", cls.timeout)),
                   backoff_seconds=float(config.get("OUTBOX_BACKOFF_SECONDS", cls.backoff_seconds)),
                   allow_internal=bool(config.get("WEBHOOKS_ALLOW_INTERNAL", False)))


def _subscribers(session: Session) -> list[tuple[int, str, frozenset[str]]]:
    """Active subscribers, read once per transaction (a 50,000-line import asks once, not per order)."""
    transaction = session.get_transaction()
    cached = session.info.get(_CACHE)
    if cached is None or cached[0] is not transaction:
        rows = session.execute(select(WebhookSubscription.id, WebhookSubscription.url, WebhookSubscription.events)
                               .where(WebhookSubscription.active.is_(True))).all()
        cached = (transaction, [(sid, url, frozenset(events or ())) for sid, url, events in rows])
        session.info[_CACHE] = cached
    return cached[1]


def forget_subscribers(session: Session) -> None:
    session.info.pop(_CACHE, None)


def _customer_email(session: Session, external_id: Any) -> str | None:
    if not isinstance(external_id, str) or not external_id:
        return None
    known = session.info.get(EMAIL_HINTS, {})  # an import knows its orders' emails: no query per order
    if external_id in known:
        return known[external_id] or None
    pending = next((o for o in session.new if isinstance(o, Order) and o.external_id == external_id), None)
    if pending is not None:
        return pending.customer_email or None
    return session.scalar(select(Order.customer_email).where(Order.external_id == external_id)) or None


def enqueue(session: Session, name: str, data: dict[str, Any]) -> list[OutboxMessage]:
    """One row per subscriber of `name`, and one per customer email for EMAIL_EVENTS."""
    with session.no_autoflush:  # record() may be called half-way through a change: flush nothing early
        subscribers = [(sid, url) for sid, url, events in _subscribers(session) if name in events or "*" in events]
        email = _customer_email(session, data.get("order")) if name in EMAIL_EVENTS else None
    if not subscribers and not email:
        return []
    body = {"id": str(uuid.uuid4()), "event": name, "created_at": utcnow().isoformat(timespec="seconds") + "Z",
            "data": json.loads(json.dumps(data, default=str))}
    rows = [OutboxMessage(event_id=body["id"], event=name, payload=body, channel="webhook", subscription_id=sid,
                          recipient=url) for sid, url in subscribers]
    if email:
        rows.append(OutboxMessage(event_id=body["id"], event=name, payload=body, channel="email",
                                      recipient=email))
    session.add_all(rows)
    return rows


def backoff(settings: Settings, attempts: int) -> dt.timedelta:
    """After the n-th failed attempt: base, 2 x base, 4 x base, ... capped."""
    return dt.timedelta(seconds=min(settings.backoff_seconds * 2 ** max(attempts - 1, 0),
                                    settings.max_backoff_seconds))


def claim(session: Session, *, now: dt.datetime | None = None, limit: int = 20,
          lease_seconds: float = 120.0) -> list[OutboxMessage]:
    """Take up to `limit` due rows for this worker and commit the lease; no two workers get the same row."""
    now = now or utcnow()
    query = (select(OutboxMessage)
             .where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now))
             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    token = write_intent.set(True)  # SQLite: BEGIN IMMEDIATE, the claim holds the write lock from the start
    try:
        rows = list(session.scalars(query))
        for row in rows:
            row.locked_until = now + dt.timedelta(seconds=lease_seconds)
        session.commit()
    finally:
        write_intent.reset(token)
    return rows


def record_attempt(session: Session, row: OutboxMessage, settings: Settings, ok: bool, status: int | None,
                   response: str, *, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    row.attempts += 1
    row.last_attempt_at = now
    row.last_status = status
    row.last_response = (response or "")[:2000]
    row.locked_until = None
    if ok:
        row.state, row.delivered_at = DELIVERED, now
    elif row.attempts >= settings.max_attempts:
        row.state = FAILED
    else:
        row.next_attempt_at = now + backoff(settings, row.attempts)


def deliver(session: Session, row: OutboxMessage, settings: Settings) -> tuple[bool, int | None, str]:
    """Send one row; (ok, status, response excerpt). Never raises for a receiver's fault."""
    from . import notify, webhooks
    if row.channel == "webhook":
        subscription = session.get(WebhookSubscription, row.subscription_id) if row.subscription_id else None
        if subscription is None or not subscription.active:
            return False, None, "The subscriber was removed."
        return webhooks.send(subscription, row, timeout=settings.timeout, allow_internal=settings.allow_internal)
    if row.channel == "email":
        return notify.send_for(session, row, settings)
    return False, None, f"Unknown channel {row.channel}."


def run_once(make_session: sessionmaker[Session], settings: Settings, *, now: dt.datetime | None = None,
             limit: int = 20) -> int:
    """Claim due rows and deliver them; returns how many were attempted."""
    with make_session() as session:
        rows = claim(session, now=now, limit=limit, lease_seconds=settings.lease_seconds)
        for row in rows:
            try:
                ok, status, response = deliver(session, row, settings)
            except Exception as error:  # a bad template or a bug must not stop the worker
                log.exception("outbox row %s", row.id)
                ok, status, response = False, None, f"{type(error).__name__}: {error}"
            token = write_intent.set(True)  # SQLite: the write below takes the lock at BEGIN, not half-way
            try:
                session.rollback()  # end whatever the delivery read; the row is read afresh, then written
                record_attempt(session, row, settings, ok, status, response, now=now)
                session.commit()
            finally:
                write_intent.reset(token)
        return len(rows)


def run_forever(make_session: sessionmaker[Session], settings: Settings, stop: threading.Event,
                idle_seconds: float = 1.0, on_batch=None) -> None:
    """The worker loop: deliver while there is work, then wait a little (or until `stop` is set)."""
    while not stop.is_set():
        try:
            attempted = run_once(make_session, settings)
        except Exception:  # the database went away: wait and try again
            log.exception("outbox worker")
            attempted = 0
        if on_batch and attempted:
            on_batch(attempted)
        if not attempted:
            stop.wait(idle_seconds)


def replay(session: Session, row_id: int) -> OutboxMessage:
    """Send a row again now (a delivered one once more, a failed one with one more try)."""
    from .errors import NotFound
    row = session.get(OutboxMessage, row_id)
    if row is None:
        raise NotFound("No such delivery.")
    row.state, row.next_attempt_at, row.locked_until = PENDING, utcnow(), None
    if row.attempts >= Settings.max_attempts:
        row.attempts = Settings.max_attempts - 1
    return row


def recent(session: Session, *, state: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if state:
        query = query.where(OutboxMessage.state == state)
    return list(session.scalars(query))
