"""Synthetic camera frames: rendered codes placed on a paper-like background under one hard condition each.

Seeded, so every run sees the same frames. Codes: python-barcode (Code 128, GS1-128, EAN-13, UPC-A),
segno (QR), zxing-cpp's writer (DataMatrix).
"""
from __future__ import annotations

import random

import numpy as np

SYMBOLOGIES = ["Code128", "GS1-128", "EAN13", "UPCA", "QRCode", "DataMatrix"]
CONDITIONS = ["plain", "rotation", "perspective", "blur", "noise", "low-contrast", "small-modules"]
GS = "\x1d"


def _gtin(rng: random.Random, n: int) -> str:
    from scanners.checkdigits import gtin_check_digit
    body = "".join(rng.choice("0123456789") for _ in range(n - 1))
    return body + str(gtin_check_digit(body))


def _content(symbology: str, rng: random.Random) -> tuple[str, str]:
    """(what to encode, the truth a decoder must report)."""
    if symbology == "Code128":
        text = f"T-{rng.randint(0, 9999):04d}" if rng.random() < 0.5 else f"SKU-{rng.randint(10000, 99999)}"
        return text, text
    if symbology == "GS1-128":
        gtin, lot = _gtin(rng, 14), f"L{rng.randint(100, 999)}"
        return f"01{gtin}\xf110{lot}", f"01{gtin}{GS}10{lot}"
    if symbology == "EAN13":
        code = _gtin(rng, 13)
        return code, code
    if symbology == "UPCA":
        code = _gtin(rng, 12)
        return code, code
    text = f"https://floor.example/t/{rng.randint(0, 10**8)}" if symbology == "QRCode" else f"LOC-{rng.randint(0, 99999):05d}"
    return text, text


def _modules(symbology: str, data: str) -> np.ndarray:
    """The code at one pixel per module (0 = black, 255 = white), with its quiet zone."""
    if symbology == "QRCode":
        import segno
        qr = segno.make_qr(data, error="m")
        return np.where(np.array(qr.matrix, dtype=np.uint8) > 0, 0, 255).astype(np.uint8).repeat(1, 0)
    if symbology == "DataMatrix":
        import zxingcpp
        img = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.DataMatrix), scale=1)
        return np.array(img, dtype=np.uint8)
    import barcode
    name = {"Code128": "code128", "GS1-128": "gs1_128", "EAN13": "ean13", "UPCA": "upca"}[symbology]
    modules = barcode.get(name, data if symbology != "UPCA" else data[:11]).build()[0]  # "1" = bar
    row = np.array([0 if c == "1" else 255 for c in "0" * 10 + modules + "0" * 10], dtype=np.uint8)
    return row[None, :]


def _pad(m: np.ndarray, quiet: int) -> np.ndarray:
    return np.pad(m, quiet, constant_values=255)


def _render(symbology: str, data: str, module_px: float, rng: random.Random) -> np.ndarray:
    import cv2
    m = _modules(symbology, data)
    if m.shape[0] == 1:  # 1D: make bars tall (about 0.25 of the width, at least 40 modules)
        height = max(40, int(m.shape[1] * 0.25))
        m = np.repeat(m, height, axis=0)
        m = np.pad(m, ((4, 4), (0, 0)), constant_values=255)
    else:
        m = _pad(m, 2)
    size = (max(1, round(m.shape[1] * module_px)), max(1, round(m.shape[0] * module_px)))
    return cv2.resize(m, size, interpolation=cv2.INTER_AREA)


def _background(w: int, h: int, rng: random.Random) -> np.ndarray:
    import cv2
    base = rng.randint(150, 215)
    bg = np.full((h, w), base, np.float32)
    grad = np.linspace(-25, 25, w, dtype=np.float32)[None, :] * rng.choice((-1, 1))
    bg += grad
    texture = cv2.GaussianBlur(np.random.default_rng(rng.randint(0, 10**6)).normal(0, 12, (h, w)).astype(np.float32), (0, 0), 3)
    return np.clip(bg + texture, 0, 255)


