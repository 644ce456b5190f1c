"""OpenCV steps that give a decoder a second chance at a frame it could not read as it was.

Each takes a uint8 grayscale frame and returns a new one (or crops); none changes its input.
"""
from __future__ import annotations

import numpy as np


def clahe(gray: np.ndarray) -> np.ndarray:
    import cv2
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray)


def deblur(gray: np.ndarray, sigma: float = 1.5, iterations: int = 8) -> np.ndarray:
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


def median(gray: np.ndarray) -> np.ndarray:
    import cv2
    return cv2.medianBlur(gray, 3)


def scaled(gray: np.ndarray, factor: float) -> np.ndarray:
    import cv2
    h, w = gray.shape
    if factor > 1 and max(h, w) * factor > 2600:
        factor = 2600 / max(h, w)
    if abs(factor - 1) < 0.05:
        return gray
    return cv2.resize(gray, (max(16, int(w * factor)), max(16, int(h * factor))),
                      interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA)


def regions(gray: np.ndarray, limit: int = 4) -> list[np.ndarray]:
    """Crops of the areas with strong, aligned gradients (bars), deskewed and enlarged."""
    import cv2

    h, w = gray.shape
    small = scaled(gray, min(1.0, 640 / max(h, w)))
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


def sharpened(gray: np.ndarray, amount: float = 1.5, sigma: float = 2.0) -> np.ndarray:
    """Unsharp mask: edges of soft bars get steeper."""
    import cv2
    return cv2.addWeighted(gray, 1 + amount, cv2.GaussianBlur(gray, (0, 0), sigma), -amount, 0)


def otsu(gray: np.ndarray) -> np.ndarray:
    """Black and white at Otsu's threshold: a crumpled label's uneven light no longer breaks the modules."""
    import cv2
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def along_bars(gray: np.ndarray, length: int = 9) -> np.ndarray:
    """Each pixel averaged with its neighbours up and down: noise and glare speckle fade, upright bars stay sharp."""
    import cv2
    return cv2.blur(gray, (1, length))


def evened(gray: np.ndarray, sigma: float = 10.0) -> np.ndarray:
    """Each pixel over its surroundings' brightness: a glare spot or a shadow across the label evens out."""
    import cv2
    background = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), sigma)
    flat = gray.astype(np.float32) / np.maximum(background, 1.0)
    return cv2.normalize(flat, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
