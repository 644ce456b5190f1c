"""Is a read plausible? A wrong read on a warehouse floor is worse than no read.

Reads from the fallback passes (pyzbar, enhanced or cropped frames) are kept only when what can be
checked checks out: GTIN/SSCC check digits, UPC-E expanded, GS1 element strings that parse with
valid check digits, ITF only as a GTIN, and no symbology without a check character at all.
"""
from __future__ import annotations

from biip import ParseConfig, ParseError
from biip.gs1_messages import GS1Message

from .checkdigits import gtin_check_digit, is_valid_gtin
from .parse import GS

# Symbologies whose decoders verify a check character or error correction of their own.
SELF_CHECKING = {"Code128", "Code93", "QRCode", "MicroQRCode", "DataMatrix", "Aztec", "PDF417",
                 "DataBar", "DataBarExpanded", "DataBarLimited", "MaxiCode", "RMQRCode"}
GTIN_LENGTHS = {"EAN13": (13,), "EAN8": (8,), "UPCA": (12,), "ITF": (8, 12, 14, 18)}


def upce_to_upca(code: str) -> str | None:
    """Expand an 8-digit UPC-E (number system, 6 digits, check) to its 12-digit UPC-A."""
    if len(code) != 8 or not code.isdigit() or code[0] not in "01":
        return None
    ns, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body + check


def gs1_ok(text: str) -> bool:
    """A GS1 element string (GS separated) that biip parses, with valid check digits in it."""
    try:
        message = GS1Message.parse(text, config=ParseConfig(separator_chars=[GS]))
    except (ParseError, ValueError):
        return False
    for element in message.element_strings:
        if element.ai.ai in ("00", "01", "02", "410", "411", "412", "413", "414", "415") and not is_valid_gtin(element.value):
            return False
    return bool(message.element_strings)


def plausible(text: str, symbology: str, gs1: bool) -> bool:
    """True when a fallback read may be trusted."""
    if not text or "\x00" in text:
        return False
    if gs1:
        return gs1_ok(text)
    if symbology == "UPCE" and len(text) in (12, 13):
        return is_valid_gtin(text)
    if symbology == "UPCE":
        upca = upce_to_upca(text)
        return upca is not None and gtin_check_digit(upca[:-1]) == int(upca[-1])
    if symbology in GTIN_LENGTHS:
        return len(text) in GTIN_LENGTHS[symbology] and is_valid_gtin(text)
    return symbology in SELF_CHECKING
