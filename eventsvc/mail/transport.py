"""Getting built messages out: one SMTP connection per batch, or ``.eml`` files.

The transport knows nothing about the outbox. It takes messages keyed by an id, sends them as
they are, and says for each one what the server answered: sent, a temporary failure worth
retrying, or a permanent refusal (with the server's words, so people can act on it).

With no ``MAIL_SERVER`` configured, each message is written to ``<instance>/mail/`` instead,
where a newcomer can open it in a mail client.
"""

import contextlib
import enum
import io
import os
import re
import smtplib
import socket
import weakref
from collections.abc import Collection
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import Message
from email.utils import getaddresses
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from flask import current_app

from eventsvc import clock
from eventsvc.extensions import mail


class Outcome(enum.StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"  # try again later: connection trouble, 4xx
    PERMANENT = "permanent"  # the server refused it for good: 5xx
    #: The whole message went out but the server's answer never came: it may have been accepted.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str = ""
    #: The server could not be reached or dropped the session: the session is over, and the
    #: messages after this one were not tried.
    connection_failed: bool = False


SENT = Result(Outcome.SENT)


def open_session() -> "FileSession | SMTPSession":
    """A session that sends one message at a time: SMTP, or ``.eml`` files without a server."""
    if not current_app.config.get("MAIL_SERVER"):
        return FileSession(mail_folder())
    return SMTPSession()


def mail_folder() -> Path:
    return Path(current_app.instance_path) / "mail"


def remove_copies(message_ids: Collection[int]) -> int:
    """Delete the ``.eml`` copies of these outbox messages from the mail folder (name, address
    and personal link in each), after their registrants' data was erased
    (:mod:`eventsvc.services.privacy` says which). Their names end in ``-<outbox id>.eml``.
    Returns how many were deleted."""
    folder = mail_folder()
    if not message_ids or not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("*.eml"):
        number = path.stem.rpartition("-")[2]
        if number.isdigit() and int(number) in message_ids:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class FileSession:
    """``.eml`` files in ``folder``, each written whole under a temporary name and renamed, so a
    full disk leaves no partial file; a message already written is not written again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")

    def __enter__(self) -> "FileSession":
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    def send(self, key: int, message: Message, wire: "Wire | None" = None) -> Result:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not self._already_written(key, message):
                _write_atomically(self.folder / f"{self.stamp}-{key}.eml", message.as_bytes())
        except OSError as exc:  # a full disk takes no more: like a server gone, end the batch
            return _unreachable(_describe(exc))
        return SENT

    def _already_written(self, key: int, message: Message) -> bool:
        """A file for this outbox row with this Message-ID (a retry after the outcome was lost)."""
        marker = f"Message-ID: {message['Message-ID']}".encode()
        return any(marker in path.read_bytes() for path in self.folder.glob(f"*-{key}.eml"))


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class _PhasedSMTPMixin:
    """smtplib's client with one timeout for connecting and commands and another, longer one
    for the server's answer after the message body (RFC 5321 §4.5.3.2 asks for 10 minutes).

    ``body_sent`` tells whether the last ``DATA`` got as far as the final dot: a session lost
    after that leaves the message's fate unknown.
    """

    reply_timeout: float | None = None
    body_sent = False

    def data(self, msg):
        self.body_sent = False
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            self.close()  # what smtplib does too: the session state is unclear
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        body = smtplib._quote_periods(msg)
        if body[-2:] != smtplib.bCRLF:
            body += smtplib.bCRLF
        self.send(body + b"." + smtplib.bCRLF)
        self.body_sent = True
        self.sock.settimeout(self.reply_timeout)
        try:
            return self.getreply()
        finally:
            if self.sock is not None:
                self.sock.settimeout(self.timeout)


class _SMTP(_PhasedSMTPMixin, smtplib.SMTP):
    pass


class _SMTP_SSL(_PhasedSMTPMixin, smtplib.SMTP_SSL):
    pass


def _connect() -> smtplib.SMTP:
    """Open the SMTP session with Flask-Mail's settings for this app.

    Flask-Mail suppresses sending whenever ``TESTING`` is on; here a configured ``MAIL_SERVER``
    is always used (tests send to a real SMTP server on loopback), unless
    ``MAIL_SUPPRESS_SEND`` is set explicitly.
    """
    config = current_app.config
    state = mail.connect().mail
    smtp_class = _SMTP_SSL if state.use_ssl else _SMTP
    host = smtp_class(state.server, state.port, timeout=config.get("MAIL_TIMEOUT") or None)
    host.reply_timeout = config.get("MAIL_DATA_TIMEOUT") or None
    host.set_debuglevel(int(state.debug))
    if state.use_tls:
        host.starttls()
    if state.username and state.password:
        host.login(state.username, state.password)
    return host


_open_sessions: "weakref.WeakSet[SMTPSession]" = weakref.WeakSet()


def abort_sessions() -> None:
    """Cut every open SMTP connection of this process (a stopping worker's last resort): a
    message waiting for its answer ends as an unknown outcome."""
    for session in list(_open_sessions):
        session.abort()


class SMTPSession:
    """One SMTP connection, opened at the first message; a lost one ends the session."""

    def __init__(self):
        self.host: smtplib.SMTP | None = None
        self.broken = False
        self.suppressed = bool(current_app.config.get("MAIL_SUPPRESS_SEND"))

    def __enter__(self) -> "SMTPSession":
        _open_sessions.add(self)
        return self

    def __exit__(self, *exc_info) -> None:
        _open_sessions.discard(self)
        if self.host is not None:
            _quit(self.host)
            self.host = None

    def abort(self) -> None:
        host = self.host
        if host is not None and host.sock is not None:
            with contextlib.suppress(OSError):
                host.sock.shutdown(socket.SHUT_RDWR)

    def send(self, key: int, message: Message, wire: "Wire | None" = None) -> Result:
        """Send ``message``; ``wire``, when given, is its :func:`wire` (envelope and bytes)."""
        if self.suppressed:
            return SENT
        if self.broken:
            return _unreachable("The connection was lost earlier in this session.")
        if self.host is None:
            try:
                self.host = _connect()
            except (OSError, smtplib.SMTPException) as exc:
                return self._lost(Result(Outcome.TEMPORARY, _describe(exc)))
        result = _send_one(self.host, message, wire)
        if result.connection_failed:
            return self._lost(result)
        return result

    def _lost(self, result: Result) -> Result:
        self.broken = True
        if self.host is not None:
            self.host.close()
            self.host = None
        return Result(result.outcome, result.detail, connection_failed=True)


def _unreachable(detail: str) -> Result:
    return Result(Outcome.TEMPORARY, detail, connection_failed=True)


def _send_one(host: smtplib.SMTP, message: Message, wire: "Wire | None") -> Result:
    host.body_sent = False
    try:
        _submit(host, message, wire)
    except smtplib.SMTPRecipientsRefused as exc:
        return _classify_refusals(exc.recipients)
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == 421:
            return _unreachable(_describe(exc))
        return _by_code(exc.smtp_code, _describe(exc))
    except smtplib.SMTPServerDisconnected as exc:
        return _lost_in_flight(host, exc)
    except (smtplib.SMTPException, ValueError) as exc:
        # Refused before the server saw it (e.g. an address needing SMTPUTF8 the server lacks).
        return Result(Outcome.PERMANENT, _describe(exc))
    except OSError as exc:
        return _lost_in_flight(host, exc)
    return SENT


def _lost_in_flight(host: smtplib.SMTP, exc: Exception) -> Result:
    """The session broke during this message: unknown if the whole body had gone out."""
    if host.body_sent:
        detail = f"No answer after the message was sent ({_describe(exc)}); it may have arrived."
        return Result(Outcome.UNKNOWN, detail, connection_failed=True)
    return _unreachable(_describe(exc))


class Wire(NamedTuple):
    """A message as SMTP sends it: the envelope and the bytes (CRLF line ends)."""

    sender: str
    recipients: list[str]
    data: bytes


def wire(message: Message) -> Wire | None:
    """``message``'s envelope and bytes, worked out now.

    The mail worker does it where it builds, so that its sending thread only sends
    (``dispatcher._Sender``). ``None`` when they depend on the server or need
    ``send_message`` (:func:`_submit`): an address that is not ASCII goes out with SMTPUTF8,
    flattened with the UTF-8 policy.
    """
    envelope = _plain_envelope(message)
    if envelope is None or not _ascii(envelope):
        return None
    return Wire(*envelope, _flatten(message, message.policy))


def _ascii(envelope: tuple[str, list[str]]) -> bool:
    sender, recipients = envelope
    return "".join([sender, *recipients]).isascii()


def _submit(host: smtplib.SMTP, message: Message, wire: Wire | None = None) -> None:
    """``host.send_message(message)``, flattening each body in one piece (:class:`_Generator`),
    or sending ``wire`` as it is when :func:`wire` made it already.

    Messages that need more of ``send_message`` than taking the envelope from ``From`` and
    ``To``/``Cc`` (``Sender``, ``Bcc`` or ``Resent-*`` headers) are handed to ``send_message``
    itself. An address that is not ASCII goes out with SMTPUTF8 (RFC 6531) when the server offers
    it, and is refused for good when it does not.
    """
    if wire is not None:
        host.sendmail(wire.sender, wire.recipients, wire.data)
        return
    envelope = _plain_envelope(message)
    if envelope is None:
        host.send_message(message)
        return
    sender, recipients = envelope
    if _ascii(envelope):
        host.sendmail(sender, recipients, _flatten(message, message.policy))
        return
    host.ehlo_or_helo_if_needed()
    if not host.has_extn("smtputf8"):
        raise smtplib.SMTPNotSupportedError(
            "The address is not ASCII and the mail server does not offer SMTPUTF8."
        )
    policy = message.policy
    data = _flatten(message, policy.clone(utf8=True) if hasattr(policy, "utf8") else policy)
    host.sendmail(sender, recipients, data, ("SMTPUTF8", "BODY=8BITMIME"))


def _flatten(message: Message, policy) -> bytes:
    buffer = io.BytesIO()
    _Generator(buffer, policy=policy).flatten(message, linesep="\r\n")
    return buffer.getvalue()


_SPECIAL_HEADERS = ("Sender", "Bcc", "Resent-Date", "Resent-Bcc")


def _plain_envelope(message: Message) -> tuple[str, list[str]] | None:
    """The sender and recipients ``send_message`` would take, or None when it must be used."""
    if any(name in message for name in _SPECIAL_HEADERS):
        return None
    sender = message["From"]
    # Raw values: compat32 turns a header holding raw UTF-8 into an "unknown-8bit" Header.
    recipients = [str(value) for name, value in message.raw_items() if name.lower() in ("to", "cc")]
    if sender is None or not recipients:
        return None
    sender_address = _sender_address(str(sender))
    recipient_addresses = [_unescaped(address) for _name, address in getaddresses(recipients)]
    return sender_address, recipient_addresses


def _unescaped(address: str) -> str:
    """An address as text: a UTF-8 header kept as raw bytes reads back as surrogate escapes."""
    if address.isascii():
        return address
    return address.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
