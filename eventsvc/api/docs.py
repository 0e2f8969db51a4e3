"""The API's own description: the OpenAPI document and a page that reads it (no script)."""

import json

from flask import current_app, jsonify, render_template

from eventsvc.api import bp, spec


def _server_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + bp.url_prefix


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec.document(_server_url()))


@bp.get("/docs")
def docs():
    document = spec.document(_server_url())
    operations = [
        (path, method.upper(), operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    return render_template(
        "api/docs.html",
        document=document,
        operations=operations,
        schemas=document["components"]["schemas"],
        as_json=lambda value: json.dumps(value, ensure_ascii=False),
        locale_switch_urls=None,
    )
