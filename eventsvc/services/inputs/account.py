"""The organiser account input: what the accounts page and ``flask create-organiser`` submit.

Field keys: ``email``, ``name``, ``role``, ``password``. The password rules (length, not a
common one) are the same for a new account, a reset and a change.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from eventsvc.models import Role
from eventsvc.passwords import MIN_PASSWORD_LENGTH, is_common
from eventsvc.services.addresses import EmailNotValidError, normalise_email
from eventsvc.services.inputs.base import Add, Errors, InputErrors, max_length

EMAIL_MAX = 254
NAME_MAX = 200
#: Longer passwords are refused before hashing (a hash of megabytes costs time).
PASSWORD_MAX = 1024


class AccountInputErrors(InputErrors):
    """The account input has errors; ``message`` is the first of them, for the pages and the
    command that show one message."""

    def __init__(self, errors: dict[str, list]):
        super().__init__(errors, next(iter(errors.values()))[0])


@dataclass(frozen=True)
class NewOrganiser:
    email: str
    password: str | None = None  # None: the organiser is invited to choose one
    name: str = ""
    role: Role = Role.ORGANISER

    def checked(self) -> "NewOrganiser":
        """The same account with its address normalised; raises :class:`AccountInputErrors`."""
        errors = Errors()
        email = check_address(self.email, errors)
        max_length("name", self.name.strip(), NAME_MAX, errors)
        if self.role not in {role.value for role in Role}:
            errors.add(
                "role", _l("Unknown role “%(role)s”: use organiser or admin.", role=self.role)
            )
        if self.password is not None:
            check_password(self.password, errors)
        errors.raise_if_any(AccountInputErrors)
        return NewOrganiser(email, self.password, self.name.strip(), Role(self.role))


def check_address(address: str, add: Add) -> str:
    """The normalised address, or ``""`` after reporting why ``address`` is not one."""
    try:
        return normalise_email(address)
    except EmailNotValidError:
        add("email", _l("“%(address)s” is not a valid email address.", address=address))
        return ""


def check_password(password: str, add: Add, key: str = "password") -> None:
    """Refuses a password shorter than the minimum, too long, or in the shipped common list."""
    if len(password) < MIN_PASSWORD_LENGTH:
        add(
            key,
            _l(
                "The password must have at least %(count)s characters.",
                count=MIN_PASSWORD_LENGTH,
            ),
        )
    elif len(password) > PASSWORD_MAX:
        add(key, _l("At most %(max)d characters.", max=PASSWORD_MAX))
    elif is_common(password):
        add(key, _l("This password is among the most common ones: choose one less easy to guess."))
