"""Debian's Chromium and the flags every browser test starts it with (no sandbox as root, no
background connections on this closed network)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("EVENTSVC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
