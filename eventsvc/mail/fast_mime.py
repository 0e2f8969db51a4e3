"""Writing message headers without :class:`email.header.Header` where it changes nothing.

compat32 passes every header value through ``Header`` when a message is flattened, which took
longer than building the rest of a reminder. :class:`MailPolicy` overrides the policy's public
folding methods (``fold`` for text, ``fold_binary`` for bytes, the two the generators call):
a short plain-ASCII value is written as it is (``Header`` would leave it unchanged), a
:class:`Folded` value, encoded once for all the messages that share it, only gets the
generator's line separator, and anything else goes to compat32 as before.
"""

from email.policy import Compat32


class Folded(str):
    """A header value already encoded and folded, its lines joined by ``\\n``."""


class MailPolicy(Compat32):
    def fold(self, name: str, value) -> str:
        written = self._written_as_is(name, value)
        return super().fold(name, value) if written is None else written

    def fold_binary(self, name: str, value) -> bytes:
        written = self._written_as_is(name, value)
        if written is None:
            return super().fold_binary(name, value)
        # As compat32 writes a value it has folded: raw UTF-8 kept as surrogate escapes
        # (an SMTPUTF8 address) goes out as the original bytes.
        return written.encode("ascii", "surrogateescape")

    def _written_as_is(self, name: str, value) -> str | None:
        if isinstance(value, Folded):
            return f"{name}: {value.replace(chr(10), self.linesep)}{self.linesep}"
        if (
            isinstance(value, str)
            and len(name) + len(value) < 76
            and value.isascii()
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return None


POLICY = MailPolicy()
