"""floorapp's scanner library: decode images to codes, parse raw scans, read keyboard scanners. No Flask here."""
from .checkdigits import gtin_check_digit, is_valid_gtin
from .decode import Decoded, decode
from .images import ImageError
from .parse import ParsedScan, parse_scan

__all__ = ["Decoded", "ImageError", "ParsedScan", "decode", "gtin_check_digit", "is_valid_gtin", "parse_scan"]
