"""Packing slip PDF: readable text, scannable codes, page flow, no Flask."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from printing import Address, PackingSlip, SlipLine, render_packing_slip

REPO_ROOT = Path(__file__).resolve().parents[2]
ORDER_REF = "SO-2024-000123"
RETURNS_URL = "https://returns.example.com/r/SO-2024-000123"

SHIP_FROM = Address(
    name="Floorapp DC East",
    line1="1 Dock Road",
    city="Springfield",
    region="IL",
    postal_code="62704",
    country="USA",
)
SHIP_TO = Address(
    name="Müller & Söhne <GmbH>",
    line1="Hauptstraße 1",
    line2="Tor 3",
    city="Berlin",
    postal_code="10115",
    country="Germany",
)
LINES = (
    SlipLine(sku="BOLT-M8-40", name="Hex bolt M8 x 40 & washer", ordered=120, shipped=100, backordered=20),
    SlipLine(sku="PAL-EUR-1", name="Euro pallet <used>", ordered=4, shipped=4, backordered=0),
    SlipLine(sku="GLV-XL", name="Work gloves Größe XL", ordered=12, shipped=0, backordered=12),
)


def make_slip(**changes: object) -> PackingSlip:
    fields: dict[str, object] = dict(
        order_ref=ORDER_REF,
        customer_name="Jörg Müller & Co",
        ship_to=SHIP_TO,
        ship_from=SHIP_FROM,
        lines=LINES,
        cartons=("CTN-0001", "CTN-0002"),
        date=datetime.date(2024, 5, 1),
        returns_url=RETURNS_URL,
    )
    fields.update(changes)
    return PackingSlip(**fields)  # type: ignore[arg-type]


def pdf_pages_text(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.extract_text() for page in reader.pages]


def render_page_one(pdf: bytes, tmp_path: Path) -> Image.Image:
    pdf_path = tmp_path / "slip.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf_path), str(tmp_path / "page")],
        check=True,
    )
    with Image.open(tmp_path / "page.png") as image:
        return image.convert("L")


def test_text_names_order_customer_addresses_and_every_line() -> None:
    slip = make_slip()
    text = "\n".join(pdf_pages_text(render_packing_slip(slip)))

    assert "Packing slip" in text
    assert ORDER_REF in text
    assert "Jörg Müller & Co" in text
    assert "2024-05-01" in text
    assert "Müller & Söhne <GmbH>" in text
    assert "Hauptstraße 1" in text
    assert "Springfield, IL 62704" in text
    for header in ("SKU", "Product", "Ordered", "Shipped", "Backordered"):
        assert header in text
    for line in LINES:
        row = rf"{re.escape(line.sku)}\s+{re.escape(line.name)}\s+{line.ordered}\s+{line.shipped}\s+{line.backordered}\b"
        assert re.search(row, text), f"row for {line.sku} not found in:\n{text}"
    assert "CTN-0001, CTN-0002" in text
    assert "Scan to start a return" in text


def test_cartons_and_returns_are_left_out_when_not_given() -> None:
    text = "\n".join(pdf_pages_text(render_packing_slip(make_slip(cartons=(), returns_url=""))))

    assert "Cartons" not in text
    assert "Scan to start a return" not in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils pdftoppm")
def test_order_barcode_and_returns_qr_scan(tmp_path: Path) -> None:
    page = render_page_one(render_packing_slip(make_slip()), tmp_path)

    scanned = {
        barcode.format: barcode.text
        for barcode in zxingcpp.read_barcodes(
            page, formats=(zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode)
        )
    }

    assert scanned.get(zxingcpp.BarcodeFormat.Code128) == ORDER_REF
    assert RETURNS_URL in scanned.values()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils pdftoppm")
def test_a4_slip_with_long_order_ref_still_scans(tmp_path: Path) -> None:
    order_ref = "WAVE-7-ORDER-2024-000123"
    page = render_page_one(render_packing_slip(make_slip(order_ref=order_ref, page_size="a4")), tmp_path)

    codes = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.Code128)

    assert [barcode.text for barcode in codes] == [order_ref]


def test_sixty_lines_flow_onto_a_second_page_with_header_repeated() -> None:
    lines = [
        SlipLine(sku=f"SKU-{number:04d}", name=f"Shelf bin size {number}", ordered=number, shipped=number, backordered=0)
        for number in range(1, 61)
    ]
    pages = pdf_pages_text(render_packing_slip(make_slip(lines=lines)))

    assert len(pages) >= 2
    assert "SKU-0001" in pages[0]
    assert "SKU-0060" not in pages[0]
    assert "SKU-0060" in pages[1]
    assert "Backordered" in pages[1]
    everything = "\n".join(pages)
    for line in lines:
        assert re.search(rf"{line.sku}\s+{line.name}\s+{line.ordered}\s", everything)


def test_same_slip_renders_same_bytes() -> None:
    assert render_packing_slip(make_slip()) == render_packing_slip(make_slip())


def test_text_outside_latin_1_does_not_break_rendering() -> None:
    slip = make_slip(customer_name="Zofia Łukasz 東京", lines=[SlipLine("X-1", "Crème brûlée torch ★", 1, 1, 0)])

    assert render_packing_slip(slip).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"order_ref": ""}, "order_ref is required"),
        ({"order_ref": "SO-Ø1"}, "printable ASCII"),
        ({"page_size": "legal"}, "page_size"),
    ],
)
def test_slip_rejects_what_it_cannot_print(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_slip(**changes)


def test_negative_quantity_is_rejected() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        SlipLine(sku="A-1", name="Tape", ordered=1, shipped=1, backordered=-1)


def test_order_ref_too_long_for_a_barcode_is_reported() -> None:
    with pytest.raises(ValueError, match="too long to print as a barcode"):
        render_packing_slip(make_slip(order_ref="R" * 80))


def test_importing_printing_does_not_import_flask() -> None:
    subprocess.run(
        [sys.executable, "-c", "import printing, sys; assert 'flask' not in sys.modules"],
        cwd=REPO_ROOT,
        check=True,
    )
