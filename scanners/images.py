"""Turn what a camera or a file gives us into one grayscale frame, refusing anything hostile first.

Limits are checked on the header before any pixel is decoded (a small file can claim a huge image),
and again on the decoded frame. Every refusal is an ImageError with a sentence a person understands.
"""
from __future__ import annotations

import io
import warnings

import numpy as np

MAX_BYTES = 12 * 1024 * 1024          # an encoded frame or photo
MAX_PIXELS = 24_000_000               # about 6000 x 4000, a big phone photo
MAX_SIDE = 10_000
MIN_SIDE = 1                          # one row of a 1D code can be read; zero pixels cannot
_FORMATS = {"PNG", "JPEG", "WEBP"}


class ImageError(ValueError):
    """The picture cannot be used; the message says why, in one sentence."""


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageError("The picture is empty (zero pixels wide or high).")
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageError(f"The picture is too small ({width}x{height} pixels); send at least {MIN_SIDE}x{MIN_SIDE}.")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageError(f"The picture is too big ({width}x{height} pixels); send at most {MAX_PIXELS // 1_000_000} megapixels.")


def _header_size(data: bytes) -> tuple[int, int]:
    """Width and height from the header alone (Pillow opens lazily), and the format must be one we take."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                fmt, size = im.format, im.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageError("The picture could not be read: it is not a PNG, JPEG or WebP image, or it is damaged.") from error
    except Image.DecompressionBombError as error:
        raise ImageError("The picture is too big to read.") from error
    if fmt not in _FORMATS:
        raise ImageError(f"The picture is a {fmt} image; send PNG, JPEG or WebP.")
    return size


def _from_bytes(data: bytes) -> np.ndarray:
    import cv2

    if not data:
        raise ImageError("The picture is empty (no bytes).")
    if len(data) > MAX_BYTES:
        raise ImageError(f"The picture is too big ({len(data) // 1024} KB); send at most {MAX_BYTES // (1024 * 1024)} MB.")
    _check_size(*_header_size(data))
    _quiet(cv2)
    gray = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if gray is None or gray.size == 0:
        gray = _pillow_gray(data)  # OpenCV refuses some valid files (tiny WebP); Pillow reads them
    return gray


def _pillow_gray(data: bytes) -> np.ndarray:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                return np.asarray(im.convert("L"), dtype=np.uint8).copy()
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError("The picture could not be read: it is damaged or cut off.") from error


def _quiet(cv2) -> None:
    """OpenCV logs every refused file on stderr; the ImageError says it once, to the caller."""
    try:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    except AttributeError:
        pass


def _from_array(array: np.ndarray) -> np.ndarray:
    import cv2

    if array.ndim == 3 and array.shape[2] in (3, 4):
        _check_size(array.shape[1], array.shape[0])
        code = cv2.COLOR_BGR2GRAY if array.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        array = cv2.cvtColor(np.ascontiguousarray(array, dtype=np.uint8), code)
    if array.ndim != 2:
        raise ImageError("The picture must be a grayscale (height x width) or BGR array.")
    if array.dtype != np.uint8:
        if array.dtype.kind not in "iuf" or not np.isfinite(array).all():
            raise ImageError("The picture's pixels must be numbers from 0 to 255.")
        array = np.clip(array, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(array)


def load_gray(image: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """A contiguous uint8 grayscale frame within the size limits, or ImageError."""
    if isinstance(image, np.ndarray):
        gray = _from_array(image)
    elif isinstance(image, (bytes, bytearray, memoryview)):
        gray = _from_bytes(bytes(image))
    else:
        raise ImageError("Send the picture as image bytes (PNG, JPEG or WebP) or a grayscale array.")
    _check_size(gray.shape[1], gray.shape[0])
    return gray
