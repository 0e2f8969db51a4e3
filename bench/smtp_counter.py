"""An SMTP server on loopback that only counts what it accepts (``python -m bench.smtp_counter``).

Lighter than the test suite's sink (no parsing, no storage), so the sender is what is measured.
Prints ``READY <port>``, then answers commands on stdin: ``stats`` prints one JSON line
(count, bytes, first and last acceptance on the monotonic clock), ``reset`` zeroes it,
``ids <path>`` writes the Message-ID of every message accepted since the reset to ``path``, one
a line (the ``launch`` benchmark's check that each registrant got each message once),
``latency <ms>`` makes it answer each message that much later (a relay that takes time to
accept: its disk, the network; 0 by default); end of input stops the server.
"""

import asyncio
import json
import re
import sys
import threading
import time

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = 0.0
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.bytes = 0
        self.first = None
        self.last = None
        self.ids = []

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            if self.first is None:
                self.first = now
            self.last = now
            self.count += 1
            self.bytes += len(envelope.content or b"")
            found = MESSAGE_ID.search(envelope.content or b"", 0, 20_000)
            self.ids.append(found.group(1).decode() if found else "")
        if self.latency:
            await asyncio.sleep(self.latency)
        return "250 OK"

    def stats(self) -> dict:
        with self.lock:
            return {
                "count": self.count,
                "bytes": self.bytes,
                "first": self.first,
                "last": self.last,
            }


def main() -> None:
    port = int(sys.argv[1])
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    print(f"READY {port}", flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                print(json.dumps(counter.stats()), flush=True)
            elif command == "reset":
                with counter.lock:
                    counter.reset()
                print("OK", flush=True)
            elif command.startswith("latency "):
                counter.latency = float(command.removeprefix("latency ")) / 1000
                print("OK", flush=True)
            elif command.startswith("ids "):
                with counter.lock:
                    ids = list(counter.ids)
                with open(command.removeprefix("ids "), "w") as listing:
                    listing.write("".join(f"{found}\n" for found in ids))
                print("OK", flush=True)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
