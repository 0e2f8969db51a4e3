"""The test client the ``app`` fixture uses."""

from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh app context, as a server does.

    The ``app`` fixture keeps one app context open for the whole test; without this, ``g`` (the
    URL's locale, Flask-Babel's cached locale) would carry over from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)
