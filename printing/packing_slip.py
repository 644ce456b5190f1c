"""Render a PackingSlip to PDF bytes with reportlab's built-in Helvetica fonts.

Drawn straight on one canvas (no platypus layout engine): a slip in a few milliseconds. Long names wrap
in their cell, rows flow onto further pages with the table header repeated, every page has a footer.
"""

from __future__ import annotations

import datetime
import io

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing.model import Address, PackingSlip, SlipLine
from printing.qr import LABEL_MASK, draw_qr, qr_matrix

PAGE_SIZES = {"letter": LETTER, "a4": A4}
MARGIN = 0.6 * inch
ORDER_REF_FONT_SIZES = (24, 20, 16, 14)
BARCODE_BAR_WIDTH = 0.015 * inch
BARCODE_MIN_BAR_WIDTH = 0.0075 * inch
BARCODE_HEIGHT = 0.6 * inch
QR_SIZE = 1.25 * inch
QUANTITY_COLUMN_WIDTH = 70
SKU_COLUMN_SHARE = 0.3
LINE_HEADERS = ("SKU", "Product", "Ordered", "Shipped", "Backordered")
RETURN_CAPTION = "Scan to start a return"
CELL_FONT, CELL_SIZE, CELL_LEADING, CELL_PAD = "Helvetica", 9, 11, 3
BODY, BOLD = "Helvetica", "Helvetica-Bold"


