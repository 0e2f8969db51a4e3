"""Demo registrants, so that a fresh ``make run`` has lists, statistics and a waitlist to show.

Registered through the real service (capacity, waitlist, consent), then their queued mail is
withdrawn: nobody exists behind these example.org addresses.
"""

from sqlalchemy import select, update

from eventsvc.demo.attendance import seed_past_webinar
from eventsvc.extensions import db
from eventsvc.models import (
    Event,
    MessageStatus,
    OutboxMessage,
    Registration,
)
from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.services import questions
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import RegistrationClosed, register

#: (name, organisation, country, language, interpretation or None, question for the speakers,
#: newsletter)
PEOPLE = [
    (
        "Amina Diallo",
        "OMEP Sénégal",
        "SN",
        "fr",
        "fr",
        "Comment financer les crèches rurales ?",
        True,
    ),
    ("Jean-Baptiste Mukendi", "Save the Children RDC", "CD", "fr", "fr", "", False),
    ("Claire Lefèvre", "Ville de Lyon", "FR", "fr", None, "", True),
    (
        "Kofi Mensah",
        "Ghana Education Service",
        "GH",
        "en",
        "en",
        "How will progress be measured?",
        True,
    ),
    ("Priya Raman", "Pratham", "IN", "en", "en", "", False),
    (
        "María José Gutiérrez",
        "OMEP Argentina",
        "AR",
        "en",
        "en",
        "¿Habrá materiales en español?",
        True,
    ),
    ("Hannah Schmidt", "Bundesministerium für Bildung", "DE", "en", None, "", False),
    ("Oluwaseun Adeyemi", "Lagos State SUBEB", "NG", "en", "en", "", True),
    (
        "Sophie Tremblay",
        "Université Laval",
        "CA",
        "fr",
        "fr",
        "Quelle place pour les familles ?",
        False,
    ),
    ("Ahmed Benali", "Ministère de l’Éducation nationale", "MA", "fr", "fr", "", True),
    ("Chen Wei", "UNICEF China", "CN", "en", "en", "", False),
    ("Laura Rossi", "Reggio Children", "IT", "en", None, "What role for the arts?", True),
    ("Fatou Ndiaye", "ECDAN", "SN", "fr", "fr", "", False),
    ("Tomás Oliveira", "OMEP Brasil", "BR", "en", "en", "", True),
    ("Élise Dubois", "UNESCO", "FR", "fr", None, "", False),
    (
        "Grace Wanjiru",
        "Aga Khan Foundation",
        "KE",
        "en",
        "en",
        "Will the recording be shared?",
        True,
    ),
    ("Nguyen Thi Lan", "Plan International Vietnam", "VN", "en", "en", "", False),
    ("Jonas Berg", "Save the Children Sweden", "SE", "en", None, "", True),
    ("Aïcha Traoré", "Plan International Mali", "ML", "fr", "fr", "", True),
    ("Olga Kovalenko", "ISSA", "UA", "en", "en", "How to reach displaced children?", False),
]

#: Registrants per demo event: the launch gets everyone, the small mentoring session (3
#: places) overflows into a waitlist, the reform webinar a handful.
PER_EVENT = {
    "gps-ecce-launch": PEOPLE,
    "childpact-mentoring-advocacy-plans": PEOPLE[:8],
    "child-protection-reform-2027": PEOPLE[8:16],
}


ROLES = ("teacher", "official", "ngo", "researcher")
AGE_GROUPS = (["under3"], ["age3to6"], ["under3", "age3to6"], ["age6to8"])
BREAKOUTS = ("policy", "practice", "data")
#: Accessibility needs of a few demo people (by their position in :data:`PEOPLE`).
NEEDS = {
    2: {"needs": ["captions"], "sign_language": "", "other": ""},
    5: {"needs": ["sign_language"], "sign_language": "lsf", "other": ""},
    11: {"needs": ["sign_language", "captions"], "sign_language": "is", "other": ""},
    16: {"needs": ["other"], "sign_language": "", "other": "Slides sent before the event"},
}


def demo_answers(index: int, asked: set[str]) -> dict:
    """Answers of the ``index``-th demo person to the demo questions the event asks (the
    launch's role, age groups for teachers, breakout group and accessibility)."""
    answers = {}
    if "role" in asked:
        answers["role"] = ROLES[index % len(ROLES)]
        if answers["role"] == "teacher" and "age_groups" in asked:
            answers["age_groups"] = AGE_GROUPS[(index // len(ROLES)) % len(AGE_GROUPS)]
    if "breakout" in asked:
        answers["breakout"] = BREAKOUTS[index % len(BREAKOUTS)]
    if "accessibility" in asked and index in NEEDS:
        answers["accessibility"] = NEEDS[index]
    return answers


def demo_input(index: int, person: tuple, event: Event) -> RegistrationInput:
    """The ``index``-th demo person's registration for ``event``, as the form would send it."""
    name, organisation, country, language, interpretation, question_for_speakers, news = person
    asked = {question.key for question in questions.asked_questions(event)}
    return RegistrationInput(
        full_name=name,
        email=f"demo{index + 1}.{event.slug[:12]}@example.org",
        language=language,
        organisation=organisation,
        country=country,
        # The demo lists the language each person listens in: the floor's is no interpretation.
        interpretation_language=(
            FOLLOWS_FLOOR if interpretation == event.floor_language else interpretation
        ),
        question_for_speakers=question_for_speakers,
        newsletter=news,
        answers=demo_answers(index, asked),
    )


def seed_registrations() -> int:
    """Register the demo people at the demo events that take registrations, and at the past
    webinar as they did before it (with its attendance and follow-up: :mod:`.attendance`);
    returns how many. Does nothing once any registration exists."""
    if db.session.scalar(select(Registration.id).limit(1)) is not None:
        return 0
    count = 0
    for slug, people in PER_EVENT.items():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            continue
        for index, person in enumerate(people):
            try:
                register(event, demo_input(index, person, event))
            except RegistrationClosed:
                break
            count += 1
    # The past webinar: registered before it, its attendance report, its follow-up (issue 18).
    count += seed_past_webinar(PEOPLE, demo_input)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.PENDING)
        .values(status=MessageStatus.CANCELLED)
    )
    return count
