"""Webhooks reach a real HTTP receiver, signed; a 500 is retried with backoff until it is accepted."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest

from floorapp.domain import events, outbox, webhooks
from floorapp.domain.errors import ValidationFailed
from floorapp.domain.models import OutboxMessage, WebhookSubscription
from tests.factories import place_order, warehouse

FAST = outbox.Settings(timeout=5, backoff_seconds=60, allow_internal=True)  # the receiver is on 127.0.0.1


def _check_signature(secret: str, received) -> dict:
    """What an integrator's receiver does, written out independently of floorapp's own helper."""
    parts = dict(item.split("=", 1) for item in received.headers["X-Floorapp-Signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]), "signature does not match the body"
    return json.loads(received.body)


def test_a_delivery_answered_500_is_retried_later_and_then_accepted(engine, session, webhook_receiver):
    from floorapp.db import make_sessionmaker
    warehouse(session)
    hook = webhooks.subscribe(session, webhook_receiver.url, ["order.allocated"], allow_internal=True)
    place_order(session, "SO-HOOK", [("MUG-350", 2)])
    session.commit()
    webhook_receiver.answers = [500]
    make = make_sessionmaker(engine)

    assert outbox.run_once(make, FAST) == 1
    row = session.get(OutboxMessage, 1)
    session.rollback()  # end the test's read snapshot: see what the worker committed
    session.refresh(row)
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 500)
    assert "temporarily broken" in row.last_response
    assert row.next_attempt_at >= row.last_attempt_at + dt.timedelta(seconds=59)
    assert outbox.run_once(make, FAST) == 0  # not due yet: the receiver gets its breather

    assert outbox.run_once(make, FAST, now=row.next_attempt_at + dt.timedelta(seconds=1)) == 1
    session.rollback()  # end the test's read snapshot: see what the worker committed
    session.refresh(row)
    assert (row.state, row.attempts, row.last_status) == ("delivered", 2, 200)
    first, second = webhook_receiver.requests
    assert first.headers["X-Floorapp-Delivery"] == second.headers["X-Floorapp-Delivery"] == row.event_id
    assert second.headers["X-Floorapp-Event"] == "order.allocated" and second.path == "/hooks/floorapp"
    body = _check_signature(hook.secret, second)
    assert body["event"] == "order.allocated" and body["data"]["order"] == "SO-HOOK"
    assert body["data"]["lines"] == [{"sku": "MUG-350", "qty": 2, "allocated": 2}]
    assert webhooks.verify(hook.secret, second.headers["X-Floorapp-Signature"], second.body)
    assert not webhooks.verify("another secret", second.headers["X-Floorapp-Signature"], second.body)


def test_shipped_event_carries_cartons_and_tracking_numbers(engine, session, webhook_receiver):
    from floorapp.db import make_sessionmaker
    warehouse(session)
    hook = webhooks.subscribe(session, webhook_receiver.url, ["order.shipped"], allow_internal=True)
    cartons = [{"sscc": "003456789012345675", "carrier": "DHL", "service": "Paket", "tracking": "JJD000390007"}]
    events.record(session, "order.shipped", {"order": "SO-9", "cartons": cartons})  # as shipping records it
    session.commit()
    assert outbox.run_once(make_sessionmaker(engine), FAST) == 1
    body = _check_signature(hook.secret, webhook_receiver.requests[0])
    assert body["data"] == {"order": "SO-9", "cartons": cartons}


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(engine, session, webhook_receiver):
    from floorapp.db import make_sessionmaker
    webhooks.subscribe(session, webhook_receiver.url, ["stock.low"], allow_internal=True)
    events.record(session, "stock.low", {"sku": "MUG-350", "on_hand": 1, "reorder_point": 5})
    session.commit()
    webhook_receiver.delay = 3
    outbox.run_once(make_sessionmaker(engine), outbox.Settings(timeout=0.5, allow_internal=True))
    row = session.get(OutboxMessage, 1)
    session.rollback()  # end the test's read snapshot: see what the worker committed
    session.refresh(row)
    assert row.state == "pending" and row.attempts == 1 and row.last_status is None
    assert "No answer" in row.last_response


def test_a_removed_subscriber_gets_nothing_and_a_replay_sends_again(engine, session, webhook_receiver):
    from floorapp.db import make_sessionmaker
    make = make_sessionmaker(engine)
    hook = webhooks.subscribe(session, webhook_receiver.url, ["stock.low"], allow_internal=True)
    events.record(session, "stock.low", {"sku": "MUG-350", "on_hand": 1, "reorder_point": 5})
    session.commit()
    outbox.run_once(make, FAST)
    outbox.replay(session, 1)
    session.commit()
    outbox.run_once(make, FAST)
    assert len(webhook_receiver.requests) == 2
    webhooks.unsubscribe(session, hook.id)
    events.record(session, "stock.low", {"sku": "MUG-350", "on_hand": 0, "reorder_point": 5})
    session.commit()
    assert outbox.run_once(make, FAST) == 0 and len(webhook_receiver.requests) == 2


def test_subscribing_checks_url_and_events(session):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.subscribe(session, "ftp://x", ["order.exploded"])
    assert {d["field"] for d in refused.value.details} == {"url", "events"}


@pytest.mark.parametrize("url, kind", [
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://localhost/hook", "loopback"),
    ("https://[::1]/hook", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://10.0.0.5/hook", "private"),
    ("http://192.168.1.20:8069/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),   # the cloud's instance metadata
    ("http://224.0.0.1/hook", "multicast"),
    ("http://240.0.0.1/hook", "reserved"),
    ("http://0.0.0.0:5000/hook", "unspecified"),
])
def test_an_internal_receiver_is_refused_when_subscribing(session, url, kind):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.subscribe(session, url, ["stock.low"])
    (detail,) = refused.value.details
    assert detail["field"] == "url" and "is an internal address" in detail["message"] and kind in detail["message"]
    assert "FLOORAPP_WEBHOOKS_ALLOW_INTERNAL" in detail["message"]
    assert webhooks.subscriptions(session) == []
    assert webhooks.subscribe(session, url, ["stock.low"], allow_internal=True).url == url  # the site allows it


def test_a_public_receiver_is_accepted(session):
    assert webhooks.subscribe(session, "https://93.184.215.14/hooks/floorapp", ["stock.low"]).id


def test_a_receiver_that_has_become_internal_since_subscribing_gets_nothing(engine, session, webhook_receiver):
    """DNS can change after subscribing: the delivery checks the address it connects to, again."""
    from floorapp.db import make_sessionmaker
    # Saved as it was when the name still resolved to a public address (the receiver listens on 127.0.0.1).
    session.add(WebhookSubscription(url=webhook_receiver.url, events=["stock.low"], secret="s"))
    session.flush()
    events.record(session, "stock.low", {"sku": "MUG-350", "on_hand": 1, "reorder_point": 5})
    session.commit()
    assert outbox.run_once(make_sessionmaker(engine), outbox.Settings(timeout=5)) == 1
    row = session.get(OutboxMessage, 1)
    session.rollback()  # end the test's read snapshot: see what the worker committed
    session.refresh(row)
    assert webhook_receiver.requests == []
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, None)
    assert row.last_response.startswith("Not sent: The host 127.0.0.1 is an internal address (127.0.0.1, loopback")
