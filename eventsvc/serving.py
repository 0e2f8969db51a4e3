"""Whether this process serves requests, so that background work started with it runs once.

Under ``make run`` (``flask run``) the mail dispatcher and the webhook deliveries run as threads
of the serving process, so that a newcomer needs no second command; under gunicorn they are left
to ``flask send-mail`` and ``flask send-webhooks`` (unless their setting says otherwise).
"""

import os

import click
from flask import Flask
from flask.helpers import get_debug_flag


def runs_background_thread(app: Flask, setting: str) -> bool:
    """Whether to start the background thread that ``setting`` switches: on (``True``), off
    (``False``), or, unset (``None``), only when the server is ``flask run``; and in any case
    only in the one process that serves."""
    wanted = app.config.get(setting)
    if wanted is None:
        wanted = served_by_flask_run()
    return bool(wanted) and is_serving_process(app)


def served_by_flask_run() -> bool:
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        return True
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.command.name == "run"


def is_serving_process(app: Flask) -> bool:
    """Whether this process answers requests, so exactly one background thread runs.

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
