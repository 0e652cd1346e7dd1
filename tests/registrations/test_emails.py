from email import message_from_bytes

import pytest
from django.core import mail
from django.db import transaction
from icalendar import Calendar

from registrations import services
from registrations.emails import manage_url, queue_email, render_email
from registrations.enums import AttendanceMode, EmailKind, EmailStatus, RegistrationStatus
from registrations.mail import deliver
from registrations.models import OutboxEmail
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
    return render_email(queue_email(registration=registration, kind=kind)), registration


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

    email = render_email(queue_email(registration=registration, kind=EmailKind.CONFIRMATION))

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
    assert "You are number 1 on the waitlist." in render_email(email).body_text


def test_email_confirmation_lists_sessions_and_online_link():
    event = open_event(online=True)
    session = SessionFactory(event=event, title="Matching skills", requires_signup=True)

    registration = services.register(
        event=event,
        request=registration_request(0, mode=AttendanceMode.ONLINE, session_ids=[session.pk]),
    ).registration

    email = render_email(registration.emails.get())
    assert "- Matching skills (" in email.body_text
    # The join link goes through the site, which notes the join (reports.attendance).
    assert "\nJoin online: http" in email.body_text


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


# --- written in the transaction, rendered when sent ---------------------------------------------


def test_email_is_written_without_bodies_and_rendered_when_sent(mailoutbox):
    registration = services.register(
        event=open_event(title="Skills Forum"), request=registration_request(0, first_name="Ana")
    ).registration

    email = registration.emails.get()
    written = (email.subject, email.to, email.body_text, email.body_html, email.attachments)
    status = deliver(email.pk)

    email.refresh_from_db()
    assert written == (
        "Your registration is confirmed: Skills Forum",
        "ana0@example.org",
        "",
        "",
        [],
    )
    assert status == EmailStatus.SENT
    assert email.body_text.startswith("Dear Ana,")
    assert [a["filename"] for a in email.attachments] == ["invite.ics"]
    [sent] = mailoutbox
    assert (sent.subject, sent.body) == (email.subject, email.body_text)
    assert [name for name, _content, _type in sent.attachments] == ["invite.ics"]


def test_email_written_while_waitlisted_and_sent_after_promotion_still_says_waitlisted(
    mailoutbox,
):
    event = open_event(capacity_in_person=1)
    first = services.register(event=event, request=registration_request(0)).registration
    second = services.register(event=event, request=registration_request(1)).registration
    waitlisted_email = second.emails.get(kind=EmailKind.WAITLISTED)

    services.cancel(registration=first, actor=None)
    deliver(waitlisted_email.pk)

    second.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED
    [sent] = mailoutbox
    assert "You are number 1 on the waitlist." in sent.body
    assert "Status: Waitlisted – number 1 on the waitlist" in sent.body
    assert "Your badge is ready" not in sent.body
    assert sent.attachments == []
    promoted = render_email(second.emails.get(kind=EmailKind.PROMOTED))
    assert "Status: Confirmed" in promoted.body_text
    assert [a["filename"] for a in promoted.attachments] == ["invite.ics"]


def test_email_keeps_the_language_it_was_written_in():
    registration = RegistrationFactory(language="fr", person__first_name="Ana")
    email = queue_email(registration=registration, kind=EmailKind.CONFIRMATION)

    registration.language = "en"
    registration.save()

    assert render_email(email).body_text.startswith("Bonjour Ana,")


def test_email_lists_picks_as_they_stood_when_written():
    event = open_event()
    kept = SessionFactory(event=event, title="Matching skills", requires_signup=True)
    dropped = SessionFactory(
        event=event,
        title="Social partners",
        requires_signup=True,
        start=kept.end,
        end=kept.end + (kept.end - kept.start),
    )
    registration = services.register(
        event=event, request=registration_request(0, session_ids=[kept.pk, dropped.pk])
    ).registration
    email = registration.emails.get()

    services.change_session_picks(registration=registration, session_ids=[kept.pk], actor=None)

    body = render_email(email).body_text
    assert "- Matching skills (" in body
    assert "- Social partners (" in body


def test_email_written_after_cancel_keeps_its_calendar_sequence():
    registration = services.register(
        event=open_event(), request=registration_request(0)
    ).registration
    confirmation = registration.emails.get(kind=EmailKind.CONFIRMATION)

    services.cancel(registration=registration, actor=None)
    cancellation = registration.emails.get(kind=EmailKind.CANCELLED)

    invite, cancel = (
        Calendar.from_ical(render_email(email).attachments[0]["content"])
        for email in (confirmation, cancellation)
    )
    assert (str(invite["METHOD"]), str(cancel["METHOD"])) == ("REQUEST", "CANCEL")
    [invite_event], [cancel_event] = invite.walk("VEVENT"), cancel.walk("VEVENT")
    assert (invite_event.get("SEQUENCE", 0), cancel_event["SEQUENCE"]) == (0, 1)


def test_email_promoted_session_is_named():
    registration = RegistrationFactory(person__first_name="Ana")

    email = queue_email(
        registration=registration,
        kind=EmailKind.CHANGED,
        context={"promoted_session": {"title": "Matching skills"}},
    )

    assert email.context["extra"] == {"promoted_session": {"title": "Matching skills"}}
    assert "A place in the session “Matching skills” has become free" in (
        render_email(email).body_text
    )


def test_email_context_must_be_json():
    registration = RegistrationFactory()

    with pytest.raises(TypeError, match="promoted_session"):
        queue_email(
            registration=registration,
            kind=EmailKind.CHANGED,
            context={"promoted_session": SessionFactory()},
        )


def test_email_with_given_attachments_sends_them_as_given(mailoutbox):
    registration = RegistrationFactory()
    attachment = {"filename": "notes.txt", "content": "Room B", "mimetype": "text/plain"}
    with transaction.atomic():
        email = queue_email(
            registration=registration,
            kind=EmailKind.MESSAGE,
            subject="Practical details",
            context={"message": "We meet in room B."},
            attachments=[attachment],
        )

    deliver(email.pk)

    [sent] = mailoutbox
    assert sent.subject.startswith("Practical details – ")
    assert "We meet in room B." in sent.body
    assert sent.attachments == [("notes.txt", "Room B", "text/plain")]


def test_email_written_with_its_body_is_sent_as_it_is(mailoutbox):
    email = OutboxEmail.objects.create(
        registration=None,
        kind=EmailKind.DATA_EXPORT,
        to="ana@example.org",
        subject="Your data",
        body_text="Here is your data.",
        body_html="<p>Here is your data.</p>",
    )

    status = deliver(email.pk)

    [sent] = mailoutbox
    assert status == EmailStatus.SENT
    assert (sent.subject, sent.body, sent.to) == (
        "Your data",
        "Here is your data.",
        ["ana@example.org"],
    )
    assert sent.alternatives[0].content == "<p>Here is your data.</p>"


def test_email_that_cannot_be_rendered_is_marked_failed(mailoutbox):
    email = OutboxEmail.objects.create(
        registration=None, kind=EmailKind.CONFIRMATION, to="ana@example.org", context={}
    )

    status = deliver(email.pk)

    email.refresh_from_db()
    assert status == EmailStatus.FAILED
    assert email.last_error.startswith("Rendering failed: NothingToRender")
    assert mailoutbox == []
