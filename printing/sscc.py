"""SSCC-18: the serial shipping container code printed on every carton (GS1 General Specifications 2.2).

extension digit (1) + GS1 company prefix (7-10) + serial reference (filling to 17) + mod-10 check digit.
"""
from __future__ import annotations

from scanners import gtin_check_digit


def make_sscc(company_prefix: str, serial: int, extension: int = 0) -> str:
    """The 18-digit SSCC for the `serial`-th carton of a company prefix."""
    if not company_prefix.isdigit() or not 6 <= len(company_prefix) <= 12:
        raise ValueError(f"GS1 company prefix {company_prefix!r} must be 6 to 12 digits")
    if not 0 <= extension <= 9:
        raise ValueError("the SSCC extension digit is one digit, 0 to 9")
    width = 16 - len(company_prefix)
    if serial < 0 or serial >= 10 ** width:
        raise ValueError(f"serial {serial} does not fit the {width} digits company prefix {company_prefix} leaves")
    body = f"{extension}{company_prefix}{serial:0{width}d}"
    return body + str(gtin_check_digit(body))


def is_valid_sscc(code: str) -> bool:
    return len(code) == 18 and code.isdigit() and gtin_check_digit(code[:-1]) == int(code[-1])


def sscc_hri(sscc: str) -> str:
    """The human-readable line under the barcode: (00) and the 18 digits."""
    return f"(00) {sscc}"
