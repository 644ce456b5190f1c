"""The smallest box that fits: by the items' volume (with room to spare), their longest side, and weight."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from .models import BoxType, Product
from .stations import box_types

FILL = 0.8            # items fill at most 80% of a box's inner volume
WEIGHT_TOLERANCE = 0.10
WEIGHT_TOLERANCE_MIN_G = 100


@dataclass(frozen=True)
class Suggestion:
    box: BoxType | None
    volume_mm3: int
    weight_g: int
    fits: bool          # False: nothing fits everything; the largest box is offered and more cartons are needed


def items_volume_and_weight(items: list[tuple[Product, int]]) -> tuple[int, int]:
    volume = sum(p.length_mm * p.width_mm * p.height_mm * qty for p, qty in items)
    return volume, sum(p.weight_g * qty for p, qty in items)


def _fits(box: BoxType, items: list[tuple[Product, int]], volume: int, weight: int) -> bool:
    inner = sorted((box.length_mm, box.width_mm, box.height_mm))
    for product, _qty in items:
        sides = sorted((product.length_mm, product.width_mm, product.height_mm))
        if any(side > room for side, room in zip(sides, inner, strict=True)):
            return False
    return volume <= box.volume_mm3 * FILL and weight + box.tare_g <= box.max_weight_g


def suggest(session: Session, items: list[tuple[Product, int]]) -> Suggestion:
    volume, weight = items_volume_and_weight(items)
    boxes = box_types(session)
    for box in boxes:  # smallest first
        if _fits(box, items, volume, weight):
            return Suggestion(box, volume, weight, True)
    return Suggestion(boxes[-1] if boxes else None, volume, weight, False)


def expected_weight(items_weight_g: int, box: BoxType | None) -> int:
    return items_weight_g + (box.tare_g if box else 0)


def weight_is_far(weighed_g: int, expected_g: int) -> bool:
    """Far from expected: off by more than 10% and more than 100 g (the scale's own error)."""
    allowed = max(WEIGHT_TOLERANCE_MIN_G, expected_g * WEIGHT_TOLERANCE)
    return abs(weighed_g - expected_g) > allowed
