"""``/healthz``: whether this process can serve, for load balancers and monitoring."""

import logging

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from eventsvc.extensions import db, limiter
from eventsvc.unit_of_work import unit_of_work

log = logging.getLogger(__name__)


def database_is_up() -> bool:
    """Whether the database answers, asked twice: a connection the database closed since it
    was pooled fails once and is replaced, which is not an outage."""
    for attempt in (1, 2):
        try:
            with unit_of_work():
                db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            if attempt == 2:
                log.exception("Health check: the database does not answer.")
                return False
            continue
        return True
    return False


def healthz():
    """200 ``{"status": "ok", …}`` or 503 ``{"status": "unavailable", …}``; no error details."""
    up = database_is_up()
    body = {"status": "ok" if up else "unavailable", "database": "ok" if up else "unavailable"}
    response = jsonify(body)
    response.status_code = 200 if up else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", limiter.exempt(healthz), methods=["GET"])
