"""The decoder, the key decoding and the agent are plain libraries: importing them brings no Flask in."""
from __future__ import annotations

import subprocess
import sys


def test_decode_agent_and_station_services_do_not_import_flask():
    code = ("import sys, scanners.decode, scanners.images, scanners.agent, scanners.keymaps, floorapp.domain.scanner_stations\n"
            "print('flask' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
