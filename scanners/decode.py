"""Decode barcodes in a camera frame or a photo: one cheap zxing-cpp call first, fallbacks only when it finds nothing.

Passes, cheapest first; the first pass that yields a trusted read ends the search:
1. zxing-cpp on the frame as it is, looking only for the codes a warehouse meets, without rotating or
   inverting (about half the cost of a full zxing-cpp call; it reads most frames); then 1D codes on
   the frame turned a quarter; then the inverted frame (light bars on dark); then zxing-cpp with every
   format, rotation and inversion;
2. pyzbar on the same frame, for 1D codes zxing-cpp missed;
3. OpenCV steps (scanners.enhance), each followed by zxing-cpp or pyzbar: deblurring, a global
   binarizer, contrast (CLAHE), upscaling small frames, crops of the regions that look like bars, and
   OpenCV's reader for curved QR codes; last, creased QR codes drawn again on a grid rebuilt from their own
   finder and alignment patterns (scanners.regrid).
zxing-cpp's plain reads are trusted, except that an EAN/UPC read must not be contradicted by the
deblurred frame. Whatever a fallback pass reads is kept only when `validate.plausible` says so (check
digits, GS1), and a 1D read only when two different passes agree on it, no two passes agree on another
code of its kind in the frame (pyzbar passes alone do not outvote two zxing-cpp passes), and zxing-cpp's
plain read of it was not contradicted. An optional per-frame time budget is the live camera path: the
cheap zxing-cpp passes stop at the first code, and a pass whose usual cost (Pass.cost, measured by
bench/decode.py) would not fit in what is left is skipped.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import enhance, regrid
from .images import ImageError, load_gray
from .parse import parse_scan
from .readers import (
    LINEAR,
    MATRIX,
    RETAIL,
    RETAIL_FORMATS,
    WAREHOUSE,
    Read,
    opencv_qr,
    pyzbar,
    zxing,
)
from .validate import plausible

__all__ = ["CAMERA_BUDGET_MS", "PASSES", "TRUSTED", "Decoded", "ImageError", "decode", "decode_gray", "pyzbar", "zxing"]


@dataclass(frozen=True)
class Decoded:
    text: str                    # the content; GS1 element strings keep GS (ASCII 29) between fields
    symbology: str               # zxing-cpp's name: EAN13, UPCA, Code128, QRCode, DataMatrix, ...
    symbology_id: str            # the AIM identifier (]E0, ]C1, ]Q3, ]d2, ...)
    gs1: dict[str, str] | None   # AI -> value for GS1 content, else None
    source: str                  # which pass read it: zxing, pyzbar, clahe+zxing, crop+pyzbar, ...

    @property
    def scan(self) -> str:
        """What a hardware scanner with AIM identifiers on would type for GS1: ]C1 + GS-separated fields."""
        return self.symbology_id + self.text if self.gs1 else self.text

    def as_dict(self) -> dict:
        return {"text": self.text, "scan": self.scan, "symbology": self.symbology,
                "symbology_id": self.symbology_id, "gs1": self.gs1, "source": self.source}


def _gs1_fields(text: str, symbology_id: str, is_gs1: bool) -> dict[str, str] | None:
    if not is_gs1:
        return None
    return parse_scan(symbology_id + text).gs1 or None



# --- the pipeline ------------------------------------------------------------------------------

Reader = Callable[[np.ndarray], list[Read]]


class Pass(NamedTuple):
    name: str
    prepare: Callable[[np.ndarray], Iterable[np.ndarray]]
    reader: Reader
    trusted: bool = False
    live: Reader | None = None  # the reader with a time budget (the camera path): the first code found is enough
    cost: float = 0.0  # CPU ms it takes on a 640x480 frame (90th percentile of bench/decode.py's frames, one core)


def _same(gray: np.ndarray) -> list[np.ndarray]:
    return [gray]


def _one(step):
    return lambda gray: [step(gray)]


def _small(step, limit: int):
    return lambda gray: [step(gray)] if max(gray.shape) <= limit else []


def _crop_reader(reader: Reader) -> Reader:
    return lambda crop: reader(enhance.scaled(crop, max(1.0, 400 / crop.shape[1])))



def _plain(gray: np.ndarray, first: bool = False) -> list[Read]:
    return zxing(gray, rotate=False, invert=False, formats=WAREHOUSE, first=first)


def _turned(gray: np.ndarray, first: bool = False) -> list[Read]:
    """1D codes standing upright: read on the frame turned a quarter, boxes given back in the frame's coordinates."""
    width = gray.shape[1]
    reads = zxing(np.ascontiguousarray(np.rot90(gray)), rotate=False, invert=False, formats=LINEAR, first=first)
    # np.rot90 turns counter-clockwise: frame (x, y) is at (y, width - 1 - x) in the turned frame
    return [r._replace(box=(width - 1 - r.box[3], r.box[0], width - 1 - r.box[1], r.box[2])) if r.box else r
            for r in reads]


