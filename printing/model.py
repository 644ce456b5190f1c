"""Plain data describing the documents the printing library renders.

These are frozen dataclasses with no dependencies, so warehouse workers,
scripts and the web app can all build them the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

PageSize = Literal["letter", "a4"]
PAGE_SIZES: tuple[str, ...] = ("letter", "a4")


@dataclass(frozen=True)
class Address:
    """A postal address as printed in a ship-from or ship-to block."""

    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""

    def printed_lines(self) -> list[str]:
        """The address as lines of text, skipping empty parts."""
        city_line = self.city
        if self.region:
            city_line = f"{city_line}, {self.region}"
        city_line = f"{city_line} {self.postal_code}".strip()
        lines = [self.name, self.line1, self.line2, city_line, self.country]
        return [line for line in lines if line]


@dataclass(frozen=True)
class SlipLine:
    """One product on a packing slip, with what was ordered and what went out."""

    sku: str
    name: str
    ordered: int
    shipped: int
    backordered: int

    def __post_init__(self) -> None:
        for label in ("ordered", "shipped", "backordered"):
            quantity = getattr(self, label)
            if isinstance(quantity, bool) or not isinstance(quantity, int):
                raise TypeError(f"{label} quantity for SKU {self.sku!r} must be a whole number")
            if quantity < 0:
                raise ValueError(f"{label} quantity for SKU {self.sku!r} cannot be negative")


@dataclass(frozen=True)
class PackingSlip:
    """Everything printed on the packing slip that goes into the carton.

    ``lines`` and ``cartons`` accept any iterable and are stored as tuples.
    ``date`` of ``None`` prints the date the slip is rendered.
    ``returns_url``, when set, is printed as a QR code so the customer can
    start a return from their phone.
    """

    order_ref: str
    customer_name: str
    ship_to: Address
    ship_from: Address
    lines: tuple[SlipLine, ...]
    cartons: tuple[str, ...] = ()
    date: datetime.date | None = None
    page_size: PageSize = "letter"
    returns_url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "cartons", tuple(self.cartons))
        if not self.order_ref:
            raise ValueError("order_ref is required: it is printed as the slip's barcode")
        if not all(" " <= char <= "~" for char in self.order_ref):
            raise ValueError(
                f"order_ref {self.order_ref!r} must be printable ASCII to fit a Code 128 barcode"
            )
        if self.page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be one of {PAGE_SIZES}, not {self.page_size!r}")


@dataclass(frozen=True)
class CartonLabel:
    """The GS1 logistic label of one carton: its SSCC, where it goes and which order it belongs to."""

    sscc: str
    order_ref: str
    ship_from: Address
    ship_to: Address
    carton_no: int = 1
    carton_count: int = 0   # 0: not known yet (more cartons may follow)
    weight_g: int = 0
    date: datetime.date | None = None

    def __post_init__(self) -> None:
        if len(self.sscc) != 18 or not self.sscc.isdigit():
            raise ValueError(f"SSCC {self.sscc!r} must be 18 digits")


@dataclass(frozen=True)
class ShippingLabel:
    """The carrier's 4x6 label: ship-from, ship-to, carrier and service, weight, tracking barcode, 2D code."""

    ship_from: Address
    ship_to: Address
    carrier: str
    service: str
    tracking: str
    weight_g: int
    order_ref: str
    sscc: str = ""
    carton_no: int = 1
    date: datetime.date | None = None

    def __post_init__(self) -> None:
        if not self.tracking or not all(" " < char <= "~" for char in self.tracking):
            raise ValueError(f"tracking number {self.tracking!r} must be printable ASCII without spaces")

    @property
    def two_d_content(self) -> str:
        """What the 2D code carries: enough for a carrier's sorter without reading the text."""
        return "|".join((self.carrier, self.service, self.tracking, self.ship_to.postal_code,
                         self.ship_to.country, self.sscc, str(self.weight_g)))


@dataclass(frozen=True)
class ManifestCarton:
    sscc: str
    order_ref: str
    service: str
    tracking: str
    weight_g: int
    ship_to: str


@dataclass(frozen=True)
class Manifest:
    """The end-of-day list of the cartons one carrier takes away."""

    carrier: str
    date: datetime.date
    ship_from: Address
    cartons: tuple[ManifestCarton, ...]
    page_size: PageSize = "letter"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cartons", tuple(self.cartons))


@dataclass(frozen=True)
class CodeLabel:
    """A small shelf, product or tote label: a big code as Code 128, a title and a line under it."""

    code: str
    title: str = ""
    subtitle: str = ""
