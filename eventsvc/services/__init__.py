"""Domain services shared by the views, the CLI and the tests. Each call is one transaction."""


class DomainError(Exception):
    """A rule refused the request; ``message`` is a translatable string for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
