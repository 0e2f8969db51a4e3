"""The personal join link, ``/<lang>/join/<token>`` (:mod:`eventsvc.services.joins`).

Open: the opening is recorded and the visitor sent on (302) to the meeting. Too early: a
waiting page that counts down and comes back by itself (``static/js/join.js``, else a meta
refresh and a "try again" link). Too late: the event is over, with the recording. An unknown
token is a plain 404; a cancelled place or an unusable event gets a page with nothing personal.
"""

from flask import abort, redirect, render_template, request

from eventsvc import clock
from eventsvc.attendee import keep_private
from eventsvc.i18n import localized_blueprint
from eventsvc.services import joins
from eventsvc.services.joins import JoinState
from eventsvc.unit_of_work import unit_of_work

bp = localized_blueprint("join", __name__, "/join")
bp.after_request(keep_private)

#: The longest a waiting page waits before it asks again without JavaScript (the meta refresh).
REFRESH_AT_MOST = 300


@bp.get("/<token>")
def open(token):  # noqa: A001 - the endpoint's name, join.open
    registration = joins.registration_for_token(token)
    if registration is None:
        abort(404)
    with unit_of_work():
        join = joins.open_link(registration, count=request.method == "GET")
    event = join.event
    if join.state == JoinState.OPEN:
        return redirect(event.online_url, 302)
    context = {"event": event, "content": event.content(registration.language), "token": token}
    if join.state == JoinState.WAITING:
        seconds = max(1, int((join.opens_at - clock.now()).total_seconds()) + 1)
        return render_template(
            "join/waiting.html",
            **context,
            opens_at=join.opens_at,
            seconds=seconds,
            refresh=min(seconds, REFRESH_AT_MOST),
        )
    if join.state == JoinState.OVER:
        return render_template("join/over.html", **context)
    return render_template("join/unavailable.html", **context)
