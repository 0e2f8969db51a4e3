"""New-event notices and digests as messages to many (issue 20): publishing writes one row, the
worker writes each interested subscriber's delivery once (a unique key (broadcast,
subscription)), in chunks that a crash leaves whole or not at all; each is rendered in the
subscriber's language with the one-click unsubscribe headers; who unsubscribed before the
expansion, or confirmed after the publication, gets nothing."""

import itertools
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due, expand_all, expand_due
from eventsvc.models import (
    Broadcast,
    BroadcastStatus,
    Frequency,
    MessageKind,
    OutboxMessage,
    Subscription,
    SubscriptionStatus,
)
from eventsvc.services import events as event_service
from eventsvc.services import subscriptions
from eventsvc.unit_of_work import unit_of_work
from tests.mail.reading import parse

_NOTICE = Broadcast.kind == MessageKind.NEW_EVENT_NOTICE
LANGUAGES = (("fr",), ("en", "fr"), ("es",), ("de",))  # "de": the event does not interest them


_numbers = itertools.count()


def add_subscribers(n: int, frequency=Frequency.EACH, confirmed_at=None) -> list[int]:
    """``n`` confirmed subscriptions, languages in turn from LANGUAGES; returns their ids."""
    confirmed_at = confirmed_at or clock.now() - timedelta(days=1)
    start = next(_numbers) * 1000
    rows = [
        Subscription(
            email=f"sub{start + i}@example.org",
            email_normalised=f"sub{start + i}@example.org",
            languages=list(LANGUAGES[i % len(LANGUAGES)]),
            partner_ids=[],
            frequency=frequency,
            status=SubscriptionStatus.CONFIRMED,
            confirmed_at=confirmed_at,
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def interested(ids: list[int]) -> list[int]:
    return [i for n, i in enumerate(ids) if LANGUAGES[n % len(LANGUAGES)] != ("de",)]


def publish(event) -> None:
    with unit_of_work():
        event_service.publish_event(event)


def deliveries(kind=MessageKind.NEW_EVENT_NOTICE) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


@pytest.fixture
def draft(make_event):
    return make_event(
        slug="launch",
        status="draft",
        title={"fr": "Lancement", "en": "Launch", "es": "Lanzamiento"},
    )


def test_publishing_writes_one_row_and_each_interested_subscriber_gets_one_notice(
    smtp_app, smtp, draft
):
    ids = add_subscribers(23)

    publish(draft)

    assert deliveries() == []  # nothing per subscriber in the organiser's transaction
    [broadcast] = db.session.scalars(select(Broadcast).where(_NOTICE)).all()
    assert (broadcast.kind, broadcast.event_id) == (MessageKind.NEW_EVENT_NOTICE, draft.id)
    assert expand_all(chunk=5) == len(interested(ids))
    assert expand_all(chunk=5) == 0
    assert Counter(m.subscription_id for m in deliveries()) == Counter(interested(ids))
    assert {m.event_id for m in deliveries()} == {draft.id}

    dispatch_due()
    subjects = {}
    for raw in smtp.messages:
        message = parse(raw.as_bytes())
        subjects.setdefault(message["Content-Language"], set()).add(str(message["Subject"]))
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].endswith("/unsubscribe>")
    assert subjects == {
        "fr": {"Nouvel événement\u00a0: Lancement"},
        "en": {"New event: Launch"},
        "es": {"Nuevo evento: Lanzamiento"},
    }
    assert len(smtp.messages) == len(interested(ids))


def test_publishing_again_writes_no_second_notice(app, draft):
    add_subscribers(4)
    publish(draft)
    with unit_of_work():
        subscriptions.queue_new_event_notices(draft)
    assert db.session.scalar(select(func.count(Broadcast.id)).where(_NOTICE)) == 1


def test_unsubscribed_before_expansion_and_confirmed_after_publication_get_nothing(
    app, draft, frozen_clock
):
    ids = add_subscribers(8)
    publish(draft)
    frozen_clock.advance(timedelta(minutes=1))
    late = add_subscribers(1, confirmed_at=clock.now())  # confirmed after the publication
    with unit_of_work():
        subscriptions.unsubscribe(db.session.get(Subscription, ids[0]))

    expand_all()

    told = {m.subscription_id for m in deliveries()}
    assert told == set(interested(ids)) - {ids[0]}
    assert late[0] not in told


def test_a_crash_mid_expansion_writes_no_subscriber_twice(app, draft):
    ids = add_subscribers(30)
    publish(draft)

    def crash():
        raise RuntimeError("worker killed after writing, before its cursor moved")

    assert expand_due(chunk=7) is not None  # one chunk written and committed
    with pytest.raises(RuntimeError):
        expand_due(chunk=7, after_write=crash)  # the next chunk and its cursor: neither kept
    db.session.rollback()
    assert len(deliveries()) == len(interested(ids[:7]))

    expand_all(chunk=7)

    assert Counter(m.subscription_id for m in deliveries()) == Counter(interested(ids))
    broadcast = db.session.scalar(select(Broadcast).where(_NOTICE))
    assert broadcast.status == BroadcastStatus.DONE
    assert broadcast.written == len(interested(ids))

    # And the key itself: a second delivery of the broadcast to a subscriber is refused.
    first = deliveries()[0]
    db.session.add(
        OutboxMessage(
            kind=first.kind,
            subscription_id=first.subscription_id,
            broadcast_id=first.broadcast_id,
            event_id=first.event_id,
            message_id="<again@example.org>",
        )
    )
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_weekly_digest_is_one_row_and_lists_what_each_may_hear_of(
    app, make_event, frozen_clock
):
    early = add_subscribers(4, frequency=Frequency.WEEKLY)
    first = make_event(slug="one", status="draft", title={"fr": "Un", "en": "One", "es": "Uno"})
    second = make_event(slug="two", status="draft", title={"fr": "Deux", "en": "Two", "es": "Dos"})
    publish(first)
    frozen_clock.advance(timedelta(hours=1))
    late = add_subscribers(1, frequency=Frequency.WEEKLY, confirmed_at=clock.now())
    frozen_clock.advance(timedelta(hours=1))
    publish(second)

    [digest] = db.session.scalars(select(Broadcast).where(Broadcast.kind == MessageKind.DIGEST))
    assert digest.event_id is None
    assert [event_id for event_id, _ in digest.payload["events"]] == [first.id, second.id]
    assert expand_all() == 0  # due on Monday
    assert deliveries(MessageKind.NEW_EVENT_NOTICE) == []  # weekly: no notice

    frozen_clock.set(digest.due_at)
    expand_all()

    events = {m.subscription_id: m.payload["events"] for m in deliveries(MessageKind.DIGEST)}
    wanted = {i: [first.id, second.id] for i in interested(early)}
    wanted[late[0]] = [second.id]  # confirmed after the first was published
    assert events == wanted
