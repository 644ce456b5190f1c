"""scanners.decode: codes rendered by python-barcode, reportlab and segno come back as they went in;
pictures that cannot be used are answered with a clear error and never crash the process."""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import sys
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

import scanners
from scanners.decode import TRUSTED, decode_gray

GS = "\x1d"


def _png(image: Image.Image | np.ndarray, fmt: str = "PNG") -> bytes:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    out = io.BytesIO()
    image.convert("L").save(out, format=fmt)
    return out.getvalue()


def _python_barcode(kind: str, data: str) -> bytes:
    import barcode
    from barcode.writer import ImageWriter
    return _png(barcode.get(kind, data, writer=ImageWriter()).render(writer_options={"write_text": False}))


def _camera_like(png: bytes, angle: float = 12, size=(640, 480), blur: float = 1.0, seed: int = 1) -> np.ndarray:
    """The rendered code on a grey frame, turned, a little blurred and noisy, as a phone camera sees it."""
    code = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    scale = min(0.7 * size[0] / code.shape[1], 0.7 * size[1] / code.shape[0])
    code = cv2.resize(code, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.full((size[1], size[0]), 140, np.uint8)
    y, x = (size[1] - code.shape[0]) // 2, (size[0] - code.shape[1]) // 2
    frame[y:y + code.shape[0], x:x + code.shape[1]] = code
    matrix = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), angle, 1.0)
    frame = cv2.warpAffine(frame, matrix, size, borderValue=140)
    frame = cv2.GaussianBlur(frame, (0, 0), blur)
    noise = np.random.default_rng(seed).normal(0, 4, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def _one(results) -> scanners.Decoded:
    assert len(results) == 1, results
    return results[0]


@pytest.mark.parametrize("kind, data, text, symbology", [
    ("code128", "T-0042", "T-0042", "Code128"),
    ("ean13", "400638133393", "4006381333931", "EAN13"),
    ("upca", "03600029145", "036000291452", "UPCA"),
    ("ean8", "9638507", "96385074", "EAN8"),
])
def test_python_barcode_codes_decode_back_from_files_and_camera_frames(kind, data, text, symbology):
    png = _python_barcode(kind, data)
    read = _one(scanners.decode(png))
    if symbology == "UPCA" and read.symbology == "EAN13":  # a UPC-A is an EAN-13 with a leading 0
        text, symbology = "0" + text, "EAN13"
    assert (read.text, read.symbology, read.gs1) == (text, symbology, None)
    framed = _one(scanners.decode(_camera_like(png)))
    assert framed.text.lstrip("0") == text.lstrip("0")


def test_gs1_128_comes_back_with_its_fields_parsed():
    png = _python_barcode("gs1_128", "0109501101530003\xf11724123110LOT-7\xf121S99")
    read = _one(scanners.decode(png))
    assert read.symbology == "Code128" and read.symbology_id == "]C1"
    assert read.gs1 == {"01": "09501101530003", "17": "241231", "10": "LOT-7", "21": "S99"}
    assert read.text == "0109501101530003" + GS + "1724123110LOT-7" + GS + "21S99"
    # what the scan box gets is what a scanner with AIM identifiers on would type: the server's parser reads it
    parsed = scanners.parse_scan(read.scan)
    assert parsed.gtin == "09501101530003" and parsed.lot == "LOT-7" and parsed.serial == "S99"


def test_segno_qr_codes_decode_back_also_as_jpeg_and_webp():
    import segno
    out = io.BytesIO()
    segno.make_qr("LOC-A-01-02", error="m").save(out, kind="png", scale=6, border=4)
    png = out.getvalue()
    for data in (png, _png(Image.open(io.BytesIO(png)), "JPEG"), _png(Image.open(io.BytesIO(png)), "WEBP")):
        read = _one(scanners.decode(data))
        assert (read.text, read.symbology) == ("LOC-A-01-02", "QRCode")
    assert _one(scanners.decode(_camera_like(png, angle=33))).text == "LOC-A-01-02"


def test_gs1_datamatrix_from_zxing_cpp_writer_keeps_gs_between_fields():
    import zxingcpp
    barcode = zxingcpp.create_barcode("T-0199", zxingcpp.BarcodeFormat.DataMatrix)
    image = np.array(zxingcpp.write_barcode_to_image(barcode, scale=6))
    read = _one(scanners.decode(np.pad(image, 24, constant_values=255)))
    assert (read.text, read.symbology) == ("T-0199", "DataMatrix")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils pdftoppm")
def test_reportlab_ean13_and_qr_on_a_pdf_page_decode_back(tmp_path):
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import createBarcodeDrawing
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "labels.pdf"
    page = canvas.Canvas(str(pdf), pagesize=(300, 200))
    renderPDF.draw(createBarcodeDrawing("EAN13", value="590123412345", barHeight=60, humanReadable=False), page, 20, 110)
    page.showPage()
    renderPDF.draw(createBarcodeDrawing("QR", value="TOTE T-0007", barWidth=120, barHeight=120), page, 40, 40)
    page.save()
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-gray", str(pdf), str(tmp_path / "p")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert _one(scanners.decode(pages[0].read_bytes())).text == "5901234123457"
    assert _one(scanners.decode(pages[1].read_bytes())).text == "TOTE T-0007"


def test_a_blurred_frame_is_read_by_a_fallback_pass_only_when_two_passes_agree():
    png = _python_barcode("ean13", "978020137962")
    frame = _camera_like(png, angle=4, blur=3.2, seed=3)
    results = decode_gray(frame)
    for read in results:  # whatever is read from a frame this blurred is the right code, never another one
        assert read.text == "9780201379624"
        if read.source not in TRUSTED:
            assert "+" in read.source  # two passes voted for it


def test_a_frame_without_a_code_gives_no_reads():
    noise = np.random.default_rng(7).integers(0, 255, (480, 640)).astype(np.uint8)
    assert scanners.decode(noise) == []
    assert scanners.decode(_png(np.full((480, 640), 200, np.uint8))) == []


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and header that claims a huge picture, with almost no data (a decompression bomb)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("data, says", [
    (b"", "empty"),
    (b"not a picture at all", "not a PNG, JPEG or WebP"),
    (_png_header_only(60000, 60000), "too big"),
    (_png(np.full((40, 40), 255, np.uint8), "GIF"), "GIF"),
    (_png(np.full((480, 640), 255, np.uint8))[:60], "could not be read"),
    (b"\xff\xd8\xff" + b"\x00" * 100, "could not be read"),
])
def test_pictures_that_cannot_be_used_get_a_clear_error(data, says):
    with pytest.raises(scanners.ImageError) as error:
        scanners.decode(data)
    assert says in str(error.value)
    assert str(error.value).endswith(".")


@pytest.mark.parametrize("array, says", [
    (np.zeros((0, 10), np.uint8), "empty"),
    (np.zeros((10, 10, 2), np.uint8), "grayscale"),
    (np.array([["a"]]), "numbers"),
    (np.full((10, 10), np.nan), "numbers"),
])
def test_arrays_that_cannot_be_used_get_a_clear_error(array, says):
    with pytest.raises(scanners.ImageError) as error:
        scanners.decode(array)
    assert says in str(error.value)


def test_tiny_and_truncated_pictures_never_crash_the_process():
    """Run in a child process: a decoder that aborts would kill it, and the test would see the signal."""
    script = """
import io, numpy as np, scanners
from PIL import Image
def png(a):
    out = io.BytesIO(); Image.fromarray(a).save(out, format="PNG"); return out.getvalue()
cases = [np.zeros((h, w), np.uint8) for h, w in [(1, 1), (1, 2), (2, 1), (3, 3), (1, 500), (500, 1), (7, 7), (16, 16)]]
full = png(np.random.default_rng(1).integers(0, 255, (300, 300)).astype(np.uint8))
for a in cases:
    scanners.decode(a); scanners.decode(png(a))
for cut in range(8, len(full), max(1, len(full) // 40)):
    try:
        scanners.decode(full[:cut])
    except scanners.ImageError:
        pass
print("survived")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "survived"


def test_the_decode_command_prints_codes_and_errors(tmp_path):
    good, bad = tmp_path / "label.png", tmp_path / "broken.png"
    good.write_bytes(_python_barcode("code128", "T-0042"))
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    done = subprocess.run([sys.executable, "-m", "floorapp.cli", "decode", str(good), str(bad)],
                          capture_output=True, text=True, timeout=120, check=False)
    lines = done.stdout.strip().splitlines()
    assert '"text": "T-0042"' in lines[0] and '"symbology": "Code128"' in lines[0]
    assert "could not be read" in lines[1]
    assert done.returncode == 1


def test_a_qr_code_with_an_eci_zxing_cpp_has_no_character_set_for_comes_back_as_its_bytes(monkeypatch):
    """zxing-cpp gives no text for such a code (it did for a real DataMatrix photo); its bytes are the content."""
    import segno
    import segno.encoder

    # segno writes the ECI of the encoding it is given; 100 is one no character set is assigned to
    monkeypatch.setattr(segno.encoder, "get_eci_assignment_number", lambda encoding: 100)
    content = b"\xe1\xa1 BOX 7".decode("latin-1")
    image = segno.make(content, encoding="latin-1", eci=True, micro=False)
    out = io.BytesIO()
    image.save(out, kind="png", scale=6)
    read = _one(scanners.decode(out.getvalue()))
    assert (read.text, read.symbology) == (content, "QRCode")
