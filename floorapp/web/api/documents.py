"""Documents for integrators: packing slips, carton and shipping labels (PDF or ZPL), carrier manifests."""
from __future__ import annotations

import datetime as dt

from flask import Response, current_app, request

from ...domain import cartons, documents, lookup
from ...domain.documents import PackSettings
from ...domain.errors import NotFound, ValidationFailed
from ...domain.states import PrintFormat
from ..security import api, db
from . import bp

MIMETYPES = {"pdf": "application/pdf", "zpl": "application/vnd.zebra.zpl"}


def _settings() -> PackSettings:
    return PackSettings.from_config(current_app.config)


def _send(content: bytes, fmt: str, filename: str) -> Response:
    db().commit()  # a document rendered for the first time is kept, so the next fetch is the same bytes
    return Response(content, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.get("/orders/<path:external_id>/packing-slip.pdf")
@api
def order_packing_slip(external_id: str):
    order = lookup.order_for(db(), external_id)
    if order is None:
        raise NotFound(f"No order {external_id}.", [{"field": "external_id", "message": "unknown order"}])
    return _send(documents.packing_slip(db(), order, _settings()), "pdf", f"packing-slip-{external_id}.pdf")


def _carton_document(sscc: str, kind: str, fmt: str) -> Response:
    carton = cartons.carton_by_sscc(db(), sscc)
    content = documents.carton_document(db(), carton, kind, PrintFormat(fmt), _settings())
    return _send(content, fmt, f"{kind}-{sscc}.{fmt}")


@bp.get("/cartons/<sscc>/label.pdf", defaults={"fmt": "pdf"})
@bp.get("/cartons/<sscc>/label.zpl", defaults={"fmt": "zpl"})
@api
def carton_label(sscc: str, fmt: str):
    return _carton_document(sscc, "carton-label", fmt)


@bp.get("/cartons/<sscc>/shipping-label.pdf", defaults={"fmt": "pdf"})
@bp.get("/cartons/<sscc>/shipping-label.zpl", defaults={"fmt": "zpl"})
@api
def shipping_label(sscc: str, fmt: str):
    return _carton_document(sscc, "shipping-label", fmt)


@bp.get("/manifests/<date>.pdf")
@api
def manifest(date: str):
    """One PDF per carrier is the floor's habit; the API returns the day's manifest of one carrier
    (?carrier=code), or of the only carrier that shipped that day."""
    day = date
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise ValidationFailed("The date is YYYY-MM-DD.", [{"field": "date", "message": "not a date"}]) from None
    shipped = cartons.shipped_carriers(db(), date)
    carrier = request.args.get("carrier") or (shipped[0] if len(shipped) == 1 else "")
    if not carrier:
        if not shipped:
            raise NotFound(f"No cartons were shipped on {day}.", [{"field": "date", "message": "nothing shipped"}])
        raise ValidationFailed(f"Several carriers shipped on {day}: add ?carrier= one of {', '.join(shipped)}.",
                               [{"field": "carrier", "message": "choose one"}])
    return _send(documents.manifest(db(), carrier, date, _settings()), "pdf", f"manifest-{carrier}-{day}.pdf")
