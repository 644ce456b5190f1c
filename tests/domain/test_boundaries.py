"""The domain, the scanner library and the printing library never import Flask (ARCHITECTURE.md)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

LIBRARIES = ("floorapp.domain.models", "floorapp.domain.picking", "floorapp.domain.packing", "floorapp.domain.demo",
             "scanners", "printing")


def test_domain_scanners_and_printing_do_not_import_flask():
    code = textwrap.dedent(f"""
        import importlib, sys
        for name in {LIBRARIES!r}:
            importlib.import_module(name)
            if "flask" in sys.modules:
                print(f"importing {{name}} imported flask")
                sys.exit(1)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"
