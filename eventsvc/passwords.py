"""Password hashing settings and the password rules (length, not a common password).

The common passwords come from ``eventsvc/data/common-passwords.txt``, shipped with the package
(the most frequent entries of the list Django ships, itself from leaked-password corpora): no
network look-up is ever made.
"""

from functools import cache
from importlib.resources import files

from flask import current_app
from werkzeug.security import generate_password_hash

MIN_PASSWORD_LENGTH = 12


#: Under ``TESTING``, unless ``PASSWORD_HASH_METHOD`` says otherwise: scrypt costs 0.1 s and
#: 32 MB a hash, and the tests sign organisers in by the hundred.
TESTING_HASH_METHOD = "pbkdf2:sha256:1000"


def password_method() -> str:
    """``PASSWORD_HASH_METHOD``; unset, scrypt (a cheap hash under ``TESTING``). Production
    refuses anything but scrypt (``security.py``)."""
    configured = current_app.config.get("PASSWORD_HASH_METHOD")
    if configured:
        return configured
    return TESTING_HASH_METHOD if current_app.testing else "scrypt"


def dummy_hash() -> str:
    """Checked when there is no real hash, so that both cases take the same time."""
    return _dummy_hash(password_method())


@cache
def _dummy_hash(method: str) -> str:
    """Made on first use, not at import: scrypt allocates 32 MB and takes about 0.1 s."""
    return generate_password_hash("not a password of anyone", method=method)


@cache
def common_passwords() -> frozenset[str]:
    text = files("eventsvc").joinpath("data", "common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())


def is_common(password: str) -> bool:
    """Whether ``password`` is a listed one, maybe repeated or with digits and signs added.

    "password1234", "Qwerty123456!" and "qwertyqwerty" are as easy to guess as the entry they
    are built on, so the list entry is looked for in those shapes too.
    """
    common = common_passwords()
    folded = password.casefold().strip()
    candidates = {folded, folded.strip("0123456789!?.*#@$%&-_ "), folded.replace(" ", "")}
    for size in range(1, len(folded) // 2 + 1):
        if len(folded) % size == 0 and folded[:size] * (len(folded) // size) == folded:
            candidates.add(folded[:size])
            break
    return any(candidate in common for candidate in candidates if candidate)
