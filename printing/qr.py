"""A reportlab flowable that draws a QR code encoded by segno.

segno does the encoding (fast); the flowable only paints the dark modules
as filled rectangles, merging each horizontal run into a single rectangle.
"""

from __future__ import annotations

import segno
from reportlab.lib.colors import black
from reportlab.platypus import Flowable

QUIET_ZONE_MODULES = 4


class QrCode(Flowable):
    """A square QR code of ``size`` points, quiet zone included."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.data = data
        self.size = size
        self._matrix = segno.make_qr(data, error="m").matrix

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        modules_across = len(self._matrix) + 2 * QUIET_ZONE_MODULES
        module = self.size / modules_across
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(black)
        for row_index, row in enumerate(self._matrix):
            y = self.size - (row_index + QUIET_ZONE_MODULES + 1) * module
            for start, length in _dark_runs(row):
                x = (start + QUIET_ZONE_MODULES) * module
                canvas.rect(x, y, length * module, module, stroke=0, fill=1)
        canvas.restoreState()


def _dark_runs(row: bytes | bytearray) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in one matrix row."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, value in enumerate(row):
        if value and start is None:
            start = index
        elif not value and start is not None:
            runs.append((start, index - start))
            start = None
    if start is not None:
        runs.append((start, len(row) - start))
    return runs
