"""gunicorn's access log never holds a personal-link token or an organiser's search terms."""

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from eventsvc.gunicorn_logging import MaskingLogger, mask_target

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TOKEN = "eyJyIjoxMn0.Zk3tq2x8W0cQyq1k8kq0Zz3V"


def _access_line(path: str, query: str = "", referer: str = "-") -> str:
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", settings["access_log_format"])
    logger = MaskingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    return logger.cfg.access_log_format % atoms


def test_the_project_config_uses_the_masking_logger():
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["logger_class"] == "eventsvc.gunicorn_logging.MaskingLogger"


@pytest.mark.parametrize("suffix", ["", "/invite.ics", "/cancel"])
def test_personal_link_tokens_are_masked(suffix):
    line = _access_line(f"/fr/registrations/{TOKEN}{suffix}")
    assert TOKEN not in line
    assert f"/fr/registrations/[token]{suffix}" in line


def test_an_organiser_password_link_token_is_masked():
    line = _access_line(f"/organiser/password/choose/{TOKEN}")
    assert TOKEN not in line
    assert "/organiser/password/choose/[token]" in line


def test_organiser_search_terms_are_masked_and_plain_filters_kept():
    line = _access_line(
        "/organiser/events/gps/registrations", "q=Awa+Diop%40example.org&status=confirmed&page=2"
    )
    assert "Awa" not in line
    assert "q=[…]&status=confirmed&page=2" in line


def test_a_referer_carrying_a_token_or_search_is_masked():
    referer = f"https://events.example.org/en/registrations/{TOKEN}?q=secret"
    line = _access_line("/static/css/site.css", referer=referer)
    assert TOKEN not in line
    assert "secret" not in line


def test_short_ids_and_other_paths_are_left_readable():
    assert mask_target("/organiser/events/gps/registrations/12/cancel") == (
        "/organiser/events/gps/registrations/12/cancel"
    )
    assert mask_target("/en/events/gps?lang=fr") == "/en/events/gps?lang=fr"
