"""QR codes encoded by segno and painted as filled rectangles (reportlab's own encoder is ~10x slower).

`draw_qr` paints on any reportlab canvas; `QrCode` is the same as a flowable for platypus documents.
Each horizontal run of dark modules becomes one rectangle, and all of them one filled path.
"""

from __future__ import annotations

import segno
from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

QUIET_ZONE_MODULES = 4


LABEL_MASK = 2  # a fixed mask pattern: any mask decodes; choosing the "best" of 8 costs ~6 ms a code


def qr_matrix(data: str, error: str = "m", mask: int | None = None) -> tuple[bytearray, ...]:
    """The module matrix; `mask=None` lets segno pick the best mask pattern (slow), a number fixes it."""
    return segno.make_qr(data, error=error, mask=mask).matrix


def draw_qr(canvas: Canvas, matrix, x: float, y: float, size: float) -> None:
    """Paint `matrix` (quiet zone included in `size`) with its lower left corner at (x, y)."""
    modules_across = len(matrix) + 2 * QUIET_ZONE_MODULES
    module = size / modules_across
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        row_y = y + size - (row_index + QUIET_ZONE_MODULES + 1) * module
        for start, length in _dark_runs(row):
            path.rect(x + (start + QUIET_ZONE_MODULES) * module, row_y, length * module, module)
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class QrCode(Flowable):
    """A square QR code of ``size`` points, quiet zone included."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.data = data
        self.size = size
        self._matrix = qr_matrix(data)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self._matrix, 0, 0, self.size)


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