def make_frame(symbology: str, condition: str, size: tuple[int, int], rng: random.Random) -> tuple[np.ndarray, str]:
    import cv2
    w, h = size
    data, truth = _content(symbology, rng)
    matrix = symbology in ("QRCode", "DataMatrix")
    module = rng.uniform(3.5, 5.0) if matrix else rng.uniform(2.0, 3.0)
    if condition == "small-modules":
        module = rng.uniform(1.6, 2.0) if matrix else rng.uniform(1.0, 1.3)
    code = _render(symbology, data, module, rng).astype(np.float32) / 255.0  # 0 ink .. 1 paper
    frame = _background(w, h, rng)
    ink, paper = rng.uniform(20, 50), None
    if condition == "low-contrast":
        ink = frame.mean() - rng.uniform(35, 50)
    ch, cw = code.shape
    scale = min(1.0, 0.9 * w / cw, 0.9 * h / ch)
    if scale < 1.0:
        code = cv2.resize(code, (int(cw * scale), int(ch * scale)), interpolation=cv2.INTER_AREA)
        ch, cw = code.shape
    # place the code (as a layer: ink where code is dark) with a transform
    x0, y0 = rng.randint(0, w - cw), rng.randint(0, h - ch)
    src = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    dst = src + np.float32([x0, y0])
    if condition == "rotation":
        angle = rng.choice((-1, 1)) * rng.uniform(15, 75) if matrix or rng.random() < 0.5 else rng.uniform(80, 100)
        centre = (w / 2, h / 2)
        rot = cv2.getRotationMatrix2D(centre, angle, 1.0)
        placed = src + np.float32([(w - cw) / 2, (h - ch) / 2])
        dst = cv2.transform(placed[None], rot)[0]
        fit = min(1.0, 0.95 * w / (np.ptp(dst[:, 0]) + 1), 0.95 * h / (np.ptp(dst[:, 1]) + 1))
        dst = (dst - dst.mean(0)) * fit + np.float32(centre)
    elif condition == "perspective":
        jitter = np.float32([[rng.uniform(-0.12, 0.12) * cw, rng.uniform(-0.15, 0.15) * ch] for _ in range(4)])
        dst = src + jitter
        dst -= dst.min(0)
        fit = min(1.0, 0.95 * w / (np.ptp(dst[:, 0]) + 1), 0.95 * h / (np.ptp(dst[:, 1]) + 1))
        dst = dst * fit + np.float32([(w - np.ptp(dst[:, 0]) * fit) / 2, (h - np.ptp(dst[:, 1]) * fit) / 2])
    homography = cv2.getPerspectiveTransform(src, np.float32(dst))
    layer = cv2.warpPerspective(1.0 - code, homography, (w, h), flags=cv2.INTER_LINEAR)  # 1 = ink
    label = cv2.warpPerspective(np.ones_like(code), homography, (w, h), flags=cv2.INTER_LINEAR)  # white label
    paper = min(255.0, frame.mean() + rng.uniform(25, 45)) if condition != "low-contrast" else frame.mean() + 5
    frame = frame * (1 - label) + paper * label
    frame = frame * (1 - layer) + ink * layer
    if condition == "blur":
        frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(1.2, 1.8) if not matrix else rng.uniform(1.5, 2.2))
    else:
        frame = cv2.GaussianBlur(frame, (0, 0), 0.6)
    noise = rng.uniform(14, 22) if condition == "noise" else 2.0
    frame = frame + np.random.default_rng(rng.randint(0, 10**6)).normal(0, noise, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8), truth


def frames(count: int, size: tuple[int, int] = (640, 480), seed: int = 4):
    """(condition, symbology, truth, frame) for count frames per symbology and condition."""
    rng = random.Random(seed * 1000 + size[0])
    for condition in CONDITIONS:
        for symbology in SYMBOLOGIES:
            for _ in range(count):
                frame, truth = make_frame(symbology, condition, size, rng)
                yield condition, symbology, truth, frame