def _inverted(gray: np.ndarray, first: bool = False) -> list[Read]:
    return zxing(255 - gray, rotate=False, invert=False, formats=WAREHOUSE, first=first)


def _up2_clahe_otsu(gray: np.ndarray) -> np.ndarray:
    return enhance.otsu(enhance.clahe(enhance.scaled(gray, 2.0)))


def _up2_along_deblur(gray: np.ndarray) -> np.ndarray:
    return enhance.deblur(enhance.scaled(enhance.along_bars(gray), 2.0), 1.5)


def _up2_evened_deblur(gray: np.ndarray) -> np.ndarray:
    return enhance.deblur(enhance.scaled(enhance.evened(gray), 2.0), 1.5)


def _up2_deblur_clahe(gray: np.ndarray) -> np.ndarray:
    return enhance.clahe(enhance.deblur(enhance.scaled(gray, 2.0)))


def _drawn_qr(drawing: np.ndarray) -> list[Read]:
    """A QR code drawn clean by scanners.regrid: zxing-cpp reads it as a pure code, without searching."""
    return zxing(drawing, pure=True, rotate=False, invert=False, downscale=False, formats=("QRCode",))


def _first(reader):
    return lambda gray: reader(gray, first=True)


PASSES = [
    Pass("zxing", _same, _plain, trusted=True, live=_first(_plain), cost=11),
    Pass("zxing-turned", _same, _turned, trusted=True, live=_first(_turned), cost=9),
    Pass("zxing-inverted", _same, _inverted, trusted=True, live=_first(_inverted), cost=13),
    Pass("zxing-all", _same, zxing, trusted=True, cost=36),
    Pass("pyzbar", _same, pyzbar, cost=37),
    Pass("deblur+zxing", _one(enhance.deblur), zxing, cost=40),
    Pass("deblur+pyzbar", _one(enhance.deblur), pyzbar, cost=42),
    Pass("global+zxing", _same, lambda g: zxing(g, binarizer="GlobalHistogram"), cost=20),
    Pass("median+global+zxing", _one(enhance.median), lambda g: zxing(g, binarizer="GlobalHistogram"), cost=7),
    Pass("up2+zxing", _small(lambda g: enhance.scaled(g, 2.0), 1000), zxing, cost=68),
    Pass("clahe+zxing", _one(enhance.clahe), zxing, cost=41),
    Pass("up2+deblur+zxing", _small(lambda g: enhance.deblur(enhance.scaled(g, 2.0), 2.0), 700), zxing, cost=119),
    Pass("clahe+pyzbar", _one(enhance.clahe), pyzbar, cost=43),
    Pass("deblur10+zxing", _one(lambda g: enhance.deblur(g, 1.5, 10)), zxing, cost=40),
    Pass("deblur2+zxing", _one(lambda g: enhance.deblur(g, 2.0, 10)), zxing, cost=47),
    Pass("sharpen+zxing", _one(enhance.sharpened), zxing, cost=39),
    Pass("up2+deblur1.5+zxing", _small(lambda g: enhance.deblur(enhance.scaled(g, 2.0), 1.5), 700), zxing, cost=115),
    Pass("up2+deblur1.5+pyzbar", _small(lambda g: enhance.deblur(enhance.scaled(g, 2.0), 1.5), 700), pyzbar, cost=127),
    Pass("crop+zxing", enhance.regions, _crop_reader(zxing), cost=15),
    Pass("crop+pyzbar", enhance.regions, _crop_reader(pyzbar), cost=10),
    Pass("up2+clahe+zxing", _small(lambda g: enhance.clahe(enhance.scaled(g, 2.0)), 700), zxing, cost=84),
    Pass("up2+clahe+otsu+zxing", _small(_up2_clahe_otsu, 700), zxing, cost=60),
    Pass("up2+clahe+otsu+pyzbar", _small(_up2_clahe_otsu, 700), pyzbar, cost=60),
    Pass("evened+deblur+zxing", _one(lambda g: enhance.deblur(enhance.evened(g))), zxing, cost=37),
    Pass("evened+deblur+pyzbar", _one(lambda g: enhance.deblur(enhance.evened(g))), pyzbar, cost=49),
    Pass("along+deblur+zxing", _one(lambda g: enhance.deblur(enhance.along_bars(g))), zxing, cost=27),
    Pass("along+deblur+pyzbar", _one(lambda g: enhance.deblur(enhance.along_bars(g))), pyzbar, cost=31),
    Pass("up2+along+deblur1.5+zxing", _small(_up2_along_deblur, 700), zxing, cost=102),
    Pass("up2+along+deblur1.5+pyzbar", _small(_up2_along_deblur, 700), pyzbar, cost=106),
    Pass("up2+evened+deblur1.5+pyzbar", _small(_up2_evened_deblur, 700), pyzbar, cost=136),
    Pass("deblur2+clahe+zxing", _one(lambda g: enhance.clahe(enhance.deblur(g, 2.0))), zxing, cost=46),
    Pass("up2+deblur+clahe+zxing", _small(_up2_deblur_clahe, 700), zxing, cost=135),
    Pass("curved-qr", _small(lambda g: g, 1600), opencv_qr, cost=30),
    Pass("up1.5+otsu+curved-qr", _small(lambda g: enhance.otsu(enhance.scaled(g, 1.5)), 800), opencv_qr, cost=37),
    Pass("regrid+zxing", lambda g: regrid.regridded(g) if max(g.shape) <= 1600 else (), _drawn_qr, cost=51),
]
TRUSTED = {p.name for p in PASSES if p.trusted}
COST_MARGIN = 1.25  # a pass starts on the camera path only if 1.25x its usual cost fits in what is left of the budget
# The camera endpoint's budget per frame (floorapp's CAMERA_BUDGET_MS default). Issue 4 asks p99 <= 40 ms per
# 640x480 frame: a 40 ms budget ends frames at about 40 ms, and a loaded 2-core server then goes over;
# 30 ms leaves a quarter for load and still reads more synthetic frames than any library alone on every condition.
CAMERA_BUDGET_MS = 30.0


