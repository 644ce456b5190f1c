"""Turn the raw text of one scan into what it means.

A keyboard-wedge scanner types GS (ASCII 29) as itself or as a substitute; GS1 content may come
with or without a symbology identifier (]C1, ]d2, ]Q3, ...). GS1 parsing is biip's job.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import biip

GS = "\x1d"
# What scanners and keyboards make of GS when they cannot type it.
GS_SUBSTITUTES = ("<GS>", "{GS}", "\\x1d", "^]", "~1")
_GS1_SYMBOLOGY_PREFIXES = ("]C1", "]e0", "]d2", "]Q3", "]J1")


@dataclass(frozen=True)
class ParsedScan:
    raw: str
    text: str                      # the scan, trimmed, GS substitutes normalised
    gs1: dict[str, str] = field(default_factory=dict)  # AI -> value, for GS1 content
    gtin: str | None = None        # GTIN-14 from AI 01, or the GTIN the plain code is
    lot: str | None = None
    expiry: dt.date | None = None
    serial: str | None = None
    qty: int | None = None
    sscc: str | None = None

    @property
    def is_gs1(self) -> bool:
        return bool(self.gs1)

    def as_dict(self) -> dict:
        return {"text": self.text, "gs1": self.gs1 or None, "gtin": self.gtin, "lot": self.lot,
                "expiry": self.expiry.isoformat() if self.expiry else None, "serial": self.serial,
                "qty": self.qty, "sscc": self.sscc}


def normalise(raw: str) -> str:
    text = raw.strip("\r\n\t ")
    for sub in GS_SUBSTITUTES:
        text = text.replace(sub, GS)
    return text


def parse_scan(raw: str) -> ParsedScan:
    text = normalise(raw)
    looks_gs1 = text.startswith(_GS1_SYMBOLOGY_PREFIXES) or GS in text or (
        text[:2] in ("01", "00", "02") and len(text) >= 16 and text[:16].isdigit())  # (01)+GTIN alone is 16
    if not looks_gs1:
        gtin = text if text.isdigit() and len(text) in (8, 12, 13, 14) else None
        return ParsedScan(raw=raw, text=text, gtin=gtin)
    try:
        result = biip.parse(text, config=biip.ParseConfig(separator_chars=[GS]))
    except biip.ParseError:
        return ParsedScan(raw=raw, text=text)
    message = result.gs1_message
    if message is None:
        gtin = result.gtin.value if result.gtin else None
        return ParsedScan(raw=raw, text=text[3:] if text.startswith("]") else text, gtin=gtin)
    elements = {e.ai.ai: e.value for e in message.element_strings}
    expiry = next((e.date for e in message.element_strings if e.ai.ai == "17"), None)
    qty_text = elements.get("30") or elements.get("37")
    return ParsedScan(
        raw=raw, text=message.value, gs1=elements, gtin=elements.get("01") or elements.get("02"),
        lot=elements.get("10"), expiry=expiry, serial=elements.get("21"),
        qty=int(qty_text) if qty_text and qty_text.isdigit() else None, sscc=elements.get("00"),
    )
