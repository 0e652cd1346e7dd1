from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.enums import Audience, EventFormat, EventStatus
from registrations import services
from registrations.enums import AttendanceMode, EmailKind, RegistrationStatus
from registrations.models import OutboxEmail, Registration, SessionPick
from tests.factories import SessionFactory
from tests.factories.registrations import (
    InvitationFactory,
    QuestionFactory,
    open_event,
    registration_request,
)

pytestmark = pytest.mark.django_db


def form_data(n=0, **overrides):
    data = {
        "first_name": f"Ana{n}",
        "last_name": "Novak",
        "email": f"ana{n}@example.org",
        "organisation_name": "Ministry of Labour",
        "organisation_type": "national_authority",
        "organisation_country": "SI",
        "job_title": "Adviser",
        "privacy_accepted": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def register_url(event):
    return reverse("registrations:register", args=[event.slug])


def manage_url(registration):
    return reverse("registrations:manage", args=[registration.token])


def register(event, n=0, **overrides):
    return services.register(event=event, request=registration_request(n, **overrides))


# --- the form ------------------------------------------------------------------------------------


def test_register_form_renders_questions_and_session_picks(client):
    event = open_event()
    QuestionFactory(event=event, label="Which working group?", kind="single_choice",
                    choices=["Skills", "Recruitment"], required=True)  # fmt: skip
    SessionFactory(event=event, title="Site visit", requires_signup=True, capacity=2)

    response = client.get(register_url(event))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Which working group?" in html
    assert 'value="Recruitment"' in html
    assert "Site visit" in html
    assert "2 places left" in html
    assert "csrfmiddlewaretoken" in html
    assert 'autocomplete="email"' in html


def test_register_form_prefills_invitation_code_from_link(client):
    event = open_event(audience=Audience.INVITATION)

    response = client.get(register_url(event) + "?code=ABCD-EFGH-JKLM-NPQR")

    assert response.status_code == 200
    assert response.context["form"]["invitation_code"].value() == "ABCD-EFGH-JKLM-NPQR"
    assert 'value="ABCD-EFGH-JKLM-NPQR"' in response.content.decode()


def test_register_form_has_no_invitation_field_for_open_event(client):
    event = open_event()

    response = client.get(register_url(event))

    assert "invitation_code" not in response.context["form"].fields


def test_register_post_valid_redirects_to_personal_page(client):
    event = open_event()

    response = client.post(register_url(event), form_data())

    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert response.status_code == 302
    assert response.url == manage_url(registration)
    page = client.get(response.url)
    assert "your place is confirmed" in page.content.decode()


def test_register_post_records_answers_and_picks(client):
    event = open_event()
    question = QuestionFactory(event=event, kind="yes_no", required=True)
    session = SessionFactory(event=event, requires_signup=True)

    client.post(
        register_url(event),
        form_data(**{f"question_{question.pk}": "no", "sessions": [str(session.pk)]}),
    )

    registration = Registration.objects.get()
    assert list(registration.answers.values_list("value", flat=True)) == [False]
    assert list(registration.session_picks.values_list("session_id", flat=True)) == [session.pk]


def test_register_post_waitlisted_says_position(client):
    event = open_event(capacity_in_person=1)
    register(event, 9)

    response = client.post(register_url(event), form_data(), follow=True)

    assert "you are number 1 on the waitlist" in response.content.decode()


def test_register_post_without_privacy_consent_shows_error_beside_field(client):
    event = open_event()

    response = client.post(register_url(event), form_data(privacy_accepted=None))

    assert response.status_code == 400
    assert response.context["form"].errors["privacy_accepted"] == [
        "Please accept the privacy notice to register."
    ]
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'href="#id_privacy_accepted"' in html
    assert 'value="Ana0"' in html
    assert Registration.objects.count() == 0


def test_register_post_overlapping_sessions_shows_error_and_keeps_picks(client):
    event = open_event()
    first = SessionFactory(event=event, title="Workshop A", requires_signup=True)
    second = SessionFactory(event=event, title="Workshop B", requires_signup=True)

    response = client.post(register_url(event), form_data(sessions=[str(first.pk), str(second.pk)]))

    assert response.status_code == 400
    errors = response.context["form"].errors["sessions"]
    assert len(errors) == 1
    assert "take place at the same time" in errors[0]
    assert response.context["picked"] == {first.pk, second.pk}
    assert Registration.objects.count() == 0


def test_register_post_missing_required_answer_shows_error_beside_question(client):
    event = open_event()
    question = QuestionFactory(event=event, label="Your field of work", required=True)

    response = client.post(register_url(event), form_data(job_title="Head of unit"))

    assert response.status_code == 400
    assert response.context["form"].errors[f"question_{question.pk}"] == [
        "Please answer: Your field of work"
    ]
    html = response.content.decode()
    assert f'aria-describedby="id_question_{question.pk}_error"' in html
    assert 'value="Head of unit"' in html
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"registration_opens": timezone.now() + timedelta(days=2)}, "Registration opens on"),
        (
            {"registration_closes": timezone.now() - timedelta(hours=1),
             "registration_opens": timezone.now() - timedelta(days=2)},
            "Registration for this event is closed.",
        ),
        ({"status": EventStatus.CANCELLED}, "This event has been cancelled."),
    ],
)  # fmt: skip
def test_register_when_not_open_says_so_and_records_nothing(client, changes, message):
    event = open_event(**changes)

    page = client.get(register_url(event))
    response = client.post(register_url(event), form_data())

    assert page.status_code == 200
    assert message in page.content.decode()
    assert "<form" not in page.content.decode().split('id="main"')[1]
    assert response.status_code == 409
    assert Registration.objects.count() == 0


