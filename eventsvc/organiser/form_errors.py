"""A service's field errors shown beside the form's fields, and the summary linking to them."""

from wtforms import FieldList


def show_service_errors(form, errors: dict[str, list]) -> list:
    """Put the service's field errors beside their fields; return those without a field."""
    unplaced = []
    for key, messages in errors.items():
        field = form_field(form, key)
        if field is None or isinstance(field, FieldList):
            unplaced.extend(messages)
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.extend(messages)
    return unplaced


def form_field(form, key: str):
    """The field a service's error key names: ``name``, or ``name.locale`` in a language's
    sub-form; ``None`` when the form has no such field."""
    name, _sep, locale = key.partition(".")
    if locale and locale in form:
        return form[locale][name]
    return getattr(form, name, None)


def error_links(form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error on the form, in the order of the page, for a
    summary whose entries lead to their fields."""
    links = []
    for field in form:
        for sub in _leaves(field):
            for message in sub.errors if isinstance(sub.errors, list) else []:
                links.append((sub.id, sub.label.text, str(message)))
    return links


def _leaves(field):
    if hasattr(field, "entries"):
        for entry in field.entries:
            yield from _leaves(entry)
    elif hasattr(field, "form") and hasattr(field.form, "_fields") and field.type == "FormField":
        for sub in field.form:
            yield from _leaves(sub)
    else:
        yield field
