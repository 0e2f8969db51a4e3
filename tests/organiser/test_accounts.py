"""Organiser accounts: the create-organiser command and the administrators' page."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Organiser, Role
from tests.factories import PASSWORD, sign_in


def account(email: str) -> Organiser | None:
    db.session.expire_all()
    return db.session.scalar(select(Organiser).where(Organiser.email == email))


def test_create_organiser_reads_the_password_from_stdin(runner, client):
    result = runner.invoke(
        args=["create-organiser", "Chloe@Example.org", "--name", "Chloé", "--password-stdin"],
        input="a very long password\n",
    )

    assert result.exit_code == 0, result.output
    created = account("chloe@example.org")
    assert created.name == "Chloé"
    assert created.role == Role.ORGANISER
    assert "a very long password" not in created.password_hash
    assert sign_in(client, "chloe@example.org", "a very long password").status_code == 302


def test_create_organiser_with_password_prompts_twice_for_the_password(runner):
    result = runner.invoke(
        args=["create-organiser", "admin@example.org", "--role", "admin", "--password"],
        input="a very long password\na very long password\n",
    )

    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 2
    assert "a very long password" not in result.output
    assert account("admin@example.org").role == Role.ADMIN


def test_create_organiser_checks_the_password_before_asking_it_again(runner):
    result = runner.invoke(
        args=["create-organiser", "admin@example.org", "--password"],
        input="too short\npassword1234\na very long password\na very long password\n",
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "at least 12 characters" in result.output
    assert "most common" in result.output
    assert result.output.count("Password again") == 1
    assert lines.index(next(x for x in lines if "most common" in x)) < lines.index(
        next(x for x in lines if "Password again" in x)
    )
    assert account("admin@example.org") is not None


def test_create_organiser_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["create-organiser", "short@example.org", "--password-stdin"], input="too short\n"
    )

    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert account("short@example.org") is None


def test_create_organiser_refuses_an_existing_account_unless_reset(
    runner, client, organiser_account
):
    refused = runner.invoke(
        args=["create-organiser", organiser_account.email, "--password-stdin"],
        input="another long password\n",
    )
    assert refused.exit_code == 1
    assert "--reset" in refused.output

    reset = runner.invoke(
        args=["create-organiser", organiser_account.email, "--reset", "--password-stdin"],
        input="another long password\n",
    )
    assert reset.exit_code == 0, reset.output
    assert sign_in(client, organiser_account.email, "another long password").status_code == 302


def test_admin_changes_a_role(admin, organiser_account):
    response = admin.post(
        f"/organiser/organisers/{organiser_account.id}/role", data={"role": "admin"}
    )

    assert response.status_code == 302
    assert account(organiser_account.email).role == Role.ADMIN


def test_the_last_admin_cannot_be_demoted(admin, admin_account):
    admin.post(f"/organiser/organisers/{admin_account.id}/role", data={"role": "organiser"})

    assert account(admin_account.email).role == Role.ADMIN


def test_a_deactivated_organiser_is_signed_out_and_cannot_sign_in(
    admin, organiser, organiser_account
):
    response = admin.post(f"/organiser/organisers/{organiser_account.id}/deactivate")

    assert response.status_code == 302
    assert organiser.get("/organiser/").status_code == 302
    assert sign_in(organiser, organiser_account.email, PASSWORD).status_code == 200

    admin.post(f"/organiser/organisers/{organiser_account.id}/activate")
    assert sign_in(organiser, organiser_account.email, PASSWORD).status_code == 302


def test_admins_cannot_deactivate_themselves(admin, admin_account):
    admin.post(f"/organiser/organisers/{admin_account.id}/deactivate")

    assert account(admin_account.email).active


def test_plain_organisers_see_no_admin_link(organiser):
    page = organiser.get("/organiser/")

    assert "/organiser/organisers" not in page.text


def test_account_changes_are_listed_with_who_made_them(admin, organiser_account, runner):
    runner.invoke(
        args=["create-organiser", "cli@example.org", "--password-stdin"],
        input="a very long password\n",
    )
    admin.post(f"/organiser/organisers/{organiser_account.id}/role", data={"role": "admin"})
    admin.post(f"/organiser/organisers/{organiser_account.id}/deactivate")

    page = admin.get("/organiser/organisers").text

    history = page[page.index("Recent account changes") :]
    assert history.index("Account deactivated") < history.index("Role changed (Administrator)")
    assert history.index("Role changed") < history.index("cli@example.org")
    assert "Ada Admin" in history
    assert "System (command line)" in history


def test_actions_on_an_unknown_account_answer_404_even_past_the_integer_range(admin):
    for action in ("invitation", "unlock", "second-factor/off", "role", "deactivate", "activate"):
        for unknown in ("999", "9" * 25):  # the second beyond any integer column
            assert admin.post(f"/organiser/organisers/{unknown}/{action}").status_code == 404


def test_reset_without_a_password_always_queues_a_live_link_and_ends_the_sessions(
    runner, app, organiser, organiser_account
):
    from eventsvc.models import MessageKind, OutboxMessage
    from eventsvc.services import outbox

    for _ in range(3):  # the public form's hourly cap is used up
        outbox.enqueue_for_organiser(MessageKind.PASSWORD_RESET, organiser_account)
    organiser_account.active = False
    db.session.commit()

    result = runner.invoke(args=["create-organiser", organiser_account.email, "--reset"])

    assert result.exit_code == 0, result.output
    links = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.organiser_id == organiser_account.id)
    ).all()
    assert len(links) == 4
    assert account(organiser_account.email).active
    assert organiser.get("/organiser/").status_code == 302  # the old session ended


def test_the_account_inputs_errors_are_shown_beside_their_fields(admin):
    response = admin.post(
        "/organiser/organisers",
        data={"email": "new@example.org", "name": "x" * 201, "role": "organiser"},
    )
    assert response.status_code == 422
    html = response.text
    start = html.index('id="name-error"')
    assert "At most 200 characters (this text has 201)." in html[start : html.index("</ul>", start)]
    assert 'id="email-error"' not in html
