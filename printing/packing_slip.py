"""Render a PackingSlip to PDF bytes with reportlab's built-in Helvetica fonts."""

from __future__ import annotations

import datetime
import io
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from printing.model import Address, PackingSlip, SlipLine
from printing.qr import QrCode

PAGE_SIZES = {"letter": LETTER, "a4": A4}
MARGIN = 0.6 * inch
FRAME_PADDING = 6  # reportlab's default padding inside the page frame
ORDER_REF_FONT_SIZES = (24, 20, 16, 14)
BARCODE_BAR_WIDTH = 0.015 * inch
BARCODE_MIN_BAR_WIDTH = 0.0075 * inch
BARCODE_HEIGHT = 0.6 * inch
QR_SIZE = 1.25 * inch
QUANTITY_COLUMN_WIDTH = 70
SKU_COLUMN_SHARE = 0.3
LINE_HEADERS = ("SKU", "Product", "Ordered", "Shipped", "Backordered")
RETURN_CAPTION = "Scan to start a return"

_BASE = ParagraphStyle("slip-body", fontName="Helvetica", fontSize=10, leading=13)
STYLES = {
    "title": ParagraphStyle("slip-title", _BASE, fontName="Helvetica-Bold", fontSize=14, leading=18),
    "order_ref": ParagraphStyle("slip-order-ref", _BASE, fontName="Helvetica-Bold", fontSize=24, leading=30),
    "body": _BASE,
    "heading": ParagraphStyle("slip-heading", _BASE, fontName="Helvetica-Bold", fontSize=11, leading=15, spaceBefore=10, spaceAfter=3),
    "address_name": ParagraphStyle("slip-address-name", _BASE, fontName="Helvetica-Bold"),
    "cell": ParagraphStyle("slip-cell", _BASE, fontSize=9, leading=11),
    "cell_header": ParagraphStyle("slip-cell-header", _BASE, fontName="Helvetica-Bold", fontSize=9, leading=11),
    "quantity": ParagraphStyle("slip-quantity", _BASE, fontSize=9, leading=11, alignment=TA_RIGHT),
    "quantity_header": ParagraphStyle("slip-quantity-header", _BASE, fontName="Helvetica-Bold", fontSize=9, leading=11, alignment=TA_RIGHT),
    "quantity_bold": ParagraphStyle("slip-quantity-bold", _BASE, fontName="Helvetica-Bold", fontSize=9, leading=11, alignment=TA_RIGHT),
    "small": ParagraphStyle("slip-small", _BASE, fontSize=8, leading=10),
}


def render_packing_slip(slip: PackingSlip) -> bytes:
    """Return the packing slip as PDF bytes.

    Output is byte-for-byte repeatable for the same slip when ``slip.date`` is set
    (a ``None`` date prints today's date).
    """
    buffer = io.BytesIO()
    page_width, page_height = PAGE_SIZES[slip.page_size]
    document = SimpleDocTemplate(
        buffer,
        pagesize=(page_width, page_height),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Packing slip {slip.order_ref}",
        subject=f"Order {slip.order_ref} for {slip.customer_name}",
        creator="floorapp printing",
        invariant=1,
    )
    width = document.width - 2 * FRAME_PADDING

    story: list[Flowable] = [
        _header(slip, width),
        Spacer(1, 12),
        _addresses(slip.ship_from, slip.ship_to, width),
        Paragraph("Items", STYLES["heading"]),
        _lines_table(slip.lines, width),
    ]
    if slip.cartons:
        story += _cartons(slip.cartons)
    if slip.returns_url:
        story.append(_returns(slip.returns_url))

    def draw_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        footer = f"Packing slip {slip.order_ref}  -  page {doc.page}"
        canvas.drawRightString(page_width - MARGIN, MARGIN / 2, footer)
        canvas.restoreState()

    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()


def _text(value: str, style: str) -> Paragraph:
    """A paragraph of plain text: &, < and > are printed, never parsed as markup."""
    return Paragraph(escape(value), STYLES[style])


