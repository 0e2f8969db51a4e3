"""HTTP hardening: security headers, proxy headers, production checks."""


def init_app(app) -> None:
    pass
