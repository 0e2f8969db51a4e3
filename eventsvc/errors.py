"""Error pages in the visitor's language."""

from flask import render_template
from werkzeug.exceptions import HTTPException


def init_app(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        template = (
            f"errors/{error.code}.html"
            if error.code in (400, 403, 404, 429)
            else "errors/generic.html"
        )
        return render_template(template, error=error), error.code

    @app.errorhandler(500)
    def server_error(error):
        return render_template("errors/500.html"), 500
