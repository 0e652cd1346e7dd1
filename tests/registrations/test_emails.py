from email import message_from_bytes

import pytest
from django.core import mail

from registrations import services
from registrations.emails import manage_url, queue_email
from registrations.enums import AttendanceMode, EmailKind, RegistrationStatus
from tests.factories import SessionFactory
from tests.factories.registrations import RegistrationFactory, open_event, registration_request

pytestmark = pytest.mark.django_db

# The factories' event starts on 14 May 2030 at 09:00 in Brussels (07:00 UTC).
KINDS = [kind for kind in EmailKind.values if kind != EmailKind.MESSAGE]


def email_for(kind, *, language="en", **registration_fields):
    registration = RegistrationFactory(language=language, **registration_fields)
    if kind == EmailKind.WAITLISTED:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = registration.created_at
        registration.save()
    return queue_email(registration=registration, kind=kind), registration


@pytest.mark.parametrize("kind", KINDS)
def test_email_renders_in_english(kind):
    email, registration = email_for(kind, person__first_name="Ana")

    assert email.body_text.startswith("Dear Ana,")
    assert '<html lang="en">' in email.body_html
    assert "14 May 2030, 09:00–17:00 (Europe/Brussels)" in email.body_text
    assert manage_url(registration) in email.body_text
    assert f'href="{manage_url(registration)}"' in email.body_html


@pytest.mark.parametrize("kind", KINDS)
def test_email_renders_in_french(kind):
    email, registration = email_for(kind, language="fr", person__first_name="Ana")

    assert email.body_text.startswith("Bonjour Ana,")
    assert '<html lang="fr">' in email.body_html
    assert "14 mai 2030, 09:00–17:00 (Europe/Brussels)" in email.body_text
    assert "Statut:" in email.body_text
    assert manage_url(registration) in email.body_html


def test_email_shows_time_in_the_events_timezone():
    event = open_event(timezone="America/New_York")
    registration = RegistrationFactory(event=event)

    email = queue_email(registration=registration, kind=EmailKind.CONFIRMATION)

    local = event.local(event.start)
    assert f"{local:%H:%M}" in email.body_text
    assert "(America/New_York)" in email.body_text
    assert f"{local:%H:%M}" in email.body_html


def test_email_waitlisted_tells_position():
    event = open_event(capacity_in_person=1)
    services.register(event=event, request=registration_request(0))

    waitlisted = services.register(event=event, request=registration_request(1)).registration

    email = waitlisted.emails.get()
    assert email.kind == EmailKind.WAITLISTED
    assert "You are number 1 on the waitlist." in email.body_text


def test_email_confirmation_lists_sessions_and_online_link():
    event = open_event(online=True)
    session = SessionFactory(event=event, title="Matching skills", requires_signup=True)

    registration = services.register(
        event=event,
        request=registration_request(0, mode=AttendanceMode.ONLINE, session_ids=[session.pk]),
    ).registration

    email = registration.emails.get()
    assert "- Matching skills (" in email.body_text
    assert "Join online: https://meet.example.org/room-1" in email.body_text


def test_email_plain_text_is_not_html_escaped():
    email, _registration = email_for(EmailKind.CONFIRMATION, person__first_name="Zoë & Éric")

    assert email.body_text.startswith("Dear Zoë & Éric,")
    assert "Dear Zoë &amp; Éric," in email.body_html


def test_email_name_with_newlines_injects_no_header(django_capture_on_commit_callbacks):
    event = open_event(title="Moving Talents\r\nBcc: list@example.org")
    request = registration_request(0, first_name="Eve\r\nBcc: evil@example.org\r\n")

    with django_capture_on_commit_callbacks(execute=True):
        services.register(event=event, request=request)

    sent = mail.outbox[0]
    assert sent.bcc == []
    assert sent.to == ["ana0@example.org"]
    parsed = message_from_bytes(sent.message().as_bytes())
    assert parsed.get_all("Bcc") is None
    assert "\n" not in parsed["Subject"]
    assert (
        parsed["Subject"] == "Your registration is confirmed: Moving Talents Bcc: list@example.org"
    )
