"""GS1 mod-10 check digits (GTIN-8/12/13/14, SSCC-18)."""
from __future__ import annotations


def gtin_check_digit(payload: str) -> int:
    """The check digit for the digits before it (GS1 mod 10: weights 3,1 from the right)."""
    if not payload.isdigit():
        raise ValueError(f"{payload!r} is not all digits")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """True for a GTIN-8, UPC-A (12), GTIN-13, GTIN-14 or SSCC-18 whose last digit checks."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14, 18):
        return False
    return gtin_check_digit(code[:-1]) == int(code[-1])
