"""Printable warehouse documents rendered to PDF.

A plain library (no web framework) usable from the app, scripts and workers.
"""

from printing.model import Address, PackingSlip, SlipLine
from printing.packing_slip import render_packing_slip

__all__ = ["Address", "PackingSlip", "SlipLine", "render_packing_slip"]
