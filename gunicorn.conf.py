"""gunicorn settings, read from the working directory (``gunicorn -c`` names another file).

The access log (on with ``--access-logfile -``) goes through a logger that masks personal-link
tokens and query values such as organiser searches: see ``eventsvc/gunicorn_logging.py`` and
the security section of docs/production.md. The format is gunicorn's usual one.
"""

logger_class = "eventsvc.gunicorn_logging.MaskingLogger"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