class _Page:
    """A cursor going down the pages of one canvas."""

    def __init__(self, canvas: Canvas, slip: PackingSlip, size: tuple[float, float]):
        self.canvas, self.slip = canvas, slip
        self.width, self.height = size
        self.number = 1
        self.y = self.height - MARGIN
        self.left, self.right = MARGIN, self.width - MARGIN

    def footer(self) -> None:
        canvas = self.canvas
        canvas.setFont(BODY, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(self.right, MARGIN / 2, f"Packing slip {self.slip.order_ref}  -  page {self.number}")
        canvas.setFillColor(colors.black)

    def need(self, height: float) -> bool:
        """Start a new page unless `height` still fits; True when it started one."""
        if self.y - height >= MARGIN:
            return False
        self.footer()
        self.canvas.showPage()
        self.number += 1
        self.y = self.height - MARGIN
        return True

    def text(self, value: str, font: str = BODY, size: float = 10, leading: float = 13, x: float | None = None) -> None:
        self.canvas.setFont(font, size)
        self.canvas.drawString(self.left if x is None else x, self.y - size, value)
        self.y -= leading

    def heading(self, value: str) -> None:
        self.need(34)
        self.y -= 10
        self.text(value, BOLD, 11, 18)


def render_packing_slip(slip: PackingSlip) -> bytes:
    """Return the packing slip as PDF bytes.

    Output is byte-for-byte repeatable for the same slip when ``slip.date`` is set
    (a ``None`` date prints today's date).
    """
    buffer = io.BytesIO()
    size = PAGE_SIZES[slip.page_size]
    canvas = Canvas(buffer, pagesize=size, invariant=1, pageCompression=1)
    canvas.setTitle(f"Packing slip {slip.order_ref}")
    canvas.setSubject(f"Order {slip.order_ref} for {slip.customer_name}")
    canvas.setCreator("floorapp printing")
    page = _Page(canvas, slip, size)
    _header(page, slip)
    _addresses(page, slip.ship_from, slip.ship_to)
    page.heading("Items")
    _lines_table(page, slip.lines)
    if slip.cartons:
        _cartons(page, slip.cartons)
    if slip.returns_url:
        _returns(page, slip.returns_url)
    page.footer()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _order_ref_size(order_ref: str, max_width: float) -> float:
    """The biggest type that keeps the order reference on one line."""
    for size in ORDER_REF_FONT_SIZES:
        if stringWidth(order_ref, BOLD, size) <= max_width:
            break
    return size


def _order_barcode(order_ref: str, max_width: float) -> Code128:
    """A Code 128 barcode of the order reference no wider than ``max_width``.

    Bars are narrowed to fit long references, down to the 7.5 mil minimum.
    """
    modules = Code128(order_ref, barWidth=1, quiet=0).width
    quiet_modules = 20  # 10 bar widths of quiet zone each side
    bar_width = min(BARCODE_BAR_WIDTH, max_width / (modules + quiet_modules))
    if bar_width < BARCODE_MIN_BAR_WIDTH:
        raise ValueError(f"order reference {order_ref!r} is too long to print as a barcode")
    return Code128(order_ref, barWidth=bar_width, barHeight=BARCODE_HEIGHT, lquiet=10 * bar_width,
                   rquiet=10 * bar_width, humanReadable=False)


def _header(page: _Page, slip: PackingSlip) -> None:
    width = page.right - page.left
    half = width * 0.5
    barcode = _order_barcode(slip.order_ref, width - half)
    barcode.drawOn(page.canvas, page.right - barcode.width, page.y - BARCODE_HEIGHT)
    top = page.y
    page.text("Packing slip", BOLD, 14, 18)
    size = _order_ref_size(slip.order_ref, half)
    page.text(slip.order_ref, BOLD, size, size * 1.25)
    _label_value(page, "Customer:", slip.customer_name)
    _label_value(page, "Date:", (slip.date or datetime.date.today()).isoformat())
    page.y = min(page.y, top - BARCODE_HEIGHT) - 12


def _label_value(page: _Page, label: str, value: str) -> None:
    canvas = page.canvas
    canvas.setFont(BOLD, 10)
    canvas.drawString(page.left, page.y - 10, label)
    canvas.setFont(BODY, 10)
    canvas.drawString(page.left + stringWidth(label, BOLD, 10) + 3, page.y - 10, value)
    page.y -= 13


def _address_block(page: _Page, x: float, top: float, heading: str, address: Address) -> float:
    canvas = page.canvas
    y = top - 10 - 11
    canvas.setFont(BOLD, 11)
    canvas.drawString(x, y, heading)
    y -= 8
    for index, line in enumerate(address.printed_lines()):
        canvas.setFont(BOLD if index == 0 else BODY, 10)
        canvas.drawString(x, y - 10, line)
        y -= 13
    return y


def _addresses(page: _Page, ship_from: Address, ship_to: Address) -> None:
    middle = page.left + (page.right - page.left) / 2
    bottom = min(_address_block(page, page.left, page.y, "Ship from", ship_from),
                 _address_block(page, middle, page.y, "Ship to", ship_to))
    page.y = bottom


def _columns(page: _Page) -> list[tuple[float, float, bool]]:
    """(x, width, right-aligned) of each column."""
    width = page.right - page.left
    text_width = width - 3 * QUANTITY_COLUMN_WIDTH
    sku = text_width * SKU_COLUMN_SHARE
    xs = [page.left, page.left + sku, page.left + text_width]
    return [(xs[0], sku, False), (xs[1], text_width - sku, False)] + [
        (xs[2] + i * QUANTITY_COLUMN_WIDTH, QUANTITY_COLUMN_WIDTH, True) for i in range(3)]


def _wrap(cell: str, font: str, width: float) -> list[str]:
    if stringWidth(cell, font, CELL_SIZE) <= width - 2 * CELL_PAD:
        return [cell]
    return simpleSplit(cell, font, CELL_SIZE, width - 2 * CELL_PAD) or [""]


def _row(page: _Page, wrapped: list[list[str]], fonts: list[str], background=None) -> None:
    columns = _columns(page)
    height = _height(wrapped)
    canvas = page.canvas
    if background is not None:
        canvas.setFillColor(background)
        canvas.rect(page.left, page.y - height, page.right - page.left, height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
    for lines, font, (x, width, right) in zip(wrapped, fonts, columns, strict=True):
        canvas.setFont(font, CELL_SIZE)
        for index, line in enumerate(lines):
            baseline = page.y - CELL_PAD - CELL_SIZE - index * CELL_LEADING + 1
            if right:
                canvas.drawRightString(x + width - CELL_PAD, baseline, line)
            else:
                canvas.drawString(x + CELL_PAD, baseline, line)
    page.y -= height


def _height(wrapped: list[list[str]]) -> float:
    return max(len(lines) for lines in wrapped) * CELL_LEADING + 2 * CELL_PAD


def _table_header(page: _Page) -> None:
    _row(page, [[title] for title in LINE_HEADERS], [BOLD] * 5, colors.HexColor("#dddddd"))
    page.canvas.setLineWidth(0.75)
    page.canvas.line(page.left, page.y, page.right, page.y)


def _lines_table(page: _Page, lines: tuple[SlipLine, ...]) -> None:
    """Every slip line; on long slips the header row repeats on each page."""
    _table_header(page)
    columns = _columns(page)
    for index, line in enumerate(lines):
        fonts = [CELL_FONT] * 4 + [BOLD if line.backordered else CELL_FONT]
        wrapped = [_wrap(line.sku, CELL_FONT, columns[0][1]), _wrap(line.name, CELL_FONT, columns[1][1]),
                   [str(line.ordered)], [str(line.shipped)], [str(line.backordered)]]
        if page.need(_height(wrapped)):
            _table_header(page)
        _row(page, wrapped, fonts, colors.HexColor("#f4f4f4") if index % 2 else None)
        page.canvas.setLineWidth(0.25)
        page.canvas.setStrokeColor(colors.HexColor("#bbbbbb"))
        page.canvas.line(page.left, page.y, page.right, page.y)
        page.canvas.setStrokeColor(colors.black)


def _cartons(page: _Page, cartons: tuple[str, ...]) -> None:
    page.heading(f"Cartons ({len(cartons)})")
    for line in simpleSplit(", ".join(cartons), BODY, 10, page.right - page.left):
        page.need(13)
        page.text(line)


def _returns(page: _Page, returns_url: str) -> None:
    page.need(34 + QR_SIZE + 30)
    page.heading("Returns")
    draw_qr(page.canvas, qr_matrix(returns_url, mask=LABEL_MASK), page.left, page.y - QR_SIZE, QR_SIZE)
    page.y -= QR_SIZE
    page.text(RETURN_CAPTION)
    page.text(returns_url, BODY, 8, 10)
