"""Scanning: camera frames decoded on the server, scanner-agent scans for a station, the scanner test page."""
from .routes import bp

__all__ = ["bp"]
