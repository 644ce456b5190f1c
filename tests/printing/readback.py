"""Read documents back as a person's scanner would: PDF -> image (pdftoppm), ZPL -> image (zpl-renderer-js,
a third-party renderer run with node), then decode every barcode with zxing-cpp."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image

ZPL_DIR = Path(__file__).resolve().parent / "zpl"


def ensure_zpl_renderer() -> None:
    """npm ci into tests/printing/zpl (package-lock.json pins zpl-renderer-js) once."""
    if not (ZPL_DIR / "node_modules" / "zpl-renderer-js").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ZPL_DIR, check=True, capture_output=True,
                       timeout=600)


def pdf_pages(pdf: bytes, tmp_path: Path, dpi: int = 203) -> list[Path]:
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    out = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(out)], check=True, timeout=120)
    return sorted(tmp_path.glob("page*.png"))


def zpl_pages(zpl: bytes, tmp_path: Path, height_mm: float = 152.4) -> list[Path]:
    ensure_zpl_renderer()
    done = subprocess.run(["node", str(ZPL_DIR / "render.cjs"), str(tmp_path / "zpl"), "101.6", str(height_mm), "8"],
                          input=zpl, capture_output=True, check=True, timeout=120)
    return [Path(line) for line in done.stdout.decode().split()]


def codes(images: list[Path]) -> list[list[zxingcpp.Result]]:
    """Every barcode of every page, per page."""
    found = []
    for path in images:
        with Image.open(path) as image:
            found.append(list(zxingcpp.read_barcodes(image)))
    return found


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode()


def have_node() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None
