"""Form data a person would post to the registration route."""

import itertools

_numbers = itertools.count(1)


def registration_form(**overrides) -> dict[str, str]:
    n = next(_numbers)
    form = {
        "full_name": f"Awa Diop {n}",
        "email": f"awa.diop{n}@example.org",
        "organisation": "OMEP Sénégal",
        "country": "SN",
        "language": "fr",
        "interpretation_language": "",
        "question": "",
        "consent": "y",
        "website": "",
    }
    form.update(overrides)
    return form
