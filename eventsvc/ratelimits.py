"""Rate limits for the endpoints bots aim at, per client address, read from the settings.

Apply under the route decorator::

    @bp.post("/events/<slug>/register")
    @ratelimits.registration
    def register(slug): ...

Only POSTs count. The limits (``RATELIMIT_REGISTER``, ``RATELIMIT_LOGIN``, e.g. ``"20 per
minute"``) are read at request time. A breach answers 429 with ``templates/errors/429.html`` in
the page's language and a ``Retry-After`` header. The counts live in ``RATELIMIT_STORAGE_URI``:
memory by default (per process), ``redis://…`` when several processes serve the site. Behind a
reverse proxy set ``PROXY_FIX_HOPS`` so that the client address is the visitor's, not the
proxy's.
"""

from flask import current_app

from eventsvc.extensions import limiter


def _registration_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _sign_in_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


#: Registration form posts, counted per address across all events.
registration = limiter.limit(_registration_limit, methods=["POST"])

#: Organiser sign-in attempts, counted per address (the account lock-out counts per account).
sign_in = limiter.limit(_sign_in_limit, methods=["POST"])
