"""Stock on hand, per product x location x lot, filtered by SKU and location."""
from __future__ import annotations

from ...domain.stock import stock_rows
from ..security import api, db
from . import bp
from .inputs import listing_args, page
from .serializers import stock_json


@bp.get("/stock")
@api
def list_stock():
    args = listing_args(texts=("sku", "location"))
    rows = stock_rows(db(), sku=args["sku"], location=args["location"], after_id=args["after_id"],
                      limit=args["limit"] + 1)
    return page(rows, args["limit"], stock_json)
