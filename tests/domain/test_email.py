"""Customer emails go out from the outbox through a real SMTP server (aiosmtpd), from editable templates."""
from __future__ import annotations

import pytest

from floorapp.db import make_sessionmaker
from floorapp.domain import events, notify, outbox
from floorapp.domain.errors import ValidationFailed
from floorapp.domain.models import OutboxMessage
from tests.factories import place_order, warehouse

CARTONS = [{"sscc": "003456789012345675", "carrier": "DHL", "service": "Paket", "tracking": "JJD000390007"},
           {"sscc": "003456789012345682", "carrier": "DHL", "service": "Paket", "tracking": "JJD000390014"}]


def _settings(smtp_server) -> outbox.Settings:
    return outbox.Settings(smtp_url=smtp_server.url, mail_from="Warehouse <shipping@floorapp.example>", timeout=5)


def test_shipment_email_names_every_tracking_number(engine, session, smtp_server):
    warehouse(session)
    place_order(session, "SO-MAIL", [("MUG-350", 2)])
    events.record(session, "order.shipped", {"order": "SO-MAIL", "cartons": CARTONS})
    session.commit()
    assert outbox.run_once(make_sessionmaker(engine), _settings(smtp_server)) == 1
    [mail] = smtp_server.messages
    assert mail["To"] == "erika.mustermann@example.com"
    assert mail["From"] == "Warehouse <shipping@floorapp.example>"
    assert mail["Subject"] == "Your order SO-MAIL is on its way"
    text = mail.get_content()
    assert "Hello Erika Mustermann" in text
    assert "tracking number JJD000390007" in text and "tracking number JJD000390014" in text
    assert smtp_server.envelopes[0].rcpt_tos == ["erika.mustermann@example.com"]
    session.rollback()
    assert session.get(OutboxMessage, 1).state == "delivered"


def test_backorder_email_lists_what_waits(engine, session, smtp_server):
    warehouse(session)
    place_order(session, "SO-WAIT", [("MUG-350", 1), ("THERMO-1L", 3)])
    session.commit()
    outbox.run_once(make_sessionmaker(engine), _settings(smtp_server))
    [mail] = smtp_server.messages
    assert mail["Subject"] == "Part of your order SO-WAIT is back-ordered"
    assert "3 x THERMO-1L" in mail.get_content() and "MUG-350" not in mail.get_content()


def test_an_edited_template_is_used_for_the_next_email(engine, session, smtp_server):
    warehouse(session)
    notify.save_template(session, "order.shipped", "Parcel for {{ order.customer_name }}",
                         "Track it: {{ tracking_numbers|join(' and ') }}\n")
    events.record(session, "order.shipped", {"order": place_order(session, "SO-E").external_id, "cartons": CARTONS})
    session.commit()
    outbox.run_once(make_sessionmaker(engine), _settings(smtp_server))
    [mail] = smtp_server.messages
    assert mail["Subject"] == "Parcel for Erika Mustermann"
    assert mail.get_content().strip() == "Track it: JJD000390007 and JJD000390014"


@pytest.mark.parametrize("body", ["{{ ''.__class__.__mro__[1].__subclasses__() }}", "{% for x in %}"])
def test_templates_that_break_out_of_the_sandbox_or_do_not_parse_are_refused(session, body):
    with pytest.raises(ValidationFailed, match="does not render"):
        notify.save_template(session, "order.shipped", "Hi", body)
    assert notify.template_text(session, "order.shipped")[0].startswith("Your order")


def test_without_smtp_configured_the_email_waits_and_is_retried(engine, session):
    warehouse(session)
    place_order(session, "SO-NOSMTP", [("THERMO-1L", 1)])
    session.commit()
    outbox.run_once(make_sessionmaker(engine), outbox.Settings(smtp_url=None))
    session.rollback()
    row = session.get(OutboxMessage, 1)
    assert row.state == "pending" and row.attempts == 1 and "FLOORAPP_SMTP_URL" in row.last_response


def test_a_refusing_mail_server_is_a_failed_attempt(engine, session):
    warehouse(session)
    place_order(session, "SO-X", [("THERMO-1L", 1)])
    session.commit()
    outbox.run_once(make_sessionmaker(engine), outbox.Settings(smtp_url="smtp://127.0.0.1:9", timeout=2))
    session.rollback()
    row = session.get(OutboxMessage, 1)
    assert row.state == "pending" and row.attempts == 1 and "ConnectionRefused" in row.last_response
