"""Order files (JSON or CSV) checked as a whole: every bad row is reported, nothing half-imported."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from .errors import Conflict, ValidationFailed
from .orders import create_order

CSV_COLUMNS = ("external_id", "customer_name", "customer_email", "ship_to_name", "ship_to_line1",
               "ship_to_line2", "ship_to_city", "ship_to_region", "ship_to_postal_code", "ship_to_country",
               "priority", "ship_by", "sku", "qty")
CSV_REQUIRED = ("external_id", "sku", "qty")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def payloads_from_json(text: str) -> list[tuple[str, Any]]:
    data = json.loads(text)
    orders = data.get("orders") if isinstance(data, dict) else data
    if not isinstance(orders, list):
        raise ValidationFailed("A JSON order file is a list of orders, or {\"orders\": [...]}.")
    return [(f"order {i + 1}", order) for i, order in enumerate(orders)]


def payloads_from_csv(text: str) -> list[tuple[str, Any]]:
    """One row per order line; rows with the same external_id form one order."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed("The CSV file lacks columns: " + ", ".join(missing) + ".")
    grouped: dict[str, tuple[str, dict[str, Any]]] = {}
    for row_no, row in enumerate(reader, start=2):
        key = (row.get("external_id") or "").strip()
        qty_text = (row.get("qty") or "").strip()
        qty: Any = int(qty_text) if qty_text.lstrip("-").isdigit() else qty_text
        line = {"sku": (row.get("sku") or "").strip(), "qty": qty}
        if key not in grouped:
            g = lambda name: (row.get(name) or "").strip()  # noqa: E731
            grouped[key] = (f"row {row_no}", {
                "external_id": key, "customer": {"name": g("customer_name"), "email": g("customer_email")},
                "ship_to": {"name": g("ship_to_name"), "line1": g("ship_to_line1"), "line2": g("ship_to_line2"),
                            "city": g("ship_to_city"), "region": g("ship_to_region"),
                            "postal_code": g("ship_to_postal_code"), "country": g("ship_to_country")},
                "priority": g("priority") or "normal", "ship_by": g("ship_by") or None, "lines": []})
        grouped[key][1]["lines"].append(line)
    return list(grouped.values())


def import_orders(session: Session, entries: list[tuple[str, Any]]) -> ImportReport:
    """Create every order or none: on any error the caller rolls back and shows report.errors."""
    report = ImportReport()
    for where, payload in entries:
        try:
            with session.begin_nested():
                order, created = create_order(session, payload)
        except (ValidationFailed, Conflict) as error:
            details = "; ".join(f"{d['field']}: {d['message']}" for d in error.details) or error.message
            report.errors.append(f"{where}: {details}")
            continue
        (report.created if created else report.unchanged).append(order.external_id)
    return report
