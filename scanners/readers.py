"""The decoders the pipeline runs, each returning Read tuples: zxing-cpp, pyzbar and OpenCV's QR reader.

No decoder is ever fed a degenerate frame (pyzbar's zbar aborts the process on some tiny ones).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .parse import GS, parse_scan

_ZBAR_NAMES = {"EAN13": "EAN13", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE", "I25": "ITF",
               "CODE128": "Code128", "CODE93": "Code93", "CODE39": "Code39", "CODABAR": "Codabar",
               "QRCODE": "QRCode", "DATABAR": "DataBar", "DATABAR_EXP": "DataBarExpanded", "ISBN13": "EAN13"}
_ZBAR_AIM = {"EAN13": "]E0", "EAN8": "]E4", "UPCA": "]E0", "UPCE": "]E0", "ITF": "]I0", "Code128": "]C0",
             "Code93": "]G0", "QRCode": "]Q1", "DataBar": "]e0", "DataBarExpanded": "]e0"}


class Read(NamedTuple):
    text: str
    symbology: str
    aim: str
    gs1: bool
    box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 in the frame read


# What a warehouse floor meets; the cheap passes look for these only (every format costs a detector run).
LINEAR = ("Code128", "EAN13", "EAN8", "UPCA", "UPCE", "ITF", "Code39", "Code93", "Codabar",
          "DataBar", "DataBarExp", "DataBarLtd")
WAREHOUSE = LINEAR + ("QRCode", "MicroQRCode", "DataMatrix", "PDF417", "Aztec")
RETAIL_FORMATS = ("EAN13", "EAN8", "UPCA", "UPCE")

RETAIL = {"EAN13", "EAN8", "UPCA", "UPCE"}  # 1D codes whose misreads still carry a valid check digit
MATRIX = {"QRCode", "MicroQRCode", "DataMatrix", "Aztec", "PDF417", "RMQRCode", "MaxiCode"}  # error-corrected


def zxing(gray: np.ndarray, *, binarizer: str = "LocalAverage", rotate: bool = True, downscale: bool = True,
          invert: bool = True, pure: bool = False, formats=None, first: bool = False) -> list[Read]:
    """zxing-cpp's reads (all formats by default; `formats` names a subset). `first` stops at the first code
    found, which halves the time of a frame with one code (a camera scan wants one code per frame)."""
    import zxingcpp

    kwargs = {"formats": [getattr(zxingcpp.BarcodeFormat, name) for name in formats]} if formats is not None else {}
    read = zxingcpp.read_barcode if first else zxingcpp.read_barcodes
    results = read(gray, try_rotate=rotate, try_downscale=downscale, try_invert=invert,
                   text_mode=zxingcpp.TextMode.Plain, is_pure=pure,
                   binarizer=getattr(zxingcpp.Binarizer, binarizer), **kwargs)
    if first:
        results = [results] if results is not None else []
    out = []
    for r in results:
        # An ECI zxing-cpp has no character set for (a made-up or mixed one) gives no text; the bytes are
        # the content, given as Latin-1 like zxing-cpp gives binary content.
        text = r.text or bytes(r.bytes).decode("latin-1")
        if not r.valid or not text:
            continue
        name = r.format.name
        pos = r.position
        xs = (pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x)
        ys = (pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y)
        out.append(Read(text, "DataBarExpanded" if name == "DataBarExp" else name, r.symbology_identifier,
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


def opencv_qr(gray: np.ndarray) -> list[Read]:
    """OpenCV's QR reader for curved (crumpled, wrapped) codes, which zxing-cpp cannot sample."""
    import cv2

    if min(gray.shape) < 21:
        return []
    try:
        text, points, _ = cv2.QRCodeDetector().detectAndDecodeCurved(gray)
    except cv2.error:
        return []
    if not text or points is None:
        return []
    xs, ys = points.reshape(-1, 2)[:, 0], points.reshape(-1, 2)[:, 1]
    return [Read(text, "QRCode", "]Q1", False, (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())))]
