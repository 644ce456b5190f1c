"""scanners.regrid: a QR code on a waving label, which no earlier pass reads, comes back from the grid rebuilt
from its own finder and alignment patterns; where there is no QR code, nothing is drawn or read."""
from __future__ import annotations

import io

import cv2
import numpy as np
import segno

from scanners import regrid
from scanners.decode import PASSES, decode_gray
from scanners.readers import zxing

TEXT = "https://floor.example/crate/0042/bin-A-07"  # version 3: 29 modules, with an alignment pattern


def _waving(text: str, amplitude: float, period: float, scale: int = 5) -> np.ndarray:
    """A QR code on cloth: rows shift sideways and columns up and down in waves of `amplitude` modules
    every `period` modules, then a soft, noisy, low-contrast camera picture of it."""
    out = io.BytesIO()
    segno.make_qr(text, error="l").save(out, kind="png", scale=scale, border=6)
    code = cv2.imdecode(np.frombuffer(out.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    ys, xs = np.mgrid[0:code.shape[0], 0:code.shape[1]].astype(np.float32)
    across = xs + amplitude * scale * np.sin(2 * np.pi * ys / (period * scale))
    down = ys + amplitude * scale * np.sin(2 * np.pi * xs / (period * scale) + 1.0)
    frame = cv2.GaussianBlur(cv2.remap(code, across, down, cv2.INTER_LINEAR, borderValue=255), (0, 0), 1.0)
    noise = np.random.default_rng(1).normal(0, 4, frame.shape)
    return np.clip(frame * 0.7 + 40 + noise, 0, 255).astype(np.uint8)


def test_a_waving_qr_code_no_other_pass_reads_is_read_on_its_rebuilt_grid():
    frame = _waving(TEXT, amplitude=0.35, period=12)
    assert zxing(frame) == []  # zxing-cpp alone, with every format, rotation and inversion, reads nothing
    assert [(r.text, r.symbology, r.source) for r in decode_gray(frame)] == [(TEXT, "QRCode", "regrid+zxing")]


def test_the_grid_is_found_where_the_finder_patterns_are_and_is_as_big_as_the_code():
    frame = _waving(TEXT, amplitude=0.35, period=12)
    found = list(regrid.grids(frame))
    assert found and {n for _, n, _ in found} == {29}
    grid, n, module = found[0]
    corner = cv2.perspectiveTransform(np.float32([[[3.5, 3.5]]]), grid)[0, 0]
    assert abs(corner[0] - (6 + 3.5) * 5) < 5 and abs(corner[1] - (6 + 3.5) * 5) < 5  # within a module
    assert 4 < module < 6


def test_no_qr_code_means_no_drawing_and_no_read():
    regrid_pass = next(p for p in PASSES if p.name == "regrid+zxing")
    noise = np.random.default_rng(7).integers(0, 255, (480, 640)).astype(np.uint8)
    assert list(regrid.regridded(noise)) == []
    bars = np.tile(np.repeat(np.array([0, 255, 0, 0, 255, 255], np.uint8), 6), (200, 8))
    assert [read for drawing in regrid_pass.prepare(bars) for read in regrid_pass.reader(drawing)] == []


def test_a_fallback_read_of_a_micro_qr_code_alone_is_not_trusted():
    """Deblurring this waving QR code once made zxing-cpp see a Micro QR code "769" that is not there: with
    only a few check codewords, a Micro QR read from an enhanced frame needs a second pass to agree."""
    frame = _waving(TEXT, amplitude=0.35, period=20)
    assert all(r.symbology != "MicroQRCode" for r in decode_gray(frame))
    assert [r.text for r in decode_gray(frame)] in ([], [TEXT])
