"""The scanner commands of `floorapp`: decode, scanner-agent, station token."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path


def cmd_decode(args: argparse.Namespace) -> int:
    """Print what each file holds, as `scanners.decode` reads it (one JSON line per file)."""
    import scanners

    status = 0
    for name in args.files:
        try:
            data = Path(name).read_bytes()
            results = scanners.decode(data, budget_ms=args.budget_ms)
        except (OSError, scanners.ImageError) as error:
            print(json.dumps({"file": name, "error": str(error)}))
            status = 1
            continue
        print(json.dumps({"file": name, "codes": [r.as_dict() for r in results]}, ensure_ascii=False))
        if not results:
            status = status or 3
    return status


def cmd_station_token(args: argparse.Namespace) -> int:
    from .cli import _session, _settings
    from .domain.errors import DomainError
    from .domain.scanner_stations import create_station_token

    with _session(_settings(args)) as session:
        try:
            token = create_station_token(session, args.station)
        except DomainError as error:
            print(error.message, file=sys.stderr)
            return 1
        session.commit()
    print(token)
    return 0


def cmd_scanner_agent(args: argparse.Namespace) -> int:
    from scanners.agent import run_agent

    token = os.environ.get("FLOORAPP_STATION_TOKEN") or (Path(args.token_file).read_text().strip() if args.token_file else "")
    if not token:
        print("Give the station token: FLOORAPP_STATION_TOKEN or --token-file "
              "(make one with `floorapp station token STATION`).", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        run_agent(args.server, args.station, token, args.device, layout=args.layout, spool_dir=args.spool,
                  grab=not args.no_grab)
    except KeyboardInterrupt:
        return 0
    return 0


def add_scanning_commands(sub) -> None:
    decode = sub.add_parser("decode", help="read the barcodes in image files (PNG, JPEG, WebP)")
    decode.add_argument("files", nargs="+", metavar="FILE")
    decode.add_argument("--budget-ms", type=float, default=None, help="stop the slow passes after this long")
    decode.set_defaults(func=cmd_decode)

    station = sub.add_parser("station", help="scanner stations").add_subparsers(dest="station_command", required=True)
    token = station.add_parser("token", help="print a new token for a station's scanner agent")
    token.add_argument("station", help="the station's code, e.g. PACK-1")
    token.set_defaults(func=cmd_station_token)

    agent = sub.add_parser("scanner-agent", help="send a USB scanner's codes to a station's screen (Linux, evdev)")
    agent.add_argument("--server", required=True, help="floorapp's URL, e.g. https://floor.example.com")
    agent.add_argument("--station", required=True, help="this station's code (the screen sets the same on /scanner-test)")
    agent.add_argument("--device", required=True, help="the scanner, e.g. /dev/input/by-id/usb-...-event-kbd")
    agent.add_argument("--layout", choices=["us", "de"], default="us", help="the keyboard layout the scanner is set to")
    agent.add_argument("--token-file", help="file with the station token (or FLOORAPP_STATION_TOKEN)")
    agent.add_argument("--spool", default="scanner-spool", help="folder where scans wait until the server has them")
    agent.add_argument("--no-grab", action="store_true", help="do not grab the device (it also types into windows)")
    agent.set_defaults(func=cmd_scanner_agent)
