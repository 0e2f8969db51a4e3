"""The one comparable form of an email address, for registrants and organisers alike."""

from email_validator import EmailNotValidError, validate_email

__all__ = ["EmailNotValidError", "address_key", "normalise_email"]


def normalise_email(address: str) -> str:
    """The stored, comparable form of ``address``: typed twice in other cases or Unicode forms,
    it gives the same string. Raises :class:`EmailNotValidError` for what is not an address."""
    return validate_email(address.strip(), check_deliverability=False).normalized.casefold()


def address_key(address: str) -> str:
    """:func:`normalise_email`'s form, or the text folded when it is not an address: for looking
    up and counting, where nothing is refused."""
    try:
        return normalise_email(address)
    except EmailNotValidError:
        return address.strip().casefold()
