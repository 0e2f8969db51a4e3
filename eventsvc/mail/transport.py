"""Getting built messages out: one SMTP connection per batch, or ``.eml`` files.

The transport knows nothing about the outbox. It takes messages keyed by an id, sends them as
they are, and says for each one what the server answered: sent, a temporary failure worth
retrying, or a permanent refusal (with the server's words, so people can act on it).

With no ``MAIL_SERVER`` configured, each message is written to ``<instance>/mail/`` instead,
where a newcomer can open it in a mail client.
"""

import enum
import io
import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import Message
from email.utils import getaddresses
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_mail import Connection

from eventsvc import clock
from eventsvc.extensions import mail


class Outcome(enum.StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"  # try again later: connection trouble, 4xx
    PERMANENT = "permanent"  # the server refused it for good: 5xx


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str = ""
    #: The server could not be reached or dropped the session (not an answer about this message).
    connection_failed: bool = False


SENT = Result(Outcome.SENT)


def send_batch(messages: Mapping[int, Message]) -> dict[int, Result]:
    """Send ``messages`` (id → message) and return what became of each one."""
    if not messages:
        return {}
    if not current_app.config.get("MAIL_SERVER"):
        return _write_files(messages)
    return _send_smtp(messages)


def mail_folder() -> Path:
    return Path(current_app.instance_path) / "mail"


def _write_files(messages: Mapping[int, Message]) -> dict[int, Result]:
    folder = mail_folder()
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    results = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return dict.fromkeys(messages, Result(Outcome.TEMPORARY, str(exc)))
    for key, message in messages.items():
        try:
            (folder / f"{stamp}-{key}.eml").write_bytes(message.as_bytes())
            results[key] = SENT
        except OSError as exc:
            results[key] = Result(Outcome.TEMPORARY, str(exc))
    return results


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a silent server cannot hang a worker."""

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config.get("MAIL_TIMEOUT") or None
        state = self.mail
        smtp_class = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp_class(state.server, state.port, timeout=timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def _connect() -> smtplib.SMTP:
    """Open the SMTP session with Flask-Mail's settings for this app.

    Flask-Mail suppresses sending whenever ``TESTING`` is on; here a configured ``MAIL_SERVER``
    is always used (tests send to a real SMTP server on loopback), unless
    ``MAIL_SUPPRESS_SEND`` is set explicitly.
    """
    state = mail.connect().mail
    return _TimedConnection(state).configure_host()


def _send_smtp(messages: Mapping[int, Message]) -> dict[int, Result]:
    if current_app.config.get("MAIL_SUPPRESS_SEND"):
        return dict.fromkeys(messages, SENT)
    try:
        host = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        return dict.fromkeys(messages, _unreachable(_describe(exc)))
    results: dict[int, Result] = {}
    try:
        for key, message in messages.items():
            results[key] = _send_one(host, message)
    except _ConnectionLost as lost:
        unsent = _unreachable(lost.detail)
        results.update((key, unsent) for key in messages if key not in results)
    finally:
        _quit(host)
    return results


def _unreachable(detail: str) -> Result:
    return Result(Outcome.TEMPORARY, detail, connection_failed=True)


class _ConnectionLost(Exception):
    """The session broke: this message and the rest of the batch were not sent."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _send_one(host: smtplib.SMTP, message: Message) -> Result:
    try:
        _submit(host, message)
    except smtplib.SMTPRecipientsRefused as exc:
        return _classify_refusals(exc.recipients)
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == 421:
            raise _ConnectionLost(_describe(exc)) from exc
        return _by_code(exc.smtp_code, _describe(exc))
    except smtplib.SMTPServerDisconnected as exc:
        raise _ConnectionLost(_describe(exc)) from exc
    except (smtplib.SMTPException, ValueError) as exc:
        # Refused before the server saw it (e.g. an address needing SMTPUTF8 the server lacks).
        return Result(Outcome.PERMANENT, _describe(exc))
    except OSError as exc:
        raise _ConnectionLost(_describe(exc)) from exc
    return SENT


def _submit(host: smtplib.SMTP, message: Message) -> None:
    """``host.send_message(message)``, flattening each body in one piece (:class:`_Generator`).

    Messages that need more of ``send_message`` than taking the envelope from ``From`` and
    ``To``/``Cc`` (``Sender``, ``Bcc`` or ``Resent-*`` headers, or an address that is not ASCII
    and needs SMTPUTF8) are handed to ``send_message`` itself.
    """
    envelope = _plain_envelope(message)
    if envelope is None:
        host.send_message(message)
        return
    sender, recipients = envelope
    buffer = io.BytesIO()
    _Generator(buffer).flatten(message, linesep="\r\n")
    host.sendmail(sender, recipients, buffer.getvalue())


_SPECIAL_HEADERS = ("Sender", "Bcc", "Resent-Date", "Resent-Bcc")


def _plain_envelope(message: Message) -> tuple[str, list[str]] | None:
    """The sender and recipients ``send_message`` would take, or None when it must be used."""
    if any(name in message for name in _SPECIAL_HEADERS):
        return None
    sender = message["From"]
    recipients = [message[name] for name in ("To", "Cc") if name in message]
    if sender is None or not recipients:
        return None
    sender_address = _sender_address(str(sender))
    recipient_addresses = [address for _name, address in getaddresses(recipients)]
    if not "".join([sender_address, *recipient_addresses]).isascii():
        return None
    return sender_address, recipient_addresses


@lru_cache(maxsize=64)
def _sender_address(header: str) -> str:
    """The address in a ``From`` header: the same for every message, and slow to parse."""
    return getaddresses([header])[0][1]


class _Generator(BytesGenerator):
    """The standard library's generator, writing each body in one piece.

    It writes a body line by line, two writes per line; for base64 bodies of a few kilobytes
    that is a fifth of flattening a message. The bytes written are the same (the tests compare
    them), every line ending made the generator's.
    """

    def _write_lines(self, lines: str) -> None:
        if not lines:
            return
        if "\r" in lines:
            self.write(_LINE_END.sub(self._NL, lines))
        else:
            self.write(lines.replace("\n", self._NL))


_LINE_END = re.compile(r"\r\n|\r|\n")


def _classify_refusals(recipients: dict[str, tuple[int, bytes]]) -> Result:
    """All recipients refused: permanent only if every refusal is permanent."""
    answers = [(code, _text(answer)) for code, answer in recipients.values()]
    detail = "; ".join(f"{code} {text}" for code, text in answers)
    if all(code >= 500 for code, _ in answers):
        return Result(Outcome.PERMANENT, detail)
    return Result(Outcome.TEMPORARY, detail)


def _by_code(code: int, detail: str) -> Result:
    return Result(Outcome.PERMANENT if code >= 500 else Outcome.TEMPORARY, detail)


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(answer: bytes | str) -> str:
    if isinstance(answer, bytes):
        return answer.decode("utf-8", "replace")
    return answer


def _quit(host: smtplib.SMTP) -> None:
    try:
        host.quit()
    except (OSError, smtplib.SMTPException):
        host.close()
