"""Webhook subscribers and signed deliveries.

Each delivery is a POST of JSON `{"id", "event", "created_at", "data"}` with the headers

    Content-Type: application/json
    X-Floorapp-Event: order.shipped
    X-Floorapp-Delivery: <event id; the same for every retry and every subscriber of that event>
    X-Floorapp-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body with the subscriber's secret,
compares in constant time, and refuses a timestamp older than a few minutes (replayed requests).
Any 2xx answer counts as delivered; anything else (or no answer within the timeout) is retried.

Receivers are outside the building: a URL whose host is (or resolves to) a loopback, private, link-local,
multicast, reserved or otherwise non-public address is refused when subscribed and again at every
delivery (DNS can change after subscribing), unless the site allows internal hosts
(FLOORAPP_WEBHOOKS_ALLOW_INTERNAL=1). At delivery the check is made on the very address connected to,
so a name that resolves differently a moment later cannot slip past it; checked deliveries therefore
go direct, never through the HTTP(S)_PROXY of the environment.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import NotFound, ValidationFailed
from .models import OutboxMessage, WebhookSubscription
from .outbox import EVENTS, forget_subscribers

SIGNATURE_HEADER = "X-Floorapp-Signature"
EXCERPT = 1000


class InternalAddress(OSError):
    """The receiver's host is (or resolves to) an address inside the building's network."""


def internal_reason(host: str, address: str) -> str | None:
    """Why `address` (of `host`) is no place for a webhook, or None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) is link-local anyway
    ip = getattr(ip, "ipv4_mapped", None) or ip               # ::ffff:127.0.0.1 is 127.0.0.1
    kinds = [kind for kind, hit in (("loopback", ip.is_loopback), ("private", ip.is_private),
                                    ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                                    ("reserved", ip.is_reserved), ("unspecified", ip.is_unspecified)) if hit]
    if not kinds and ip.is_global:
        return None
    return (f"The host {host} is an internal address ({ip}, {'/'.join(kinds) or 'not public'}); webhooks go "
            "to receivers outside the building only (a site may allow internal hosts with "
            "FLOORAPP_WEBHOOKS_ALLOW_INTERNAL=1).")


def url_refusal(url: str) -> str | None:
    """At subscription: the reason the URL's host is internal, if any address it resolves to is.
    A name that does not resolve yet is let through: every delivery checks again."""
    try:
        parts = urllib.parse.urlsplit(url)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "The URL is not a valid http(s) URL."
    if not host:
        return "The URL names no host."
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return next((reason for *_, target in found if (reason := internal_reason(host, target[0]))), None)


def subscribe(session: Session, url: str, events: list[str] | tuple[str, ...], secret: str | None = None,
              *, allow_internal: bool = False) -> WebhookSubscription:
    url = (url or "").strip()
    chosen = sorted({e.strip() for e in events if e and e.strip()})
    details = []
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        details.append({"field": "url", "message": "The URL starts with http:// or https:// (at most 500 characters)."})
    elif not allow_internal and (reason := url_refusal(url)):
        details.append({"field": "url", "message": reason})
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


def _public_connection(address: tuple[str, int], timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """socket.create_connection, refusing internal addresses: the address checked is the one connected to."""
    host, port = address
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)  # resolved once: checked, then used
    for info in found:
        if reason := internal_reason(host, info[4][0]):
            raise InternalAddress(reason)
    last: OSError = OSError(f"{host} did not resolve")
    for family, kind, proto, _, target in found:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(target)
            return sock
        except OSError as error:
            sock.close()
            last = error
    raise last


class _PublicHTTP(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPS(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection  # TLS is then wrapped for the URL's host name


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTP, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PublicHTTPS, req, context=self._context)


_opener = urllib.request.build_opener(_NoRedirect)  # internal hosts allowed: as the environment routes it
_public_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect,
                                             _PublicHTTPHandler, _PublicHTTPSHandler)


def send(subscription: WebhookSubscription, row: OutboxMessage, *, timeout: float = 10.0,
         allow_internal: bool = False) -> tuple[bool, int | None, str]:
    body = body_of(row)
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "floorapp-webhooks/1",
        "X-Floorapp-Event": row.event, "X-Floorapp-Delivery": row.event_id,
        SIGNATURE_HEADER: signature(subscription.secret, body, int(time.time()))})
    try:
        with (_opener if allow_internal else _public_opener).open(request, timeout=timeout) as response:
            return 200 <= response.status < 300, response.status, response.read(EXCERPT).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return False, error.code, error.read(EXCERPT).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, InternalAddress):
            return False, None, f"Not sent: {reason}"
        return False, None, f"No answer: {reason}"
