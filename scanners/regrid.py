"""Re-gridding a QR code that is creased or wrinkled (a label on cloth, a crumpled sticker): its modules no
longer lie on the straight grid zxing-cpp and OpenCV sample, so they read nothing.

Here the grid is rebuilt from the code's own landmarks and sampled module by module:
1. the three finder patterns (a dark ring around a light ring around a dark square) in the frame made black
   and white by local means, and the module size from their area; the three that form a right angle give
   the corner, the grid size (21, 25, 29, ... modules) and an affine grid;
2. from version 2 on, the alignment pattern near where that grid puts it pulls the fourth corner in
   (a perspective grid);
3. every module's centre may move up to `reach` of a module so that, over its neighbourhood, the samples
   lie as far from the local mean as they can (they sit in the middle of modules, not on the edges between
   them); the offsets are median-filtered so that one module cannot wander alone;
4. each module is dark or light against the local mean there, and the clean grid is drawn again with a
   quiet zone for zxing-cpp.
Nothing is guessed: the drawing still has to pass the QR code's format check and Reed-Solomon error
correction, so a wrong grid reads nothing rather than a wrong code.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

BLOCKS = (15, 25, 41)       # local-mean block sizes (pixels) for finding finder patterns
DARKER = 6                  # dark = this much below the local mean: flat, noisy areas stay light (and cheap)
WINDOWS = (5, 7)            # neighbourhoods (modules) over which a module centre's offset is chosen
MOST_FINDERS = 12           # finder candidates kept per binarisation (largest first): at most 220 triples
MOST_GRIDS = 6              # grids tried per frame


def finder_patterns(binary: np.ndarray) -> list[tuple[float, float, float]]:
    """(x, y, module size) of each finder pattern candidate in a black-and-white frame (dark = 0)."""
    import cv2

    contours, hierarchy = cv2.findContours(255 - binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    hierarchy = hierarchy[0]
    found = []
    for index, contour in enumerate(contours):
        child = hierarchy[index][2]
        centre = hierarchy[child][2] if child >= 0 else -1
        if centre < 0:
            continue
        outer, inner = cv2.contourArea(contour), cv2.contourArea(contours[centre])
        if inner < 4 or not 2.5 < outer / inner < 12:  # 7x7 modules around 3x3
            continue
        _, _, w, h = cv2.boundingRect(contour)
        moments = cv2.moments(contours[centre])
        if not 0.5 < w / h < 2 or moments["m00"] == 0:
            continue
        found.append((moments["m10"] / moments["m00"], moments["m01"] / moments["m00"], float(np.sqrt(outer)) / 7, outer))
    found.sort(key=lambda f: -f[3])
    return [f[:3] for f in found[:MOST_FINDERS]]


def corner_triples(found):
    """(top left, top right, bottom left, module size) for each three finders at a right angle, equally far apart."""
    for trio in itertools.combinations(found, 3):
        sizes = [f[2] for f in trio]
        if max(sizes) > 1.6 * min(sizes):
            continue
        points = [np.array(f[:2]) for f in trio]
        for k in range(3):
            corner, p, q = points[k], points[(k + 1) % 3], points[(k + 2) % 3]
            u, v = p - corner, q - corner
            lu, lv = np.linalg.norm(u), np.linalg.norm(v)
            if lu < 1 or lv < 1 or abs(u @ v) / lu / lv >= 0.3 or not 0.7 < lu / lv < 1.4:
                continue
            right, down = (p, q) if u[0] * v[1] - u[1] * v[0] > 0 else (q, p)  # clockwise in image coordinates
            yield corner, right, down, float(np.mean(sizes))


def _corners(n: int) -> np.ndarray:
    return np.float32([[3.5, 3.5], [n - 3.5, 3.5], [3.5, n - 3.5], [n - 6.5, n - 6.5]])


def alignment_centre(gray: np.ndarray, grid: np.ndarray, n: int, module: float, reach: float = 5.0):
    """Where the alignment pattern (5x5 modules: dark ring, light ring, dark centre) best matches near where
    `grid` (module coordinates -> frame) puts it; None when nothing there looks like one."""
    import cv2

    expected = cv2.perspectiveTransform(_corners(n)[3:].reshape(1, 1, 2), grid)[0, 0]
    m = max(2, int(round(module)))
    template = np.zeros((5 * m, 5 * m), np.float32)
    template[m:4 * m, m:4 * m] = 255
    template[2 * m:3 * m, 2 * m:3 * m] = 0
    r = int(reach * module) + 5 * m // 2
    x0, y0 = max(0, int(expected[0]) - r), max(0, int(expected[1]) - r)
    patch = gray[y0:int(expected[1]) + r + 1, x0:int(expected[0]) + r + 1].astype(np.float32)
    if patch.shape[0] < 5 * m or patch.shape[1] < 5 * m:
        return None
    _, best, _, at = cv2.minMaxLoc(cv2.matchTemplate(patch, template, cv2.TM_CCOEFF_NORMED))
    if best < 0.5:
        return None
    return np.float32([x0 + at[0] + 5 * m / 2 - 0.5, y0 + at[1] + 5 * m / 2 - 0.5])


def grids(gray: np.ndarray):
    """(grid, size in modules, module size in pixels) for each QR code the finder patterns suggest;
    grid maps module coordinates to the frame."""
    import cv2

    seen = []
    for block in BLOCKS:
        binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 10)
        for corner, right, down, module in corner_triples(finder_patterns(binary)):
            apart = (np.linalg.norm(right - corner) + np.linalg.norm(down - corner)) / 2 / module + 7
            n = int(round((apart - 17) / 4)) * 4 + 17
            if not 21 <= n <= 177:
                continue
            frame_points = np.float32([corner, right, down])
            if any(n == n_ and np.abs(frame_points - p).max() < module / 2 for n_, p in seen):
                continue  # the same code found again at another block size
            seen.append((n, frame_points))
            affine = np.vstack([cv2.getAffineTransform(_corners(n)[:3], frame_points), [0, 0, 1]])
            alignment = alignment_centre(gray, affine, n, module) if n > 21 else None
            if alignment is not None:
                yield cv2.getPerspectiveTransform(_corners(n), np.vstack([frame_points, alignment])), n, module
            yield affine, n, module
            if len(seen) >= MOST_GRIDS:
                return


def modules(gray: np.ndarray, grid: np.ndarray, n: int, block: int, window: int,
            reach: float = 0.3, steps: int = 7) -> np.ndarray:
    """n x n booleans (True = dark): each module sampled at the offset (up to `reach` of a module) where its
    neighbourhood's samples stand furthest from the local mean."""
    import cv2

    smooth = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), 0.5)
    local = cv2.blur(gray.astype(np.float32), (block, block))
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float32)

    def at(offsets: np.ndarray):
        points = np.stack([xs + 0.5 + offsets[..., 0], ys + 0.5 + offsets[..., 1]], -1).reshape(-1, 1, 2)
        frame = cv2.perspectiveTransform(points.astype(np.float32), grid).reshape(n, n, 2)
        return (cv2.remap(smooth, frame[..., 0], frame[..., 1], cv2.INTER_LINEAR),
                cv2.remap(local, frame[..., 0], frame[..., 1], cv2.INTER_LINEAR))

    best = np.full((n, n), -1.0, np.float32)
    offsets = np.zeros((n, n, 2), np.float32)
    for dy, dx in itertools.product(np.linspace(-reach, reach, steps), repeat=2):
        value, mean = at(np.broadcast_to(np.float32([dx, dy]), (n, n, 2)))
        score = cv2.blur(np.abs(value - mean), (window, window), borderType=cv2.BORDER_REPLICATE)
        better = score > best
        best[better] = score[better]
        offsets[better] = (dx, dy)
    value, mean = at(cv2.medianBlur(offsets, 3))
    return value < mean


def drawn(dark: np.ndarray, pixels: int = 4) -> np.ndarray:
    """The modules drawn clean, black on white, with a four-module quiet zone."""
    n = dark.shape[0]
    image = np.full((n + 8, n + 8), 255, np.uint8)
    image[4:4 + n, 4:4 + n] = np.where(dark, 0, 255)
    return np.kron(image, np.ones((pixels, pixels), np.uint8))


def regridded(gray: np.ndarray) -> Iterator[np.ndarray]:
    """Clean drawings of every QR code grid found in the frame, one at a time (the first read ends the search)."""
    for grid, n, module in grids(gray):
        block = int(module * 5) | 1
        for window in WINDOWS:
            yield drawn(modules(gray, grid, n, block, window))
