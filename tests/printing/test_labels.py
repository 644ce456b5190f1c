"""Carton (SSCC) labels, 4x6 shipping labels, code labels and manifests: every barcode read back.

PDF pages go through pdftoppm at 203 dpi; ZPL through zpl-renderer-js (zebrash) at 8 dots/mm; zxing-cpp
decodes. GS1-128 must come back with the ]C1 symbology identifier (FNC1 in first position).
"""
from __future__ import annotations

import datetime as dt

import pytest

from printing import (
    Address,
    CartonLabel,
    CodeLabel,
    Manifest,
    ManifestCarton,
    ShippingLabel,
    carton_label_zpl,
    code_labels_zpl,
    is_valid_sscc,
    make_sscc,
    render_carton_label,
    render_code_labels,
    render_manifest,
    render_shipping_label,
    shipping_label_zpl,
)
from scanners import parse_scan

from .readback import codes, image_size, pdf_pages, pdf_text, zpl_pages

FROM = Address("floorapp DC East", "1 Dock Road", "Springfield", "62704", "US", region="IL")
TO = Address("Erika Mustermann", "Heidestraße 17", "Köln", "51147", "DE")
SSCC = make_sscc("4006381", 987654)
DAY = dt.date(2026, 11, 26)
CARTON = CartonLabel(SSCC, "SO-2026-0042", FROM, TO, carton_no=2, carton_count=3, weight_g=1840, date=DAY)
SHIP = ShippingLabel(FROM, TO, "manual", "Express", "MAN00000004217", 1840, "SO-2026-0042", SSCC, 2, DAY)


def test_sscc_is_18_digits_with_the_gs1_check_digit():
    assert make_sscc("0614141", 123456789) == "006141411234567890"   # GS1 General Specifications example
    assert make_sscc("4006381", 987654) == SSCC and is_valid_sscc(SSCC)
    assert not is_valid_sscc(SSCC[:-1] + str((int(SSCC[-1]) + 1) % 10))
    with pytest.raises(ValueError):
        make_sscc("4006381", 10 ** 9)   # 7-digit prefix leaves 9 digits for the serial


def _gs1(result) -> str:
    assert result.symbology_identifier == "]C1", "GS1-128 needs FNC1 in first position"
    return result.text


def _sscc_read(found) -> str:
    gs1 = [r for r in found if r.format.name == "Code128" and r.symbology_identifier == "]C1"]
    assert len(gs1) == 1, found
    text = _gs1(gs1[0])
    assert text == f"(00){SSCC}"
    parsed = parse_scan("]C1" + text.replace("(00)", "00"))
    assert parsed.sscc == SSCC and is_valid_sscc(parsed.sscc)
    return parsed.sscc


def test_carton_label_pdf_scans_as_gs1_128_sscc(tmp_path):
    pdf = render_carton_label(CARTON)
    [page] = codes(pdf_pages(pdf, tmp_path))
    _sscc_read(page)
    text = pdf_text(pdf, tmp_path)
    assert f"(00) {SSCC}" in text and "SO-2026-0042" in text and "2 of 3" in text
    assert "Heidestraße 17" in text and "Köln 51147" in text


def test_carton_label_zpl_renders_and_scans_as_gs1_128_sscc(tmp_path):
    zpl = carton_label_zpl(CARTON)
    assert zpl.startswith(b"^XA") and b"^PW812" in zpl and b"^LL1218" in zpl
    [page] = codes(zpl_pages(zpl, tmp_path))
    _sscc_read(page)


def _shipping(found) -> None:
    by_format = {r.format.name: r for r in found}
    assert by_format["Code128"].text == "MAN00000004217"
    assert by_format["QRCode"].text == SHIP.two_d_content
    assert by_format["QRCode"].text.split("|")[:3] == ["manual", "Express", "MAN00000004217"]


def test_shipping_label_pdf_is_4x6_with_tracking_barcode_and_2d_code(tmp_path):
    pdf = render_shipping_label(SHIP)
    [image] = pdf_pages(pdf, tmp_path)
    assert image_size(image) == (812, 1218)   # 4 x 6 in at 203 dpi
    _shipping(codes([image])[0])
    text = pdf_text(pdf, tmp_path)
    assert "MANUAL" in text and "EXPRESS" in text and "1.84 kg" in text and "Erika Mustermann" in text


def test_shipping_label_zpl_renders_with_tracking_barcode_and_2d_code(tmp_path):
    [page] = codes(zpl_pages(shipping_label_zpl(SHIP), tmp_path))
    _shipping(page)


def test_field_data_cannot_break_out_of_a_zpl_field(tmp_path):
    nasty = Address("A^XZ~JR_corp", "1 Road", "Town", "1000", "NL")
    zpl = shipping_label_zpl(ShippingLabel(FROM, nasty, "manual", "Ground", "TRK^1", 500, "SO^1"))
    assert zpl.count(b"^XA") == 1 and zpl.count(b"^XZ") == 1 and b"~JR" not in zpl
    [page] = codes(zpl_pages(zpl, tmp_path))
    assert "TRK^1" in [r.text for r in page]


def test_a_whole_aisle_of_location_labels_in_one_pdf_and_one_zpl_job(tmp_path):
    aisle = [CodeLabel(f"A-01-{bay:02d}-{level}", "Zone A", "pick") for bay in (1, 2) for level in (1, 2, 3)]
    pdf_found = [[r.text for r in page] for page in codes(pdf_pages(render_code_labels(aisle), tmp_path))]
    assert pdf_found == [[label.code] for label in aisle]
    zpl_found = [[r.text for r in page] for page in codes(zpl_pages(code_labels_zpl(aisle), tmp_path, 50.8))]
    assert zpl_found == [[label.code] for label in aisle]


def test_manifest_lists_every_carton_with_totals(tmp_path):
    rows = [ManifestCarton(make_sscc("4006381", i), f"SO-{i}", "Ground", f"MAN{i:011d}", 1000 + i, "Köln, DE")
            for i in range(1, 41)]
    pdf = render_manifest(Manifest("manual", DAY, FROM, rows))
    text = pdf_text(pdf, tmp_path)
    assert "Manifest: manual" in text and "40 cartons" in text and f"{sum(r.weight_g for r in rows) / 1000:.2f} kg" in text
    for row in rows:
        assert row.sscc in text and row.tracking in text


def test_labels_render_the_same_bytes_every_time():
    assert render_carton_label(CARTON) == render_carton_label(CARTON)
    assert render_shipping_label(SHIP) == render_shipping_label(SHIP)
    assert carton_label_zpl(CARTON) == carton_label_zpl(CARTON)
