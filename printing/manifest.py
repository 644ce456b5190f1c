"""The end-of-day manifest of one carrier: every carton it takes, with totals, as PDF (platypus)."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printing.model import Manifest
from printing.packing_slip import PAGE_SIZES

_BODY = ParagraphStyle("manifest-body", fontName="Helvetica", fontSize=9, leading=11)
_TITLE = ParagraphStyle("manifest-title", _BODY, fontName="Helvetica-Bold", fontSize=16, leading=20)
HEADERS = ("#", "SSCC", "Order", "Service", "Tracking", "Ship to", "kg")


def render_manifest(manifest: Manifest) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=PAGE_SIZES[manifest.page_size], leftMargin=0.5 * inch,
                                 rightMargin=0.5 * inch, topMargin=0.5 * inch, bottomMargin=0.5 * inch,
                                 title=f"Manifest {manifest.carrier} {manifest.date.isoformat()}",
                                 creator="floorapp printing", invariant=1)
    total_kg = sum(c.weight_g for c in manifest.cartons) / 1000
    rows = [list(HEADERS)] + [
        [str(i), c.sscc, c.order_ref, c.service, c.tracking, Paragraph(escape(c.ship_to), _BODY),
         f"{c.weight_g / 1000:.2f}"] for i, c in enumerate(manifest.cartons, start=1)]
    table = Table(rows, repeatRows=1, colWidths=[0.3 * inch, 1.45 * inch, 0.9 * inch, 0.8 * inch, 1.5 * inch,
                                                 1.95 * inch, 0.5 * inch])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8), ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
                               ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#bbbbbb"))]))
    from_line = ", ".join(manifest.ship_from.printed_lines())
    story = [Paragraph(escape(f"Manifest: {manifest.carrier}"), _TITLE),
             Paragraph(escape(f"Date {manifest.date.isoformat()} · from {from_line}"), _BODY),
             Paragraph(escape(f"{len(manifest.cartons)} cartons, {total_kg:.2f} kg in total"), _BODY),
             Spacer(1, 10), table, Spacer(1, 30),
             Paragraph("Driver signature: ______________________   Time: ________", _BODY)]
    document.build(story)
    return buffer.getvalue()
