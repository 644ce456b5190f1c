"""floorapp's scanner library: parse what a scanner sends. No Flask here."""
from .checkdigits import gtin_check_digit, is_valid_gtin
from .parse import ParsedScan, parse_scan

__all__ = ["ParsedScan", "gtin_check_digit", "is_valid_gtin", "parse_scan"]
