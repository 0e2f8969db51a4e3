"""Domain services shared by the views, the CLI and the tests. They flush and never commit:
the caller's unit of work (:mod:`eventsvc.unit_of_work`) ends the transaction."""


class DomainError(Exception):
    """A rule refused the request; ``message`` is a translatable string for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
