"""Carton (SSCC) labels, 4x6 shipping labels and code labels as ZPL II for Zebra printers at 203 dpi.

Plain string building (thousands of labels a second). Text is UTF-8 (^CI28); field data is escaped with
^FH so a '^' or '~' in an address cannot end the field.
"""
from __future__ import annotations

from collections.abc import Iterable

from printing.model import Address, CartonLabel, CodeLabel, ShippingLabel
from printing.sscc import sscc_hri

DPI = 203
WIDTH, HEIGHT = 812, 1218   # 4 x 6 in at 203 dpi
MARGIN = 30


def _field(text: str) -> str:
    """Field data with ^ ~ and _ written as hex escapes (^FH_)."""
    return "".join(f"_{ord(c):02X}" if c in "^~_" else c for c in text)


def _text(x: int, y: int, text: str, height: int = 30, width: int = 0, bold: bool = False) -> str:
    block = f"^FB{width},1,0,L,0" if width else ""
    return f"^FO{x},{y}^A0N,{height},{height if not bold else int(height * 1.1)}{block}^FH_^FD{_field(text)}^FS"


def _address(x: int, y: int, heading: str, address: Address, height: int, width: int) -> list[str]:
    out = [_text(x, y, heading, 20)]
    y += 26
    for index, line in enumerate(address.printed_lines()):
        out.append(_text(x, y, line, height + (4 if index == 0 else 0), width))
        y += height + 8
    return out


def _code128(y: int, data: str, height: int, gs1_ai: str = "") -> str:
    """A Code 128 barcode centred on the label, bars as wide as fit (2 to 4 dots).

    With `gs1_ai` it is GS1-128 (mode D: the printer adds FNC1 after the start character)."""
    content = gs1_ai + data
    digits = content.isdigit() and len(content) % 2 == 0
    modules = ((len(content) // 2 + 3 + bool(gs1_ai)) if digits else (len(content) + 3)) * 11 + 2
    bar = max(2, min(4, (WIDTH - 2 * MARGIN - 40) // modules))
    x = max(MARGIN, (WIDTH - modules * bar) // 2)
    field = f"({gs1_ai}){data}" if gs1_ai else _field(data)
    return f"^FO{x},{y}^BY{bar},3^BCN,{height},N,N,N,{'D' if gs1_ai else 'N'}^FH_^FD{field}^FS"


def _rule(y: int) -> str:
    return f"^FO{MARGIN},{y}^GB{WIDTH - 2 * MARGIN},4,4^FS"


def _begin() -> list[str]:
    return ["^XA", "^CI28", f"^PW{WIDTH}", f"^LL{HEIGHT}", "^LH0,0"]


def carton_label_zpl(label: CartonLabel) -> bytes:
    inner = WIDTH - 2 * MARGIN
    count = f"{label.carton_no} of {label.carton_count}" if label.carton_count else str(label.carton_no)
    parts = _begin()
    parts += _address(MARGIN, MARGIN, "FROM", label.ship_from, 22, inner // 2 - 10)
    parts += _address(WIDTH // 2, MARGIN, "TO", label.ship_to, 30, inner // 2)
    parts += [_rule(320), _text(MARGIN, 345, "ORDER", 20), _text(MARGIN, 375, label.order_ref, 50, inner * 6 // 10),
              _text(WIDTH * 68 // 100, 345, "CARTON", 20), _text(WIDTH * 68 // 100, 375, count, 50)]
    if label.weight_g:
        parts.append(_text(MARGIN, 440, f"Weight {label.weight_g / 1000:.2f} kg", 28))
    if label.date:
        parts.append(_text(WIDTH * 68 // 100, 440, label.date.isoformat(), 28))
    parts += [_rule(550), _text(MARGIN, 580, "SSCC", 20),
              # GS1-128: subset C with FNC1 (mode D: the (00) marks the AI; the printer adds FNC1).
              _code128(640, label.sscc, 330, gs1_ai="00"),
              f"^FO{MARGIN},1040^A0N,48,48^FB{inner},1,0,C,0^FD{sscc_hri(label.sscc)}^FS", "^XZ"]
    return "\n".join(parts).encode("utf-8")


def shipping_label_zpl(label: ShippingLabel) -> bytes:
    inner = WIDTH - 2 * MARGIN
    parts = _begin()
    parts += _address(MARGIN, MARGIN, "FROM", label.ship_from, 20, inner * 55 // 100)
    right = WIDTH * 62 // 100
    parts += [_text(right, MARGIN + 10, f"{label.weight_g / 1000:.2f} kg", 40)]
    if label.date:
        parts.append(_text(right, MARGIN + 60, label.date.isoformat(), 26))
    parts += [_text(right, MARGIN + 95, f"Order {label.order_ref}", 26, inner * 38 // 100), _rule(250)]
    parts += _address(MARGIN, 270, "SHIP TO", label.ship_to, 40, inner * 62 // 100)
    parts += [f"^FO{WIDTH - MARGIN - 250},290^BQN,2,6^FH_^FDMA,{_field(label.two_d_content)}^FS",
              _rule(575), _text(MARGIN, 600, label.carrier.upper(), 64, inner // 2),
              _text(WIDTH // 2, 610, label.service.upper(), 44, inner // 2), _rule(690),
              _text(MARGIN, 710, "TRACKING #", 20),
              _code128(750, label.tracking, 270),
              f"^FO{MARGIN},1050^A0N,44,44^FB{inner},1,0,C,0^FD{label.tracking}^FS"]
    if label.sscc:
        parts.append(_text(MARGIN, 1150, f"SSCC {label.sscc}", 22))
    parts.append("^XZ")
    return "\n".join(parts).encode("utf-8")


def code_labels_zpl(labels: Iterable[CodeLabel]) -> bytes:
    """4x2 in location, product or tote labels, one ^XA..^XZ each, in one print job."""
    height = 406
    inner = WIDTH - 2 * MARGIN
    out = []
    for label in labels:
        parts = ["^XA", "^CI28", f"^PW{WIDTH}", f"^LL{height}",
                 _code128(25, label.code, 180),
                 f"^FO{MARGIN},225^A0N,60,60^FB{inner},1,0,C,0^FH_^FD{_field(label.code)}^FS"]
        if label.title:
            parts.append(_text(MARGIN, 300, label.title, 30, inner))
        if label.subtitle:
            parts.append(_text(MARGIN, 345, label.subtitle, 24, inner))
        parts.append("^XZ")
        out.append("\n".join(parts))
    return "\n".join(out).encode("utf-8")