def _box_crop(frame: np.ndarray, box, pad_y_min: int = 12) -> np.ndarray | None:
    if box is None:
        return None
    x0, y0, x1, y1 = box
    h, w = frame.shape
    pad_x, pad_y = max(12, (x1 - x0) // 6), max(pad_y_min, (y1 - y0) // 2 + 8)
    crop = frame[max(0, y0 - pad_y):min(h, y1 + pad_y), max(0, x0 - pad_x):min(w, x1 + pad_x)]
    return crop if min(crop.shape) >= 8 else None


def _band(crop: np.ndarray | None) -> np.ndarray | None:
    """The middle band across the bars of a 1D code's crop: every row says the same, deblurring a quarter is cheaper."""
    if crop is None:
        return None
    h, w = crop.shape
    keep = max(48, max(h, w) // 4)
    if w >= h > keep:
        return crop[(h - keep) // 2:(h - keep) // 2 + keep]
    if h > w > keep:
        return crop[:, (w - keep) // 2:(w - keep) // 2 + keep]
    return crop


def _retail(gray: np.ndarray) -> list[Read]:
    return zxing(gray, downscale=False, invert=False, formats=RETAIL_FORMATS)


def _checked_by_deblur(gray: np.ndarray, read: Read) -> Read | None:
    """For an EAN/UPC read: the same area deblurred. None when it agrees or reads nothing, else what it read."""
    crop = _band(_box_crop(gray, read.box))
    if crop is None:
        return None
    for other in _retail(enhance.deblur(crop)):
        if _key(other) != _key(read):
            # a second look must agree with the deblurred read before the plain read is doubted
            again = _retail(enhance.deblur(crop, 2.0)) + pyzbar(enhance.deblur(crop))
            if any(_key(x) == _key(other) for x in again):
                return other
    return None


def _second_opinion(frame: np.ndarray, read: Read) -> set[str]:
    """Read the area of a fallback's 1D read again, other ways: the names of those that agree.

    Empty when any of them reads a different code there.
    """
    crop = _box_crop(frame, read.box)
    if crop is None:
        return set()
    agree = set()
    looks = (("up2-check+zxing", lambda c: zxing(enhance.scaled(c, 2.0), downscale=False)),
             ("deblur-check+zxing", lambda c: zxing(enhance.deblur(c), downscale=False)),
             ("up2-check+pyzbar", lambda c: pyzbar(enhance.scaled(c, 2.0))))
    for name, look in looks:
        for other in look(crop):
            if _key(other) == _key(read):
                agree.add(name)
            elif other.symbology in RETAIL or other.symbology == read.symbology:
                return set()
    return agree


def _digits(text: str) -> str:
    return text.lstrip("0")


def _key(read: Read) -> tuple[str, str]:
    """Reads of one code by different passes (UPC-A may come as EAN-13 with a leading 0)."""
    return (_digits(read.text), "EAN") if read.symbology in RETAIL else (read.text, read.symbology)


# Error-corrected, but with so few check codewords (a Micro QR M1 has 2, of which only error detection)
# that a blurred or sharpened frame of something else can come out as one: a fallback read of it needs a
# second pass that agrees, as a 1D code does. (A waving QR code once came back as Micro QR "769".)
FEW_CHECK_CODEWORDS = {"MicroQRCode"}


def _outvoted(rival: set[str], voters: set[str]) -> bool:
    """A rival read only by pyzbar passes does not count against a code that two zxing-cpp passes agree on.

    On the real photos pyzbar alone misreads 17 codes with valid check digits (often from the bottom rows of
    a tilted code), zxing-cpp alone 3: pyzbar passes agreeing with each other are weaker evidence.
    """
    return all("pyzbar" in v for v in rival) and sum("zxing" in v for v in voters) >= 2


def _agreed(read: Read, voters: set[str], votes: dict[tuple[str, str], set[str]], doubted: set) -> bool:
    """Enough passes read this code, and nothing in the frame speaks against it.

    Two passes, one of them zxing-cpp's, for EAN/UPC; or three pyzbar passes (pyzbar alone can be
    consistently wrong) when no zxing-cpp pass read another EAN/UPC. Never when two passes agree on a
    different code of the same kind in this frame (unless only pyzbar passes read that one and two
    zxing-cpp passes read this one), or when zxing-cpp's plain read of it was contradicted by the
    deblurred frame.
    """
    key = _key(read)
    if len(voters) < 2 or key in doubted:
        return False
    rivals = [v for k, v in votes.items() if k != key and k[1] == key[1]]
    if any(len(v) >= 2 and not _outvoted(v, voters) for v in rivals):  # two passes agree on another code here
        return False
    if read.symbology not in RETAIL or any("zxing" in v for v in voters):
        return True
    return len(voters) >= 3 and not any("zxing" in v for voters_ in rivals for v in voters_)


def _decoded(read: Read, source: str) -> Decoded:
    return Decoded(read.text, read.symbology, read.aim, _gs1_fields(read.text, read.aim, read.gs1), source)


def decode_gray(gray: np.ndarray, *, budget_ms: float | None = None, passes=None) -> list[Decoded]:
    """Run the passes on a checked grayscale frame, stopping at the first trusted read or when over budget.

    With a budget (the live camera path) zxing-cpp's cheap passes stop at the first code they find; without
    one (files, photos) they return every code in the frame.

    zxing-cpp's plain read is trusted, except that an EAN/UPC read must not be contradicted by the
    deblurred frame. A fallback read is trusted when it is error-corrected (QR, DataMatrix, ...) and
    plausible, or when a second, different pass reads the same code: one pass alone is never enough
    for a 1D code.
    """
    start = time.perf_counter()

    def over_budget() -> bool:
        return budget_ms is not None and (time.perf_counter() - start) * 1000 > budget_ms

    votes: dict[tuple[str, str], set[str]] = {}
    doubted: set[tuple[str, str]] = set()  # zxing-cpp's plain reads that the deblurred frame contradicted
    scale = gray.size / (640 * 480)

    def no_time_for(step: Pass) -> bool:
        """On the camera path: would this pass, at its usual cost, end after the budget?"""
        return budget_ms is not None and (time.perf_counter() - start) * 1000 + COST_MARGIN * step.cost * scale > budget_ms

    for index, step in enumerate(passes or PASSES):
        if index and (over_budget() or no_time_for(step)):
            continue  # this pass would not end in time; a cheaper one further on still may
        reader = step.live if budget_ms is not None and step.live else step.reader
        for number, frame in enumerate(step.prepare(gray)):
            if number and over_budget():  # crops: one more only while time is left
                break
            reads = reader(frame)
            if step.trusted:
                accepted = []
                for read in reads:
                    other = _checked_by_deblur(gray, read) if read.symbology in RETAIL else None
                    if other is None:
                        accepted.append(_decoded(read, step.name))
                    else:  # the plain and the deblurred frame disagree: only the deblurred read gets a vote
                        votes.setdefault(_key(other), set()).add("deblur-check+zxing")
                        doubted.add(_key(read))
                if accepted:
                    return list({(d.text, d.symbology): d for d in accepted}.values())
                continue
            for read in reads:
                if not plausible(read.text, read.symbology, read.gs1):
                    continue
                if read.symbology in MATRIX and read.symbology not in FEW_CHECK_CODEWORDS:
                    return [_decoded(read, step.name)]
                voters = votes.setdefault(_key(read), set())
                voters.add(step.name)
                if read.symbology in RETAIL and not _agreed(read, voters, votes, doubted):
                    voters |= _second_opinion(frame, read)
                if _agreed(read, voters, votes, doubted):
                    return [_decoded(read, "+".join(sorted(voters)))]
    return []


def decode(image, *, budget_ms: float | None = None) -> list[Decoded]:
    """Every code found in `image` (PNG/JPEG/WebP bytes or a grayscale/BGR numpy array).

    Raises ImageError (a ValueError) with a one-sentence reason for an unusable picture.
    """
    return decode_gray(load_gray(image), budget_ms=budget_ms)
