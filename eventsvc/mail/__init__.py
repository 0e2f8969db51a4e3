"""Outgoing mail: the dispatcher claims, builds and sends the rows that services.outbox writes."""

from flask import Flask

from eventsvc.mail import dispatcher
from eventsvc.serving import runs_background_thread


def init_app(app: Flask) -> None:
    """Run the dispatcher thread in the process that serves, when ``MAIL_DISPATCHER_THREAD`` is
    on, or when it is unset (``None``) and the server is ``flask run`` (``make run``): a
    newcomer's mail goes out with no second command, and gunicorn leaves it to ``send-mail``."""
    if runs_background_thread(app, "MAIL_DISPATCHER_THREAD"):
        dispatcher.start_background_dispatcher(app)
