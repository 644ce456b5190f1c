"""Webhook subscribers and signed deliveries.

Each delivery is a POST of JSON `{"id", "event", "created_at", "data"}` with the headers

    Content-Type: application/json
    X-Floorapp-Event: order.shipped
    X-Floorapp-Delivery: <event id; the same for every retry and every subscriber of that event>
    X-Floorapp-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body with the subscriber's secret,
compares in constant time, and refuses a timestamp older than a few minutes (replayed requests).
Any 2xx answer counts as delivered; anything else (or no answer within the timeout) is retried.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import NotFound, ValidationFailed
from .models import OutboxMessage, WebhookSubscription
from .outbox import EVENTS, forget_subscribers

SIGNATURE_HEADER = "X-Floorapp-Signature"
EXCERPT = 1000


def subscribe(session: Session, url: str, events: list[str] | tuple[str, ...], secret: str | None = None
              ) -> WebhookSubscription:
    url = (url or "").strip()
    chosen = sorted({e.strip() for e in events if e and e.strip()})
    details = []
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        details.append({"field": "url", "message": "The URL starts with http:// or https:// (at most 500 characters)."})
    unknown = [e for e in chosen if e not in EVENTS and e != "*"]
    if not chosen or unknown:
        details.append({"field": "events", "message": "Choose events among " + ", ".join(sorted(EVENTS)) + "."})
    if details:
        raise ValidationFailed("The subscriber was not saved.", details)
    subscription = WebhookSubscription(url=url, events=chosen, secret=secret or secrets.token_hex(32))
    session.add(subscription)
    session.flush()
    forget_subscribers(session)
    return subscription


def unsubscribe(session: Session, subscription_id: int) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound("No such subscriber.")
    subscription.active = False
    session.flush()
    forget_subscribers(session)
    return subscription


def subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def signature(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (written here for Python receivers and as the reference of the scheme)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return False
    timestamp = int(parts["t"])
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, body, timestamp), f"t={timestamp},v1={parts['v1']}")


def body_of(row: OutboxMessage) -> bytes:
    return json.dumps(row.payload, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer, not something to follow
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send(subscription: WebhookSubscription, row: OutboxMessage, *, timeout: float = 10.0
         ) -> tuple[bool, int | None, str]:
    body = body_of(row)
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "floorapp-webhooks/1",
        "X-Floorapp-Event": row.event, "X-Floorapp-Delivery": row.event_id,
        SIGNATURE_HEADER: signature(subscription.secret, body, int(time.time()))})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return 200 <= response.status < 300, response.status, response.read(EXCERPT).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return False, error.code, error.read(EXCERPT).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return False, None, f"No answer: {reason}"
