"""The outbox survives restarts: what one process committed, `floorapp outbox-worker` (another process,
started later) delivers; and the web process can deliver in the background when configured."""
from __future__ import annotations

import subprocess
import sys
import time

from sqlalchemy import select

from floorapp import create_app
from floorapp.domain import events, webhooks
from floorapp.domain.models import OutboxMessage
from floorapp.domain.users import create_token
from tests.factories import order_payload, warehouse


def test_the_worker_command_delivers_what_an_earlier_process_committed(database_url, session, webhook_receiver,
                                                                        tmp_path):
    webhooks.subscribe(session, webhook_receiver.url, ["stock.low"], allow_internal=True)
    events.record(session, "stock.low", {"sku": "MUG-350", "on_hand": 2, "reorder_point": 10})
    session.commit()
    session.close()  # the process that made the change is gone
    env = {"PATH": "/usr/bin:/bin", "FLOORAPP_DATABASE_URL": database_url,
           "FLOORAPP_INSTANCE_PATH": str(tmp_path / "instance"), "FLOORAPP_WEBHOOKS_ALLOW_INTERNAL": "1"}
    done = subprocess.run([sys.executable, "-m", "floorapp.cli", "outbox-worker", "--once"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Attempted 1 delivery(ies)." in done.stdout
    assert [r.headers["X-Floorapp-Event"] for r in webhook_receiver.requests] == ["stock.low"]
    assert session.scalar(select(OutboxMessage.state)) == "delivered"


def test_the_web_process_can_deliver_in_the_background(database_url, tmp_path, webhook_receiver):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"), "OUTBOX_IN_PROCESS": True,
                      "WEBHOOKS_ALLOW_INTERNAL": True})
    try:
        with app.extensions["floorapp.sessionmaker"]() as session:
            warehouse(session)
            webhooks.subscribe(session, webhook_receiver.url, ["order.allocated"], allow_internal=True)
            token = create_token(session, "shop")
            session.commit()
        webhook_receiver.delay = 1  # a slow receiver: the API answers without waiting for it
        response = app.test_client().post("/api/v1/orders", json=order_payload("SO-BG"),
                                          headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201
        deadline = time.monotonic() + 30
        while not webhook_receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.headers["X-Floorapp-Event"] for r in webhook_receiver.requests] == ["order.allocated"]
    finally:
        app.extensions["floorapp.outbox_stop"].set()
        time.sleep(1.5)  # let the worker finish its last delivery before the database goes away
        app.extensions["floorapp.engine"].dispose()
