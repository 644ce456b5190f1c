"""Decode barcodes in a camera frame or a photo: zxing-cpp first, then fallbacks only when it finds nothing.

Passes, cheapest first; the first pass that yields a trusted read ends the search:
1. zxing-cpp on the frame as it is (rotations, downscaled copies, inverted, GS1 flagged);
2. pyzbar on the same frame, for 1D codes zxing-cpp missed;
3. OpenCV steps, each followed by zxing-cpp (and pyzbar where it helps): a global-histogram binarizer,
   contrast (CLAHE), unsharp mask, upscaling small frames, and crops of the regions that look like
   bars, deskewed and enlarged.
Whatever a fallback pass reads is kept only when `validate.plausible` says so (check digits, GS1).
An optional per-frame time budget stops the expensive passes for the live camera path.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .images import ImageError, load_gray
from .parse import GS, parse_scan
from .validate import plausible

__all__ = ["PASSES", "Decoded", "ImageError", "decode", "decode_gray"]

_ZBAR_NAMES = {"EAN13": "EAN13", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE", "I25": "ITF",
               "CODE128": "Code128", "CODE93": "Code93", "CODE39": "Code39", "CODABAR": "Codabar",
               "QRCODE": "QRCode", "DATABAR": "DataBar", "DATABAR_EXP": "DataBarExpanded", "ISBN13": "EAN13"}
_ZBAR_AIM = {"EAN13": "]E0", "EAN8": "]E4", "UPCA": "]E0", "UPCE": "]E0", "ITF": "]I0", "Code128": "]C0",
             "Code93": "]G0", "QRCode": "]Q1", "DataBar": "]e0", "DataBarExpanded": "]e0"}


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


# --- the readers: each returns Read tuples --------------------------------------------------------

class Read(NamedTuple):
    text: str
    symbology: str
    aim: str
    gs1: bool
    box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 in the frame read


RETAIL = {"EAN13", "EAN8", "UPCA", "UPCE"}  # 1D codes whose misreads still carry a valid check digit
MATRIX = {"QRCode", "MicroQRCode", "DataMatrix", "Aztec", "PDF417", "RMQRCode", "MaxiCode"}  # error-corrected


def zxing(gray: np.ndarray, *, binarizer: str = "LocalAverage", rotate: bool = True, downscale: bool = True,
          invert: bool = True, pure: bool = False, formats=None) -> list[Read]:
    import zxingcpp

    kwargs = {"formats": formats} if formats is not None else {}
    results = zxingcpp.read_barcodes(gray, try_rotate=rotate, try_downscale=downscale, try_invert=invert,
                                     text_mode=zxingcpp.TextMode.Plain, is_pure=pure,
                                     binarizer=getattr(zxingcpp.Binarizer, binarizer), **kwargs)
    out = []
    for r in results:
        if not r.valid or not r.text:
            continue
        name = r.format.name
        pos = r.position
        xs = (pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x)
        ys = (pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y)
        out.append(Read(r.text, "DataBarExpanded" if name == "DataBarExp" else name, r.symbology_identifier,
                        r.content_type == zxingcpp.ContentType.GS1, (min(xs), min(ys), max(xs), max(ys))))
    return out


def pyzbar(gray: np.ndarray) -> list[Read]:
    from pyzbar import pyzbar as zbar

    if min(gray.shape) < 8 or gray.size < 256:  # zbar is never fed degenerate frames
        return []
    out = []
    for r in zbar.decode(gray):
        name = _ZBAR_NAMES.get(r.type)
        if name is None:
            continue
        try:
            text = r.data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text:
            continue
        if r.type == "UPCA" and len(text) == 13 and text.startswith("0"):
            text = text[1:]
        is_gs1 = name in ("DataBar", "DataBarExpanded") or (name == "Code128" and GS in text and parse_scan(text).is_gs1)
        left, top, width, height = r.rect
        out.append(Read(text, name, _ZBAR_AIM.get(name, "]Z0"), is_gs1, (left, top, left + width, top + height)))
    return out


# --- OpenCV frame steps ------------------------------------------------------------------------

def _clahe(gray: np.ndarray) -> np.ndarray:
    import cv2
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray)


def _deblur(gray: np.ndarray, sigma: float = 1.5, iterations: int = 8) -> np.ndarray:
    """Richardson-Lucy deconvolution with a Gaussian blur: out-of-focus bars come back apart.

    Blur is what makes a camera read an EAN wrongly (bars merge, and a wrong code can still check);
    the deblurred frame both rescues such frames and checks what the plain frame gave.
    """
    import cv2
    observed = gray.astype(np.float32) / 255.0 + 1e-3
    estimate = observed.copy()
    for _ in range(iterations):
        blurred = cv2.GaussianBlur(estimate, (0, 0), sigma) + 1e-4
        estimate *= cv2.GaussianBlur(observed / blurred, (0, 0), sigma)
    return np.clip(estimate * 255.0, 0, 255).astype(np.uint8)


def _median(gray: np.ndarray) -> np.ndarray:
    import cv2
    return cv2.medianBlur(gray, 3)


def _scaled(gray: np.ndarray, factor: float) -> np.ndarray:
    import cv2
    h, w = gray.shape
    if factor > 1 and max(h, w) * factor > 2600:
        factor = 2600 / max(h, w)
    if abs(factor - 1) < 0.05:
        return gray
    return cv2.resize(gray, (max(16, int(w * factor)), max(16, int(h * factor))),
                      interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA)


def _regions(gray: np.ndarray, limit: int = 4) -> list[np.ndarray]:
    """Crops of the areas with strong, aligned gradients (bars), deskewed and enlarged."""
    import cv2

    h, w = gray.shape
    small = _scaled(gray, min(1.0, 640 / max(h, w)))
    scale = gray.shape[1] / small.shape[1]
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    grad = cv2.convertScaleAbs(cv2.absdiff(np.abs(gx), np.abs(gy)))
    grad = cv2.blur(grad, (9, 9))
    _, mask = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (21, 7)))
    mask = cv2.dilate(cv2.erode(mask, None, iterations=3), None, iterations=5)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    crops = []
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:limit]:
        if cv2.contourArea(contour) < 0.002 * small.size:
            break
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(contour)
        if rw < rh:
            rw, rh, angle = rh, rw, angle + 90
        rw, rh = rw * scale * 1.25 + 16, rh * scale * 1.4 + 16
        matrix = cv2.getRotationMatrix2D((cx * scale, cy * scale), angle, 1.0)
        matrix[0, 2] += rw / 2 - cx * scale
        matrix[1, 2] += rh / 2 - cy * scale
        crop = cv2.warpAffine(gray, matrix, (int(rw), int(rh)), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        if min(crop.shape) >= 16:
            crops.append(crop)
    return crops


# --- the pipeline ------------------------------------------------------------------------------

Reader = Callable[[np.ndarray], list[Read]]


class Pass(NamedTuple):
    name: str
    prepare: Callable[[np.ndarray], Iterable[np.ndarray]]
    reader: Reader
    trusted: bool = False


def _same(gray: np.ndarray) -> list[np.ndarray]:
    return [gray]


def _one(step):
    return lambda gray: [step(gray)]


def _small(step, limit: int):
    return lambda gray: [step(gray)] if max(gray.shape) <= limit else []


def _crop_reader(reader: Reader) -> Reader:
    return lambda crop: reader(_scaled(crop, max(1.0, 400 / crop.shape[1])))


PASSES = [
    Pass("zxing", _same, zxing, trusted=True),
    Pass("pyzbar", _same, pyzbar),
    Pass("deblur+zxing", _one(_deblur), zxing),
    Pass("deblur+pyzbar", _one(_deblur), pyzbar),
    Pass("global+zxing", _same, lambda g: zxing(g, binarizer="GlobalHistogram")),
    Pass("median+global+zxing", _one(_median), lambda g: zxing(g, binarizer="GlobalHistogram")),
    Pass("up2+zxing", _small(lambda g: _scaled(g, 2.0), 1000), zxing),
    Pass("clahe+zxing", _one(_clahe), zxing),
    Pass("up2+deblur+zxing", _small(lambda g: _deblur(_scaled(g, 2.0), 2.0), 700), zxing),
    Pass("crop+zxing", _regions, _crop_reader(zxing)),
    Pass("crop+pyzbar", _regions, _crop_reader(pyzbar)),
]


def _checked_by_deblur(gray: np.ndarray, read: Read) -> Read | None:
    """For an EAN/UPC read: the same area deblurred. None when it agrees or reads nothing, else what it read."""
    if read.box is None:
        return None
    x0, y0, x1, y1 = read.box
    h, w = gray.shape
    pad_x, pad_y = max(12, (x1 - x0) // 6), max(12, (y1 - y0) // 2 + 8)
    crop = gray[max(0, y0 - pad_y):min(h, y1 + pad_y), max(0, x0 - pad_x):min(w, x1 + pad_x)]
    if min(crop.shape) < 8:
        return None
    for other in zxing(_deblur(crop), downscale=False):
        if other.symbology in RETAIL and _key(other) != _key(read):
            # a second look must agree with the deblurred read before the plain read is doubted
            again = zxing(_deblur(crop, 2.0), downscale=False) + pyzbar(_deblur(crop))
            if any(_key(x) == _key(other) for x in again):
                return other
    return None


def _box_crop(frame: np.ndarray, box, pad_y_min: int = 12) -> np.ndarray | None:
    if box is None:
        return None
    x0, y0, x1, y1 = box
    h, w = frame.shape
    pad_x, pad_y = max(12, (x1 - x0) // 6), max(pad_y_min, (y1 - y0) // 2 + 8)
    crop = frame[max(0, y0 - pad_y):min(h, y1 + pad_y), max(0, x0 - pad_x):min(w, x1 + pad_x)]
    return crop if min(crop.shape) >= 8 else None


def _second_opinion(frame: np.ndarray, read: Read) -> set[str]:
    """Read the area of a fallback's 1D read again, other ways: the names of those that agree.

    Empty when any of them reads a different code there.
    """
    crop = _box_crop(frame, read.box)
    if crop is None:
        return set()
    agree = set()
    looks = (("up2-check+zxing", lambda c: zxing(_scaled(c, 2.0), downscale=False)),
             ("deblur-check+zxing", lambda c: zxing(_deblur(c), downscale=False)),
             ("up2-check+pyzbar", lambda c: pyzbar(_scaled(c, 2.0))))
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


def _agreed(read: Read, voters: set[str], votes: dict[tuple[str, str], set[str]]) -> bool:
    """Enough passes read this code: two, one of them zxing-cpp's, for EAN/UPC; or three pyzbar passes when
    no zxing-cpp pass has read a different EAN/UPC in this frame (pyzbar alone can be consistently wrong)."""
    if len(voters) < 2:
        return False
    if read.symbology not in RETAIL or any("zxing" in v for v in voters):
        return True
    rivals = [v for k, v in votes.items() if k[1] == "EAN" and k != _key(read)]
    return len(voters) >= 3 and not any("zxing" in v for voters_ in rivals for v in voters_)


def _decoded(read: Read, source: str) -> Decoded:
    return Decoded(read.text, read.symbology, read.aim, _gs1_fields(read.text, read.aim, read.gs1), source)


def decode_gray(gray: np.ndarray, *, budget_ms: float | None = None, passes=None) -> list[Decoded]:
    """Run the passes on a checked grayscale frame, stopping at the first trusted read or when over budget.

    zxing-cpp's plain read is trusted, except that an EAN/UPC read must not be contradicted by the
    deblurred frame. A fallback read is trusted when it is error-corrected (QR, DataMatrix, ...) and
    plausible, or when a second, different pass reads the same code: one pass alone is never enough
    for a 1D code.
    """
    start = time.perf_counter()
    votes: dict[tuple[str, str], set[str]] = {}
    for index, step in enumerate(passes or PASSES):
        if index and budget_ms is not None and (time.perf_counter() - start) * 1000 > budget_ms:
            break
        for frame in step.prepare(gray):
            reads = step.reader(frame)
            if step.trusted:
                accepted = []
                for read in reads:
                    other = _checked_by_deblur(gray, read) if read.symbology in RETAIL else None
                    if other is None:
                        accepted.append(_decoded(read, step.name))
                    else:  # the plain and the deblurred frame disagree: only the deblurred read gets a vote
                        votes.setdefault(_key(other), set()).add("deblur-check+zxing")
                if accepted:
                    return list({(d.text, d.symbology): d for d in accepted}.values())
                continue
            for read in reads:
                if not plausible(read.text, read.symbology, read.gs1):
                    continue
                if read.symbology in MATRIX:
                    return [_decoded(read, step.name)]
                voters = votes.setdefault(_key(read), set())
                voters.add(step.name)
                if read.symbology in RETAIL and not _agreed(read, voters, votes):
                    voters |= _second_opinion(frame, read)
                if _agreed(read, voters, votes):
                    return [_decoded(read, "+".join(sorted(voters)))]
    return []


def decode(image, *, budget_ms: float | None = None) -> list[Decoded]:
    """Every code found in `image` (PNG/JPEG/WebP bytes or a grayscale/BGR numpy array).

    Raises ImageError (a ValueError) with a one-sentence reason for an unusable picture.
    """
    return decode_gray(load_gray(image), budget_ms=budget_ms)