def _header(slip: PackingSlip, width: float) -> Table:
    slip_date = slip.date or datetime.date.today()
    left_width = width * 0.5
    barcode_width = width - left_width
    details = [
        _text("Packing slip", "title"),
        _order_ref_text(slip.order_ref, left_width),
        Paragraph(f"<b>Customer:</b> {escape(slip.customer_name)}", STYLES["body"]),
        Paragraph(f"<b>Date:</b> {slip_date.isoformat()}", STYLES["body"]),
    ]
    header = Table(
        [[details, _order_barcode(slip.order_ref, barcode_width)]],
        colWidths=[left_width, barcode_width],
    )
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return header


def _order_ref_text(order_ref: str, max_width: float) -> Paragraph:
    """The order reference in the biggest type that keeps it on one line."""
    base = STYLES["order_ref"]
    for size in ORDER_REF_FONT_SIZES:
        if stringWidth(order_ref, base.fontName, size) <= max_width:
            break
    style = ParagraphStyle(f"slip-order-ref-{size}", base, fontSize=size, leading=size * 1.25)
    return Paragraph(escape(order_ref), style)


def _order_barcode(order_ref: str, max_width: float) -> Code128:
    """A Code 128 barcode of the order reference no wider than ``max_width``.

    Bars are narrowed to fit long references, down to the 7.5 mil minimum.
    """
    modules = Code128(order_ref, barWidth=1, quiet=0).width
    quiet_modules = 20  # 10 bar widths of quiet zone each side
    bar_width = min(BARCODE_BAR_WIDTH, max_width / (modules + quiet_modules))
    if bar_width < BARCODE_MIN_BAR_WIDTH:
        raise ValueError(f"order reference {order_ref!r} is too long to print as a barcode")
    return Code128(
        order_ref,
        barWidth=bar_width,
        barHeight=BARCODE_HEIGHT,
        lquiet=10 * bar_width,
        rquiet=10 * bar_width,
        humanReadable=False,
    )


def _address_block(heading: str, address: Address) -> list[Flowable]:
    lines = address.printed_lines()
    block: list[Flowable] = [_text(heading, "heading")]
    if lines:
        block.append(_text(lines[0], "address_name"))
        block += [_text(line, "body") for line in lines[1:]]
    return block


def _addresses(ship_from: Address, ship_to: Address, width: float) -> Table:
    table = Table(
        [[_address_block("Ship from", ship_from), _address_block("Ship to", ship_to)]],
        colWidths=[width / 2, width / 2],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _line_row(line: SlipLine) -> list[Paragraph]:
    backordered_style = "quantity_bold" if line.backordered else "quantity"
    return [
        _text(line.sku, "cell"),
        _text(line.name, "cell"),
        _text(str(line.ordered), "quantity"),
        _text(str(line.shipped), "quantity"),
        _text(str(line.backordered), backordered_style),
    ]


def _lines_table(lines: tuple[SlipLine, ...], width: float) -> Table:
    """Every slip line; on long slips the header row repeats on each page."""
    header = [
        _text(title, "cell_header" if index < 2 else "quantity_header")
        for index, title in enumerate(LINE_HEADERS)
    ]
    rows = [header] + [_line_row(line) for line in lines]
    text_width = width - 3 * QUANTITY_COLUMN_WIDTH
    sku_width = text_width * SKU_COLUMN_SHARE
    table = Table(
        rows,
        colWidths=[sku_width, text_width - sku_width] + [QUANTITY_COLUMN_WIDTH] * 3,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dddddd")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f4f4")]),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
            ]
        )
    )
    return table


def _cartons(cartons: tuple[str, ...]) -> list[Flowable]:
    heading = f"Cartons ({len(cartons)})"
    return [_text(heading, "heading"), _text(", ".join(cartons), "body")]


def _returns(returns_url: str) -> KeepTogether:
    return KeepTogether(
        [
            _text("Returns", "heading"),
            QrCode(returns_url, QR_SIZE),
            _text(RETURN_CAPTION, "body"),
            _text(returns_url, "small"),
        ]
    )
