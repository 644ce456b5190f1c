"""What arrived from a scanner, shown so a person can set the device up: control characters named,
the AIM symbology identifier recognised, GS1 fields listed, the time between keys summarised."""
from __future__ import annotations

from dataclasses import dataclass, field

from scanners.parse import GS, GS_SUBSTITUTES, parse_scan

CONTROL_NAMES = {0: "NUL", 4: "EOT", 9: "TAB", 10: "LF", 13: "CR", 28: "FS", 29: "GS", 30: "RS", 31: "US", 127: "DEL"}
AIM_NAMES = {"]C": "Code 128", "]E": "EAN/UPC", "]d": "DataMatrix", "]Q": "QR Code", "]e": "GS1 DataBar",
             "]I": "ITF", "]A": "Code 39", "]G": "Code 93", "]L": "PDF417", "]z": "Aztec", "]F": "Codabar"}


@dataclass
class Arrived:
    raw: str
    shown: str                       # control characters as <GS>, <CR>, ...
    codepoints: str                  # every character as hex
    aim: str | None                  # ]C1, ]E0, ... when the scanner sends AIM identifiers
    aim_name: str | None
    gs_seen: str | None              # "GS (ASCII 29)" or the substitute that stood for it
    gs1: dict[str, str] = field(default_factory=dict)
    text: str = ""
    gaps: list[int] = field(default_factory=list)
    source: str = ""

    @property
    def gap_summary(self) -> str:
        if not self.gaps:
            return "no key timing (the code arrived at once: pasted, or sent as one event)"
        ordered = sorted(self.gaps)
        return f"{len(self.gaps)} gaps, median {ordered[len(ordered) // 2]} ms, longest {ordered[-1]} ms"


def show(raw: str) -> str:
    out = []
    for ch in raw:
        n = ord(ch)
        out.append(f"<{CONTROL_NAMES.get(n, f'x{n:02X}')}>" if n < 32 or n == 127 else ch)
    return "".join(out)


def explain(raw: str, gaps: str, source: str) -> Arrived:
    raw = raw[:2000]
    aim = raw[:3] if raw.startswith("]") and len(raw) >= 3 else None
    gs_seen = "GS (ASCII 29)" if GS in raw else next((s for s in GS_SUBSTITUTES if s in raw), None)
    parsed = parse_scan(raw)
    gap_list = [int(x) for x in gaps.split(",") if x.strip().isdigit()][:500]
    return Arrived(raw=raw, shown=show(raw), codepoints=" ".join(f"{ord(c):02X}" for c in raw[:200]), aim=aim,
                   aim_name=AIM_NAMES.get(aim[:2]) if aim else None, gs_seen=gs_seen, gs1=dict(parsed.gs1),
                   text=show(parsed.text), gaps=gap_list, source=source[:20])
