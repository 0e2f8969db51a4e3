import pytest

from tests.webhook_receiver import WebhookReceiver


@pytest.fixture
def app_config():
    """Loopback receivers are allowed explicitly (EVENTSVC_WEBHOOK_ALLOW_PRIVATE=true)."""
    return {"WEBHOOK_ALLOW_PRIVATE": True, "WEBHOOK_TIMEOUT": 5}


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()
