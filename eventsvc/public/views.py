from flask import render_template

from eventsvc.public import bp


@bp.get("/")
def index():
    return render_template("public/index.html")
