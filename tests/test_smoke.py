def test_root_redirects_by_accept_language(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/fr/")


def test_unknown_locale_prefix_is_404(client):
    assert client.get("/de/").status_code == 404


def test_register_when_full_goes_to_waitlist(make_event, make_registration):
    event = make_event(capacity=1)
    first = make_registration(event)
    second = make_registration(event)
    assert first.status == "confirmed"
    assert second.status == "waitlisted"
