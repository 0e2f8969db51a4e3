"""Outgoing mail: an outbox written with the change, a dispatcher that sends it."""


def init_app(app) -> None:
    pass
