"""Documents for an order, built with the printing library; every print is a kept print job."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from printing import Address, PackingSlip, SlipLine, render_packing_slip

from .models import Order, PrintJob, utcnow
from .states import CartonState, PrintFormat, PrintState


def _address(data: dict[str, Any]) -> Address:
    return Address(name=data.get("name", ""), line1=data.get("line1", ""), line2=data.get("line2", ""),
                   city=data.get("city", ""), region=data.get("region", ""),
                   postal_code=data.get("postal_code", ""), country=data.get("country", ""))


def packing_slip_for(order: Order, ship_from: dict[str, Any], returns_url: str = "") -> PackingSlip:
    """Ordered, shipped (packed into cartons so far) and backordered, per line."""
    lines = tuple(SlipLine(sku=line.product.sku, name=line.product.name, ordered=line.qty,
                           shipped=line.packed, backordered=line.backordered) for line in order.lines)
    cartons = tuple(c.sscc or f"Carton {i}" for i, c in enumerate(order.cartons, start=1)
                    if c.state != CartonState.OPEN)
    return PackingSlip(order_ref=order.external_id, customer_name=order.customer_name,
                       ship_to=_address(order.ship_to), ship_from=_address(ship_from), lines=lines,
                       cartons=cartons, date=utcnow().date(), returns_url=returns_url)


def print_packing_slip(session: Session, order: Order, ship_from: dict[str, Any], *, printer: str = "browser",
                       user_id: int | None = None, returns_url: str = "") -> PrintJob:
    """Render the slip and keep it as a print job; the browser transport hands it over at once."""
    pdf = render_packing_slip(packing_slip_for(order, ship_from, returns_url))
    job = PrintJob(printer=printer, format=PrintFormat.PDF, document=f"packing-slip:{order.external_id}",
                   content=pdf, user_id=user_id, attempts=1)
    if printer == "browser":
        job.state, job.sent_at = PrintState.SENT, utcnow()
    session.add(job)
    session.flush()
    return job
