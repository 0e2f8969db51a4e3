"""The mail baseline: smtplib sending one pre-built message N times over one connection.

``python -m bench.mail_baseline <port> <message file> <count>``: the least any sender must do
to put that many messages of that size through the same SMTP server.
"""

import smtplib
import sys


def main() -> None:
    port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    with open(path, "rb") as handle:
        message = handle.read()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as host:
        for n in range(count):
            host.sendmail("events@events.example.org", [f"participant{n}@example.org"], message)


if __name__ == "__main__":
    main()
