"""What a scanner types, and what it means."""
from __future__ import annotations

import datetime as dt

import pytest

from scanners import gtin_check_digit, is_valid_gtin, parse_scan


@pytest.mark.parametrize("code, valid", [
    ("5901234123457", True), ("5901234123458", False), ("036000291452", True), ("96385074", True),
    ("00012345678905", True), ("123456789012345675", True), ("59012341234", False), ("A901234123457", False),
])
def test_gtin_check_digits(code, valid):
    assert is_valid_gtin(code) is valid


def test_check_digit_of_a_payload():
    assert gtin_check_digit("590123412345") == 7


@pytest.mark.parametrize("gs", ["\x1d", "<GS>", "{GS}", "^]"])
def test_gs1_datamatrix_with_lot_expiry_serial_and_any_gs_substitute(gs):
    scan = parse_scan(f"]d201095011010209171719050810ABCD1234{gs}2110\r\n")
    assert scan.is_gs1
    assert (scan.gtin, scan.lot, scan.expiry, scan.serial) == ("09501101020917", "ABCD1234", dt.date(2019, 5, 8), "10")


def test_gs1_128_without_symbology_identifier_and_quantity():
    scan = parse_scan("0109501101020917" + "3005")
    assert scan.gtin == "09501101020917" and scan.qty == 5


def test_sscc_with_symbology_identifier():
    assert parse_scan("]C100012345678900000017").sscc == "012345678900000017"


def test_plain_codes_stay_plain():
    assert parse_scan("A-01-02-3").text == "A-01-02-3" and not parse_scan("A-01-02-3").is_gs1
    assert parse_scan(" 5901234123457\n").gtin == "5901234123457"
    assert parse_scan("T-0001").gtin is None
