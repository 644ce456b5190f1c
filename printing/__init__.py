"""Printable warehouse documents (PDF and ZPL) and the transports that bring them to printers.

A plain library (no web framework) usable from the app, scripts and workers.
"""

from printing.labels_pdf import (
    render_carton_label,
    render_code_labels,
    render_shipping_label,
)
from printing.manifest import render_manifest
from printing.model import (
    Address,
    CartonLabel,
    CodeLabel,
    Manifest,
    ManifestCarton,
    PackingSlip,
    ShippingLabel,
    SlipLine,
)
from printing.packing_slip import render_packing_slip
from printing.sscc import is_valid_sscc, make_sscc, sscc_hri
from printing.transports import (
    PrintError,
    PrinterUnreachable,
    PrintRefused,
    transport_for,
)
from printing.zpl import carton_label_zpl, code_labels_zpl, shipping_label_zpl

__all__ = [
    "Address", "CartonLabel", "CodeLabel", "Manifest", "ManifestCarton", "PackingSlip", "PrintError",
    "PrintRefused", "PrinterUnreachable", "ShippingLabel", "SlipLine", "carton_label_zpl", "code_labels_zpl",
    "is_valid_sscc", "make_sscc", "render_carton_label", "render_code_labels", "render_manifest",
    "render_packing_slip", "render_shipping_label", "shipping_label_zpl", "sscc_hri", "transport_for",
]
