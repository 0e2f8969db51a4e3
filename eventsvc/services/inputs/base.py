"""Stand-in for slice C1's ``inputs/base.py`` (the shape of HELPERS.md), until its commit lands:
the lead keeps C1's and drops this one at merge."""

from flask_babel import lazy_gettext as _l

from eventsvc.services import DomainError


class InputErrors(DomainError):
    """The input has errors: ``errors`` maps each field key to its messages (translatable)."""

    def __init__(self, errors: dict[str, list]):
        super().__init__(_l("Please correct the errors marked below."))
        self.errors = errors