def test_register_draft_event_is_404(client):
    event = open_event(status=EventStatus.DRAFT)

    response = client.get(register_url(event))

    assert response.status_code == 404


def test_register_honeypot_answers_like_success_and_records_nothing(client):
    event = open_event()

    response = client.post(register_url(event), form_data(website="http://spam.example"))

    assert response.status_code == 200
    assert "We have sent the details" in response.content.decode()
    assert Registration.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_register_rate_limit_answers_429_after_the_limit(client, settings):
    settings.REGISTRATIONS_FORM_RATE = (3, 60)
    event = open_event()
    for n in range(3):
        client.post(register_url(event), form_data(n))

    response = client.post(register_url(event), form_data(3))

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "too many times" in response.content.decode()
    assert 'value="Ana3"' in response.content.decode()
    assert Registration.objects.count() == 3


def test_register_rate_limit_counts_each_client_apart(client, settings):
    settings.REGISTRATIONS_FORM_RATE = (1, 60)
    event = open_event()
    client.post(register_url(event), form_data(0), REMOTE_ADDR="10.0.0.1")

    response = client.post(register_url(event), form_data(1), REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302


def test_register_existing_email_shows_neutral_page_and_resends(client):
    event = open_event()
    existing = register(event).registration
    OutboxEmail.objects.all().delete()

    response = client.post(register_url(event), form_data(first_name="Someone"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "We have sent the details" in html
    assert existing.token not in html
    assert Registration.objects.count() == 1
    assert list(OutboxEmail.objects.values_list("kind", "to")) == [
        (EmailKind.CONFIRMATION, "ana0@example.org")
    ]


def test_register_declined_person_gets_neutral_page_and_decision_stands(client):
    event = open_event()
    services.decline(registration=register(event).registration, actor=None)

    response = client.post(register_url(event), form_data())

    assert response.status_code == 200
    assert "declined" not in response.content.decode()
    assert Registration.objects.get().status == RegistrationStatus.DECLINED


def test_register_members_only_refusal_offers_invitation_request(client):
    event = open_event(audience=Audience.MEMBERS)

    response = client.post(register_url(event), form_data(organisation_country="MA"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "partner countries" in html
    assert "mailto:events@example.org?subject=" in html
    assert Registration.objects.count() == 0


def test_register_invitation_only_wrong_code_shows_error_beside_code(client):
    event = open_event(audience=Audience.INVITATION)

    response = client.post(register_url(event), form_data(invitation_code="NOPE"))

    assert response.status_code == 403
    assert response.context["form"].errors["invitation_code"] == [
        "This invitation code is not valid for this event."
    ]


def test_register_with_invitation_code_registers(client):
    event = open_event(audience=Audience.INVITATION)
    invitation = InvitationFactory(event=event)

    response = client.post(register_url(event), form_data(invitation_code=invitation.code))

    assert response.status_code == 302
    assert Registration.objects.get().invitation == invitation


def test_register_hybrid_asks_mode_and_requires_it(client):
    event = open_event(format=EventFormat.HYBRID, capacity_online=10)

    response = client.post(register_url(event), form_data())

    assert response.status_code == 400
    assert response.context["form"].errors["mode"] == [
        "Choose whether you will attend in person or online."
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_register_busy_answers_503_and_keeps_input(client, event_row_locked):
    event = open_event()

    with event_row_locked(event):
        response = client.post(register_url(event), form_data())

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert 'value="Ana0"' in response.content.decode()
    assert Registration.objects.count() == 0


# --- the personal page ---------------------------------------------------------------------------


def test_manage_shows_status_with_private_headers(client):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    waitlisted = register(event, 1).registration

    response = client.get(manage_url(waitlisted))

    assert response.status_code == 200
    assert "You are number 1 on the waitlist." in response.content.decode()
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_manage_wrong_token_is_404(client):
    response = client.get(reverse("registrations:manage", args=["not-a-token"]))

    assert response.status_code == 404
    assert response["Referrer-Policy"] == "strict-origin"


def test_manage_revoked_token_is_404(client):
    registration = register(open_event()).registration
    old_url = manage_url(registration)

    services.revoke_token(registration=registration, actor=None)

    assert client.get(old_url).status_code == 404
    assert client.get(manage_url(registration)).status_code == 200


def test_manage_cancel_asks_for_confirmation_first(client):
    registration = register(open_event()).registration

    response = client.get(reverse("registrations:cancel", args=[registration.token]))

    assert response.status_code == 200
    assert "Yes, cancel my registration" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_manage_cancel_promotes_the_waitlisted_person(client):
    event = open_event(capacity_in_person=1)
    confirmed = register(event, 0).registration
    waitlisted = register(event, 1).registration

    response = client.post(reverse("registrations:cancel", args=[confirmed.token]), follow=True)

    confirmed.refresh_from_db()
    waitlisted.refresh_from_db()
    assert confirmed.status == RegistrationStatus.CANCELLED
    assert waitlisted.status == RegistrationStatus.CONFIRMED
    assert "Your registration is cancelled." in response.content.decode()
    assert OutboxEmail.objects.filter(registration=waitlisted, kind=EmailKind.PROMOTED).exists()


def test_manage_leave_waitlist(client):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    waitlisted = register(event, 1).registration

    response = client.post(reverse("registrations:cancel", args=[waitlisted.token]), follow=True)

    waitlisted.refresh_from_db()
    assert waitlisted.status == RegistrationStatus.CANCELLED
    assert "You have left the waitlist." in response.content.decode()


def test_manage_change_mode(client):
    event = open_event(format=EventFormat.HYBRID, capacity_in_person=5, capacity_online=5)
    registration = register(event, mode=AttendanceMode.IN_PERSON).registration

    response = client.post(
        reverse("registrations:change-mode", args=[registration.token]), {"mode": "online"}
    )

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.mode == AttendanceMode.ONLINE
    assert registration.status == RegistrationStatus.CONFIRMED


def test_manage_change_picks(client):
    event = open_event()
    first = SessionFactory(event=event, requires_signup=True)
    later = SessionFactory(
        event=event,
        requires_signup=True,
        start=event.start + timedelta(hours=2),
        end=event.start + timedelta(hours=3),
    )
    registration = register(event, session_ids=[first.pk]).registration

    response = client.post(
        reverse("registrations:change-sessions", args=[registration.token]),
        {"sessions": [str(later.pk)]},
    )

    assert response.status_code == 302
    assert list(SessionPick.objects.values_list("session_id", flat=True)) == [later.pk]


def test_manage_change_picks_overlap_shows_error(client):
    event = open_event()
    first = SessionFactory(event=event, requires_signup=True)
    second = SessionFactory(event=event, requires_signup=True)
    registration = register(event, session_ids=[first.pk]).registration

    response = client.post(
        reverse("registrations:change-sessions", args=[registration.token]),
        {"sessions": [str(first.pk), str(second.pk)]},
    )

    assert response.status_code == 400
    assert "take place at the same time" in response.content.decode()
    assert list(SessionPick.objects.values_list("session_id", flat=True)) == [first.pk]


def test_manage_actions_refuse_get(client):
    registration = register(open_event()).registration

    response = client.get(reverse("registrations:change-mode", args=[registration.token]))

    assert response.status_code == 405


@pytest.mark.parametrize("picks", [1, 5])
def test_manage_query_count(client, picks):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    sessions = [
        SessionFactory(
            event=event,
            requires_signup=True,
            start=event.start + timedelta(hours=i),
            end=event.start + timedelta(hours=i, minutes=50),
        )
        for i in range(picks)
    ]
    registration = register(event, 1, session_ids=[s.pk for s in sessions]).registration
    url = manage_url(registration)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(queries) == 4
