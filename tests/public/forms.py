"""The registration form as a visitor fills it in, for the cache tests."""


def valid_form(**overrides):
    data = {
        "full_name": "Amina Diallo",
        "email": "amina@example.org",
        "organisation": "OMEP Sénégal",
        "country": "SN",
        "language": "fr",
        "consent": "y",
        "website": "",
    }
    data.update(overrides)
    return data
