"""scanners.decode's passes: the cheap zxing-cpp passes read what they should (upright 1D codes, light-on-dark
codes), the camera path's time budget keeps the first code and skips passes that cannot finish in time,
and a fallback 1D read is refused when the frame says otherwise."""
from __future__ import annotations

import time

import cv2
import numpy as np

from scanners.decode import PASSES, TRUSTED, Pass, decode_gray
from scanners.readers import Read

from .test_decode import _camera_like, _python_barcode


def _frame_with(*codes: tuple[str, str], size=(960, 480)) -> np.ndarray:
    """Rendered codes side by side on one grey frame."""
    frame = np.full((size[1], size[0]), 150, np.uint8)
    width = size[0] // len(codes)
    for index, (kind, data) in enumerate(codes):
        code = cv2.imdecode(np.frombuffer(_python_barcode(kind, data), np.uint8), cv2.IMREAD_GRAYSCALE)
        scale = min(0.9 * width / code.shape[1], 0.8 * size[1] / code.shape[0])
        code = cv2.resize(code, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        y, x = (size[1] - code.shape[0]) // 2, index * width + (width - code.shape[1]) // 2
        frame[y:y + code.shape[0], x:x + code.shape[1]] = code
    return frame


def test_an_upright_1d_code_is_read_on_the_frame_turned_a_quarter_and_its_box_is_in_the_frame():
    frame = np.ascontiguousarray(np.rot90(_frame_with(("code128", "LOC-A-01-02"), size=(640, 360)), -1))
    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    result = decode_gray(frame)
    assert [(r.text, r.source) for r in result] == [("LOC-A-01-02", "zxing-turned")]
    # the box the pass reports (used to check EAN/UPC reads again) lies on the code, not somewhere else
    upright = next(p for p in PASSES if p.name == "zxing-turned").reader(frame)
    x0, y0, x1, y1 = upright[0].box
    assert 0 <= x0 < x1 <= frame.shape[1] and 0 <= y0 < y1 <= frame.shape[0]
    assert y1 - y0 > x1 - x0  # taller than wide, as the upright code is
    assert frame[y0:y1, x0:x1].std() > 40  # bars there, not the plain background


def test_light_bars_on_a_dark_label_are_read_by_the_inverted_pass():
    frame = 255 - _camera_like(_python_barcode("code128", "TOTE-0815"), angle=3)
    assert [(r.text, r.source) for r in decode_gray(frame)] == [("TOTE-0815", "zxing-inverted")]


def test_without_a_budget_every_code_is_returned_with_one_the_first_code_is_enough():
    frame = _frame_with(("code128", "T-0001"), ("code128", "T-0002"))
    assert sorted(r.text for r in decode_gray(frame)) == ["T-0001", "T-0002"]
    live = decode_gray(frame, budget_ms=40)
    assert len(live) == 1 and live[0].text in ("T-0001", "T-0002") and live[0].source in TRUSTED


def test_on_the_camera_path_a_pass_that_cannot_finish_in_time_is_skipped_and_a_cheap_one_still_runs():
    ran = []

    def reader(name):
        def read(gray):
            ran.append(name)
            return []
        return read

    passes = [Pass("first", lambda g: [g], reader("first"), trusted=True, cost=1),
              Pass("slow", lambda g: [g], reader("slow"), cost=10_000),
              Pass("cheap", lambda g: [g], reader("cheap"), cost=1)]
    frame = np.full((480, 640), 200, np.uint8)
    assert decode_gray(frame, budget_ms=40, passes=passes) == []
    assert ran == ["first", "cheap"]
    ran.clear()
    assert decode_gray(frame, passes=passes) == []  # without a budget (files, photos) every pass runs
    assert ran == ["first", "slow", "cheap"]


def _fixed(*reads: Read):
    return lambda gray: list(reads)


def test_a_fallback_1d_read_is_refused_when_two_passes_read_another_code_unless_only_pyzbar_read_that_one():
    frame = np.full((120, 320), 200, np.uint8)
    right, other = "4006381333931", "9780201379624"  # both with valid check digits
    read = lambda text: Read(text, "EAN13", "]E0", False, None)
    agreeing = [Pass("a+zxing", lambda g: [g], _fixed(read(right))), Pass("b+zxing", lambda g: [g], _fixed(read(right)))]
    [alone] = decode_gray(frame, passes=agreeing)
    assert alone.text == right and alone.source == "a+zxing+b+zxing"
    # two pyzbar passes agree on another EAN (not enough for pyzbar alone, which can be consistently wrong):
    # against a code one zxing-cpp pass and one pyzbar pass read, the frame speaks for two codes, no read at all
    rival = [Pass("c+pyzbar", lambda g: [g], _fixed(read(other))), Pass("d+pyzbar", lambda g: [g], _fixed(read(other)))]
    mixed = [Pass("a+zxing", lambda g: [g], _fixed(read(right))), Pass("b+pyzbar", lambda g: [g], _fixed(read(right)))]
    assert decode_gray(frame, passes=mixed)[0].text == right
    assert decode_gray(frame, passes=rival + mixed) == []
    # but a rival only pyzbar passes read does not outvote two zxing-cpp passes (pyzbar misreads far more often)
    [read_] = decode_gray(frame, passes=rival + agreeing)
    assert read_.text == right
    one_pass = [Pass("a+zxing", lambda g: [g], _fixed(read(right)))]
    assert decode_gray(frame, passes=one_pass) == []  # one pass alone is never enough for a 1D code


def test_a_budget_ends_a_frame_with_no_code_early_without_a_budget_every_pass_runs():
    noise = np.random.default_rng(3).integers(0, 255, (480, 640)).astype(np.uint8)
    start = time.perf_counter()
    assert decode_gray(noise, budget_ms=1) == []
    quick = time.perf_counter() - start
    start = time.perf_counter()
    assert decode_gray(noise) == []
    assert quick < time.perf_counter() - start  # the same frame, all passes: longer (no absolute figure asserted)


def test_the_glare_and_blur_passes_each_read_a_blurred_ean_under_a_glare_spot():
    frame = _camera_like(_python_barcode("ean13", "978044101498"), angle=0, blur=1.6, seed=5)
    yy, xx = np.mgrid[0:480, 0:640]
    glare = 90 * np.exp(-((xx - 256) ** 2 + (yy - 240) ** 2) / (2 * 80 ** 2))  # a lamp's reflection on the label
    frame = np.clip(frame.astype(np.float32) + glare, 0, 255).astype(np.uint8)
    names = {"evened+deblur+zxing", "evened+deblur+pyzbar", "along+deblur+zxing", "along+deblur+pyzbar",
             "up2+along+deblur1.5+zxing", "up2+along+deblur1.5+pyzbar", "up2+evened+deblur1.5+pyzbar",
             "deblur2+clahe+zxing", "up2+deblur+clahe+zxing"}
    new = [p for p in PASSES if p.name in names]
    assert len(new) == len(names)
    for step in new:
        reads = [r for prepared in step.prepare(frame) for r in step.reader(prepared)]
        assert [(r.text, r.symbology) for r in reads] == [("9780441014989", "EAN13")], step.name
