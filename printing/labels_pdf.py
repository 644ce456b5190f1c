"""Carton (SSCC) labels, 4x6 shipping labels and small code labels as PDF, drawn straight on a canvas.

Fast by design (a label in a few milliseconds): one canvas, standard Helvetica, Code 128 from reportlab,
QR codes from segno (printing.qr). Output is byte-identical for the same label (invariant PDFs).
"""
from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing.model import Address, CartonLabel, CodeLabel, ShippingLabel
from printing.qr import LABEL_MASK, draw_qr, qr_matrix
from printing.sscc import sscc_hri

LABEL_4X6 = (4 * inch, 6 * inch)
CODE_LABEL = (4 * inch, 2 * inch)
MARGIN = 0.15 * inch
FNC1 = "\xf1"
MAX_BAR = 1.4  # points; about 4 dots at 203 dpi


def _canvas(buffer: io.BytesIO, size: tuple[float, float], title: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=size, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("floorapp printing")
    return canvas


def _fit(text: str, font: str, size: float, width: float, smallest: float = 6) -> float:
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 1
    return size


def _text(canvas: Canvas, x: float, y: float, text: str, font: str = "Helvetica", size: float = 10,
          width: float | None = None) -> None:
    if width is not None:
        size = _fit(text, font, size, width)
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)


def _address(canvas: Canvas, x: float, top: float, heading: str, address: Address, size: float,
             width: float) -> float:
    """Draw an address block from `top` down; returns the y under it."""
    _text(canvas, x, top - 8, heading, "Helvetica-Bold", 7)
    y = top - 8 - size * 1.2
    for index, line in enumerate(address.printed_lines()):
        _text(canvas, x, y, line, "Helvetica-Bold" if index == 0 else "Helvetica", size, width)
        y -= size * 1.2
    return y


def _code128(canvas: Canvas, value: str, x: float, y: float, width: float, height: float) -> float:
    """A Code 128 barcode of `value` centred in `width`, quiet zones included; returns its bar width."""
    modules = Code128(value, barWidth=1, quiet=0).width
    bar = min(MAX_BAR, width / (modules + 20))
    code = Code128(value, barWidth=bar, barHeight=height, quiet=0, humanReadable=False)
    code.drawOn(canvas, x + (width - code.width) / 2, y)
    return bar


def _rule(canvas: Canvas, y: float, width: float) -> None:
    canvas.setLineWidth(1.5)
    canvas.line(MARGIN, y, width - MARGIN, y)


def render_carton_label(label: CartonLabel) -> bytes:
    buffer = io.BytesIO()
    width, height = LABEL_4X6
    inner = width - 2 * MARGIN
    canvas = _canvas(buffer, LABEL_4X6, f"Carton {label.sscc}")
    top = height - MARGIN
    _address(canvas, MARGIN, top, "FROM", label.ship_from, 8, inner / 2 - 6)
    _address(canvas, width / 2, top, "TO", label.ship_to, 11, inner / 2)
    _rule(canvas, height - 1.6 * inch, width)
    _text(canvas, MARGIN, height - 1.9 * inch, "ORDER", "Helvetica-Bold", 8)
    _text(canvas, MARGIN, height - 2.25 * inch, label.order_ref, "Helvetica-Bold", 22, inner * 0.6)
    count = f"of {label.carton_count}" if label.carton_count else ""
    _text(canvas, width * 0.68, height - 1.9 * inch, "CARTON", "Helvetica-Bold", 8)
    _text(canvas, width * 0.68, height - 2.25 * inch, f"{label.carton_no} {count}".strip(), "Helvetica-Bold", 22)
    if label.weight_g:
        _text(canvas, MARGIN, height - 2.55 * inch, f"Weight {label.weight_g / 1000:.2f} kg", size=11)
    if label.date:
        _text(canvas, width * 0.68, height - 2.55 * inch, label.date.isoformat(), size=11)
    _rule(canvas, height - 2.75 * inch, width)
    _text(canvas, MARGIN, height - 3.05 * inch, "SSCC", "Helvetica-Bold", 8)
    _code128(canvas, FNC1 + "00" + label.sscc, MARGIN, 0.85 * inch, inner, 1.6 * inch)
    hri = sscc_hri(label.sscc)
    size = _fit(hri, "Helvetica-Bold", 18, inner)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(width / 2, 0.45 * inch, hri)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_shipping_label(label: ShippingLabel) -> bytes:
    buffer = io.BytesIO()
    width, height = LABEL_4X6
    inner = width - 2 * MARGIN
    canvas = _canvas(buffer, LABEL_4X6, f"Shipping label {label.tracking}")
    top = height - MARGIN
    _address(canvas, MARGIN, top, "FROM", label.ship_from, 7, inner * 0.55)
    _text(canvas, width * 0.62, top - 16, f"{label.weight_g / 1000:.2f} kg", "Helvetica-Bold", 14)
    if label.date:
        _text(canvas, width * 0.62, top - 32, label.date.isoformat(), size=9)
    _text(canvas, width * 0.62, top - 46, f"Order {label.order_ref}", size=9, width=inner * 0.38)
    _rule(canvas, height - 1.25 * inch, width)
    _address(canvas, MARGIN, height - 1.3 * inch, "SHIP TO", label.ship_to, 14, inner * 0.62)
    draw_qr(canvas, qr_matrix(label.two_d_content, mask=LABEL_MASK), width - MARGIN - 1.3 * inch, height - 2.75 * inch, 1.3 * inch)
    _rule(canvas, height - 2.85 * inch, width)
    _text(canvas, MARGIN, height - 3.25 * inch, label.carrier.upper(), "Helvetica-Bold", 24, inner * 0.5)
    _text(canvas, width / 2, height - 3.25 * inch, label.service.upper(), "Helvetica-Bold", 16, inner / 2)
    _rule(canvas, height - 3.45 * inch, width)
    _text(canvas, MARGIN, height - 3.7 * inch, "TRACKING #", "Helvetica-Bold", 8)
    _code128(canvas, label.tracking, MARGIN, 0.8 * inch, inner, 1.35 * inch)
    size = _fit(label.tracking, "Helvetica-Bold", 16, inner)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(width / 2, 0.5 * inch, label.tracking)
    if label.sscc:
        _text(canvas, MARGIN, 0.25 * inch, f"SSCC {label.sscc}", size=8)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_code_labels(labels: Iterable[CodeLabel], title: str = "Labels") -> bytes:
    """Location, product or tote labels, 4x2 in, one per page (a whole aisle in one document)."""
    buffer = io.BytesIO()
    width = CODE_LABEL[0]
    inner = width - 2 * MARGIN
    canvas = _canvas(buffer, CODE_LABEL, title)
    for label in labels:
        _code128(canvas, label.code, MARGIN, 0.75 * inch, inner, 0.9 * inch)
        size = _fit(label.code, "Helvetica-Bold", 24, inner)
        canvas.setFont("Helvetica-Bold", size)
        canvas.drawCentredString(width / 2, 0.45 * inch, label.code)
        if label.title:
            _text(canvas, MARGIN, 0.25 * inch, label.title, size=9, width=inner)
        if label.subtitle:
            _text(canvas, MARGIN, 0.1 * inch, label.subtitle, size=7, width=inner)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
