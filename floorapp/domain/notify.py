"""Emails to the customer (shipment with tracking numbers, backorder, return) sent from the outbox.

Templates are plain text with a first line `Subject: ...`, rendered by Jinja's sandbox (an admin may
edit them: they can reach the values given to them and nothing else). The defaults are the files in
floorapp/templates/email/<event>.txt; an edited copy is kept in the email_templates table.

FLOORAPP_SMTP_URL: smtp://host:port (plain), smtp://user:pass@host:587?starttls=1, smtps://user:pass@host
(TLS from the start, port 465 by default).
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .errors import ValidationFailed
from .models import EmailTemplate, Order, OrderLine, OutboxMessage

DEFAULTS = Path(__file__).resolve().parent.parent / "templates" / "email"
NAMES = ("order.shipped", "order.backordered", "order.returned")
_env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)


def default_text(name: str) -> str:
    return (DEFAULTS / f"{name}.txt").read_text(encoding="utf-8")


def split(text: str) -> tuple[str, str]:
    """'Subject: ...\\n\\nbody' -> (subject, body)."""
    first, _, rest = text.partition("\n")
    if not first.lower().startswith("subject:"):
        raise ValidationFailed("The first line of an email template is 'Subject: ...'.",
                               [{"field": "text", "message": "first line must start with Subject:"}])
    return first.split(":", 1)[1].strip(), rest.lstrip("\n")


def template_text(session: Session, name: str) -> tuple[str, str]:
    """(subject, body): the edited template if there is one, else the default file."""
    row = session.scalar(select(EmailTemplate).where(EmailTemplate.name == name))
    return (row.subject, row.body) if row else split(default_text(name))


def save_template(session: Session, name: str, subject: str, body: str) -> EmailTemplate:
    """Keep an edited template; refused (nothing saved) when it does not render with sample values."""
    if name not in NAMES:
        raise ValidationFailed(f"There is no email called {name}.")
    subject, body = (subject or "").strip(), (body or "").replace("\r\n", "\n")
    if not subject or len(subject) > 300 or not body.strip():
        raise ValidationFailed("A template needs a subject (at most 300 characters) and a body.",
                               [{"field": "subject" if not subject or len(subject) > 300 else "body",
                                 "message": "required"}])
    render(subject, body, sample_context(name))
    row = session.scalar(select(EmailTemplate).where(EmailTemplate.name == name))
    if row is None:
        row = EmailTemplate(name=name, subject=subject, body=body)
        session.add(row)
    else:
        row.subject, row.body = subject, body
    session.flush()
    return row


def reset_template(session: Session, name: str) -> None:
    row = session.scalar(select(EmailTemplate).where(EmailTemplate.name == name))
    if row is not None:
        session.delete(row)


def render(subject: str, body: str, context: dict[str, Any]) -> tuple[str, str]:
    try:
        return (_env.from_string(subject).render(context).strip().replace("\n", " "),
                _env.from_string(body).render(context))
    except TemplateError as error:  # syntax errors and the sandbox's SecurityError alike
        raise ValidationFailed(f"The template does not render: {error}",
                               [{"field": "body", "message": str(error)}]) from None


def context_for(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data") or {}
    order = session.scalar(select(Order).where(Order.external_id == data.get("order"))
                           .options(selectinload(Order.lines).joinedload(OrderLine.product)))
    cartons = data.get("cartons") or []
    return {
        "event": payload.get("event"), "data": data, "cartons": cartons,
        "tracking_numbers": [c.get("tracking") for c in cartons if isinstance(c, dict) and c.get("tracking")],
        "order": None if order is None else {
            "external_id": order.external_id, "customer_name": order.customer_name,
            "ship_to": dict(order.ship_to or {}), "status": order.status.value,
            "lines": [{"sku": line.product.sku, "name": line.product.name, "qty": line.qty,
                       "shipped": line.shipped, "backordered": line.backordered} for line in order.lines]},
    }


def sample_context(name: str) -> dict[str, Any]:
    cartons = [{"sscc": "003456789012345675", "carrier": "UPS", "service": "Ground", "tracking": "1Z999AA10123456784"}]
    return {"event": name, "data": {"order": "SO-1001", "cartons": cartons}, "cartons": cartons,
            "tracking_numbers": ["1Z999AA10123456784"],
            "order": {"external_id": "SO-1001", "customer_name": "Erika Mustermann", "status": "shipped",
                      "ship_to": {"name": "Erika Mustermann", "line1": "Heidestrasse 17", "city": "Koeln",
                                  "postal_code": "51147", "country": "DE"},
                      "lines": [{"sku": "MUG-350", "name": "Blue Enamel Mug 350ml", "qty": 2, "shipped": 2,
                                 "backordered": 1}]}}


def compose(session: Session, row: OutboxMessage) -> EmailMessage:
    subject, body = render(*template_text(session, row.event), context_for(session, row.payload))
    message = EmailMessage()
    message["Subject"], message["To"] = subject, row.recipient
    message["Message-ID"] = make_msgid(idstring=row.event_id)  # the same id on a retry: clients dedupe
    message.set_content(body)
    return message


def smtp_send(url: str, message: EmailMessage, *, timeout: float = 10.0) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("FLOORAPP_SMTP_URL looks like smtp://host:port or smtps://user:pass@host.")
    options = parse_qs(parts.query)
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=timeout)
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
    with client:
        if parts.scheme == "smtp" and options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        refused = client.send_message(message)
    return f"accepted by {parts.hostname}" + (f"; refused {refused}" if refused else "")


def send_for(session: Session, row: OutboxMessage, settings) -> tuple[bool, int | None, str]:
    if not settings.smtp_url:
        return False, None, "FLOORAPP_SMTP_URL is not set; the email waits."
    message = compose(session, row)
    message["From"] = settings.mail_from
    try:
        return True, 250, smtp_send(settings.smtp_url, message, timeout=settings.timeout)
    except smtplib.SMTPResponseException as error:
        return False, error.smtp_code, str(error.smtp_error, "utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        return False, None, f"{type(error).__name__}: {error}"
