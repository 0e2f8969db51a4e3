"""Outgoing mail: the dispatcher claims, builds and sends the rows that services.outbox writes."""

import os

import click
from flask import Flask
from flask.helpers import get_debug_flag

from eventsvc.mail import dispatcher


def init_app(app: Flask) -> None:
    """Run the dispatcher thread in the process that serves, when ``MAIL_DISPATCHER_THREAD`` is
    on, or when it is unset (``None``) and the server is ``flask run`` (``make run``): a
    newcomer's mail goes out with no second command, and gunicorn leaves it to ``send-mail``."""
    wanted = app.config.get("MAIL_DISPATCHER_THREAD")
    if wanted is None:
        wanted = _served_by_flask_run()
    if wanted and _is_serving_process(app):
        dispatcher.start_background_dispatcher(app)


def _served_by_flask_run() -> bool:
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        return True
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.command.name == "run"


def _is_serving_process(app: Flask) -> bool:
    """Whether this process answers requests, so exactly one dispatcher thread runs.

    Never under tests. Under ``flask run`` with the reloader, only the child that serves
    (``WERKZEUG_RUN_MAIN``), not the watching parent. Never for other ``flask`` commands
    (``init-db``, ``send-mail``…). Any other server (gunicorn, a WSGI container) serves.
    """
    if app.testing:
        return False
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        return True
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True
    if ctx.command.name != "run":
        return False
    reload = ctx.params.get("reload")
    uses_reloader = get_debug_flag() if reload is None else reload
    return not uses_reloader
