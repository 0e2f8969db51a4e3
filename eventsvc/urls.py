"""Absolute links for places with no request at hand (mail, calendar files)."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """``url_for`` against ``PUBLIC_BASE_URL``, usable from the mail worker."""
    app = current_app._get_current_object()
    with app.test_request_context("/", base_url=app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
