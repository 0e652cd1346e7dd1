"""The registration API: the public registers, attendees use their token, organisers decide."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from agenda.enums import Audience, EventFormat
from registrations import services
from registrations.enums import AttendanceMode, EmailKind, RegistrationStatus
from registrations.models import AuditEntry, OutboxEmail, Registration, RegistrationSettings
from tests.factories import OrganisationFactory, PersonFactory, SessionFactory
from tests.factories.registrations import (
    InvitationFactory,
    QuestionFactory,
    RegistrationFactory,
    open_event,
    registration_request,
)
from tests.factories.tokens import api_token

pytestmark = pytest.mark.django_db


def registration_body(n: int = 0, **overrides) -> dict:
    body = {
        "first_name": f"Ana{n}",
        "last_name": "Novak",
        "email": f"ana{n}@example.org",
        "organisation_name": "Ministry of Labour",
        "organisation_type": "national_authority",
        "organisation_country": "SI",
        "job_title": "Adviser",
        "privacy_accepted": True,
    }
    body.update(overrides)
    return body


def post_registration(client, event, n: int = 0, headers=None, **overrides):
    return client.post(
        f"/api/v1/events/{event.slug}/registrations/",
        registration_body(n, **overrides),
        content_type="application/json",
        headers=headers or {},
    )


def own_url(registration) -> str:
    return f"/api/v1/registrations/{registration.token}/"


def organiser_url(registration=None, change: str = "") -> str:
    url = "/api/v1/organiser/registrations/"
    if registration is not None:
        url += f"{registration.pk}/"
    if change:
        url += f"{change}/"
    return url


def register(event, n: int = 0, **overrides) -> Registration:
    return services.register(event=event, request=registration_request(n, **overrides)).registration


def assert_refused(response, status: int, code: str) -> dict:
    """The one error shape, and nothing saved: no registration, no email."""
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert sorted(error) == ["code", "fields", "message"]
    assert Registration.objects.count() == 0
    assert OutboxEmail.objects.count() == 0
    return error


@pytest.fixture
def organiser():
    user = get_user_model().objects.create_user("organiser", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_registration"))
    return user


@pytest.fixture
def organiser_client(organiser):
    client = Client()
    client.force_login(organiser)
    return client


# --- registering ---------------------------------------------------------------------------------


def test_create_confirms_and_returns_personal_token(client):
    event = open_event(capacity_in_person=2)

    response = post_registration(client, event)

    assert response.status_code == 201
    registration = Registration.objects.get()
    assert response.json() == {
        "status": "confirmed",
        "status_label": "Confirmed",
        "mode": "in_person",
        "waitlist_position": None,
        "token": registration.token,
        "manage_url": f"http://127.0.0.1:8000/registration/{registration.token}/",
    }


def test_create_waitlists_when_full(client):
    event = open_event(capacity_in_person=1)
    register(event, 0)

    response = post_registration(client, event, 1)

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["waitlist_position"]) == ("waitlisted", 1)


def test_create_with_approval_is_pending(client):
    event = open_event()
    RegistrationSettings.objects.create(event=event, requires_approval=True)

    response = post_registration(client, event)

    assert response.status_code == 201
    assert response.json()["status"] == "pending"


def test_create_stores_answers_sessions_and_invitation(client):
    event = open_event(audience=Audience.INVITATION)
    question = QuestionFactory(event=event, kind="yes_no", required=True)
    workshop = SessionFactory(event=event, requires_signup=True)
    invitation = InvitationFactory(event=event)

    response = post_registration(
        client,
        event,
        answers={str(question.pk): True},
        session_ids=[workshop.pk],
        invitation_code=invitation.code.lower(),
    )

    assert response.status_code == 201
    registration = Registration.objects.get()
    assert [(a.question_id, a.value) for a in registration.answers.all()] == [(question.pk, True)]
    assert [p.session_id for p in registration.session_picks.all()] == [workshop.pk]
    assert registration.invitation == invitation


def test_create_takes_language_from_request(client):
    event = open_event()

    response = post_registration(client, event, headers={"accept-language": "fr"})

    assert response.status_code == 201
    assert Registration.objects.get().language == "fr"


def test_create_takes_language_from_field(client):
    event = open_event()

    response = post_registration(client, event, headers={"accept-language": "en"}, language="fr")

    assert response.status_code == 201
    assert Registration.objects.get().language == "fr"


def test_create_before_opening_is_refused(client):
    event = open_event(registration_opens=timezone.now() + timedelta(days=2))

    response = post_registration(client, event)

    assert_refused(response, 409, "registration_not_open")


def test_create_for_cancelled_event_is_refused(client):
    event = open_event(status="cancelled")

    response = post_registration(client, event)

    error = assert_refused(response, 409, "registration_not_open")
    assert error["message"] == "This event has been cancelled."


def test_create_members_only_from_partner_country_is_refused(client):
    event = open_event(audience=Audience.MEMBERS)

    response = post_registration(client, event, organisation_country="MA")

    error = assert_refused(response, 403, "not_eligible")
    assert "invitation" in error["message"]


def test_create_invitation_only_without_code_is_refused(client):
    event = open_event(audience=Audience.INVITATION)

    response = post_registration(client, event)

    assert_refused(response, 403, "invitation_required")


def test_create_with_unknown_invitation_code_is_refused(client):
    event = open_event(audience=Audience.INVITATION)

    response = post_registration(client, event, invitation_code="AAAA-BBBB-CCCC-DDDD")

    assert_refused(response, 403, "invitation_invalid")


def test_create_with_overlapping_sessions_is_refused_beside_session_ids(client):
    event = open_event()
    first = SessionFactory(event=event, requires_signup=True, title="Workshop A")
    second = SessionFactory(event=event, requires_signup=True, title="Workshop B")

    response = post_registration(client, event, session_ids=[first.pk, second.pk])

    error = assert_refused(response, 400, "sessions_overlap")
    assert error["fields"] == {"session_ids": [error["message"]]}
    assert "Workshop A" in error["message"]


def test_create_without_privacy_consent_is_refused_beside_the_field(client):
    event = open_event()

    response = post_registration(client, event, privacy_accepted=False)

    error = assert_refused(response, 400, "privacy_required")
    assert list(error["fields"]) == ["privacy_accepted"]


def test_create_without_required_answer_is_refused_beside_the_answer(client):
    event = open_event()
    question = QuestionFactory(event=event, required=True, label="Your role?")

    response = post_registration(client, event)

    error = assert_refused(response, 400, "answer_required")
    assert error["fields"] == {f"answers.{question.pk}": ["Please answer: Your role?"]}


def test_create_with_invalid_body_names_each_field(client):
    event = open_event()

    response = post_registration(
        client, event, email="not-an-address", organisation_country="XX", answers={"role": "x"}
    )

    error = assert_refused(response, 400, "invalid")
    assert sorted(error["fields"]) == ["answers", "email", "organisation_country"]


def test_create_for_draft_event_is_404(client):
    event = open_event(draft=True)

    response = post_registration(client, event)

    assert_refused(response, 404, "not_found")


def test_create_for_registered_email_answers_neutral_200_and_resends(client):
    event = open_event(capacity_in_person=1)
    register(event, 9)
    register(event, 0)  # waitlisted: the answer must not tell

    response = post_registration(client, event, 0, first_name="Someone", last_name="Else")

    assert response.status_code == 200
    assert list(response.json()) == ["detail"]
    assert "waitlist" not in response.content.decode()
    assert Registration.objects.filter(person__email="ana0@example.org").count() == 1
    kinds = OutboxEmail.objects.filter(to="ana0@example.org").values_list("kind", flat=True)
    assert list(kinds) == [EmailKind.WAITLISTED, EmailKind.WAITLISTED]


def test_create_is_throttled_per_address(client, settings, rate_clock):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "registration_create": "2/minute",
        },
    }
    event = open_event()
    post_registration(client, event, 0)
    post_registration(client, event, 1)

    response = post_registration(client, event, 2)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert Registration.objects.count() == 2


def test_create_throttle_ignores_forged_forwarded_for(client, settings, rate_clock):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "registration_create": "1/minute",
        },
    }
    event = open_event()
    post_registration(client, event, 0, headers={"x-forwarded-for": "198.51.100.1"})

    response = post_registration(client, event, 1, headers={"x-forwarded-for": "198.51.100.2"})

    assert response.status_code == 429


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_create_answers_503_with_retry_after_while_seats_are_locked(client, event_row_locked):
    event = open_event()

    with event_row_locked(event):
        response = post_registration(client, event)

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["error"]["code"] == "busy_retry"
    assert Registration.objects.count() == 0


# --- the attendee's own registration -------------------------------------------------------------


def test_own_registration_reads_by_token(client):
    event = open_event(capacity_in_person=1)
    workshop = SessionFactory(event=event, requires_signup=True, title="Workshop A")
    register(event, 0)
    registration = register(event, 1, session_ids=[workshop.pk])

    response = client.get(own_url(registration))

    assert response.status_code == 200
    body = response.json()
    assert (body["event"]["slug"], body["status"], body["mode"], body["waitlist_position"]) == (
        event.slug,
        "waitlisted",
        "in_person",
        1,
    )
    assert [(p["session_id"], p["title"]) for p in body["picks"]] == [(workshop.pk, "Workshop A")]


def test_own_registration_shows_nobody_else(client):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    registration = register(event, 1)

    response = client.get(own_url(registration))

    assert "ana0" not in response.content.decode()


def test_own_registration_with_wrong_token_is_404(client):
    register(open_event())

    response = client.get("/api/v1/registrations/not-the-token/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_own_registration_by_id_instead_of_token_is_404(client):
    registration = register(open_event())

    response = client.get(f"/api/v1/registrations/{registration.pk}/")

    assert response.status_code == 404


def test_own_registration_with_renewed_token_is_404(client):
    registration = register(open_event())
    old_url = own_url(registration)
    services.revoke_token(registration=registration, actor=None)

    response = client.get(old_url)

    assert response.status_code == 404


def test_own_registration_patch_changes_mode_and_picks(client):
    event = open_event(format=EventFormat.HYBRID, capacity_online=10)
    workshop = SessionFactory(event=event, requires_signup=True)
    registration = register(event, mode=AttendanceMode.IN_PERSON)

    response = client.patch(
        own_url(registration),
        {"mode": "online", "session_ids": [workshop.pk]},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["status"]) == ("online", "confirmed")
    assert [p["session_id"] for p in response.json()["picks"]] == [workshop.pk]
    registration.refresh_from_db()
    assert registration.mode == AttendanceMode.ONLINE


def test_own_registration_patch_is_all_or_nothing(client):
    event = open_event(format=EventFormat.HYBRID, capacity_online=10)
    first = SessionFactory(event=event, requires_signup=True)
    second = SessionFactory(event=event, requires_signup=True)
    registration = register(event, mode=AttendanceMode.IN_PERSON)

    response = client.patch(
        own_url(registration),
        {"mode": "online", "session_ids": [first.pk, second.pk]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "sessions_overlap"
    registration.refresh_from_db()
    assert registration.mode == AttendanceMode.IN_PERSON


def test_own_registration_patch_mode_of_single_mode_event_is_refused(client):
    registration = register(open_event())

    response = client.patch(own_url(registration), {"mode": "online"}, "application/json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["mode"]


def test_own_registration_delete_cancels_and_promotes_next(client):
    event = open_event(capacity_in_person=1)
    registration = register(event, 0)
    waiting = register(event, 1)

    response = client.delete(own_url(registration))

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    entry = AuditEntry.objects.get(registration=registration, action="cancelled")
    assert entry.actor_label == "attendee"


def test_own_registration_delete_twice_is_conflict(client):
    registration = register(open_event())
    client.delete(own_url(registration))

    response = client.delete(own_url(registration))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


# --- organisers ----------------------------------------------------------------------------------


def test_organiser_list_anonymous_is_401(client):
    RegistrationFactory()

    response = client.get(organiser_url())

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_organiser_detail_with_attendee_token_only_is_401(client):
    registration = register(open_event())

    response = client.get(organiser_url(registration), {"token": registration.token})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("is_staff", "with_permission"), [(False, True), (True, False)], ids=["member", "staff"]
)
def test_organiser_endpoints_without_staff_permission_are_403(client, is_staff, with_permission):
    user = get_user_model().objects.create_user("someone", is_staff=is_staff)
    if with_permission:
        user.user_permissions.add(Permission.objects.get(codename="change_registration"))
    client.force_login(user)
    registration = RegistrationFactory(status=RegistrationStatus.PENDING)

    responses = [
        client.get(organiser_url()),
        client.get(organiser_url(registration)),
        client.post(organiser_url(registration, "approve")),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert responses[0].json()["error"]["code"] == "permission_denied"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_organiser_list_accepts_token_authentication(client, organiser):
    registration = RegistrationFactory()
    key = api_token(organiser, [registration.event])

    response = client.get(organiser_url(), headers={"authorization": f"Token {key}"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"event": "summit"}, ["summit-confirmed", "summit-waitlisted"]),
        ({"status": "waitlisted"}, ["summit-waitlisted"]),
        ({"mode": "online"}, ["forum-online"]),
        ({"organisation_type": "trade_union"}, ["forum-online"]),
        ({"country": "de"}, ["summit-waitlisted"]),
        ({"event": "summit", "status": "confirmed"}, ["summit-confirmed"]),
    ],
)
def test_organiser_list_filters(organiser_client, query, expected):
    summit = open_event(slug="summit")
    forum = open_event(slug="forum", format=EventFormat.HYBRID, capacity_online=10)
    union = OrganisationFactory(type="trade_union", country="FR")
    german = OrganisationFactory(country="DE")
    RegistrationFactory(event=summit, person__last_name="summit-confirmed")
    RegistrationFactory(
        event=summit,
        person=PersonFactory(last_name="summit-waitlisted", organisation=german),
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=timezone.now(),
    )
    RegistrationFactory(
        event=forum,
        person=PersonFactory(last_name="forum-online", organisation=union),
        mode=AttendanceMode.ONLINE,
    )

    response = organiser_client.get(organiser_url(), query)

    assert response.status_code == 200
    assert sorted(r["last_name"] for r in response.json()["results"]) == expected


def test_organiser_list_shows_waitlist_positions(organiser_client):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    second, third = register(event, 1), register(event, 2)

    response = organiser_client.get(organiser_url(), {"status": "waitlisted"})

    positions = {r["email"]: r["waitlist_position"] for r in response.json()["results"]}
    assert positions == {second.person.email: 1, third.person.email: 2}


@pytest.mark.parametrize("count", [1, 30])
def test_organiser_list_query_count_is_constant(organiser_client, django_assert_num_queries, count):
    event = open_event()
    for _n in range(count):
        RegistrationFactory(event=event)

    # session, user, user permissions, group permissions, count, page with people and events
    with django_assert_num_queries(6):
        response = organiser_client.get(organiser_url())

    assert len(response.json()["results"]) == count


def test_organiser_detail_shows_answers_picks_and_audit(organiser_client):
    event = open_event()
    question = QuestionFactory(event=event, label="Your role?")
    workshop = SessionFactory(event=event, requires_signup=True, title="Workshop A")
    registration = register(event, answers={question.pk: "Adviser"}, session_ids=[workshop.pk])

    response = organiser_client.get(organiser_url(registration))

    body = response.json()
    assert response.status_code == 200
    assert (body["email"], body["organisation"], body["country"]) == (
        "ana0@example.org",
        "Ministry of Labour",
        "SI",
    )
    assert body["answers"] == [
        {"question_id": question.pk, "question": "Your role?", "value": "Adviser"}
    ]
    assert [p["title"] for p in body["picks"]] == ["Workshop A"]
    assert [e["action"] for e in body["audit_entries"]] == ["registered"]
    assert "token" not in body


def test_organiser_detail_hides_needs_and_sensitive_answers_without_permission(
    organiser_client,
):
    event = open_event()
    role = QuestionFactory(event=event, label="Your role?")
    health = QuestionFactory(event=event, label="Anything we should know?", sensitive=True)
    registration = register(
        event,
        answers={role.pk: "Adviser", health.pk: "Wheelchair user"},
        accessibility_needs="Step-free access",
        dietary_needs="Vegan",
    )

    body = organiser_client.get(organiser_url(registration)).json()

    assert "accessibility_needs" not in body
    assert "dietary_needs" not in body
    assert [answer["question_id"] for answer in body["answers"]] == [role.pk]


def test_organiser_detail_shows_needs_and_sensitive_answers_with_permission(
    organiser, organiser_client
):
    organiser.user_permissions.add(Permission.objects.get(codename="view_special_category"))
    event = open_event()
    health = QuestionFactory(event=event, label="Anything we should know?", sensitive=True)
    registration = register(
        event, answers={health.pk: "Wheelchair user"}, accessibility_needs="Step-free access"
    )

    body = organiser_client.get(organiser_url(registration)).json()

    assert body["accessibility_needs"] == "Step-free access"
    assert [answer["value"] for answer in body["answers"]] == ["Wheelchair user"]


def test_create_stores_participant_list_consent_with_the_registration(client):
    event = open_event()

    post_registration(client, event, participant_list_consent=True)
    post_registration(client, event, n=1)

    assert dict(Registration.objects.values_list("person__email", "participant_list_consent")) == {
        "ana0@example.org": True,
        "ana1@example.org": False,
    }


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        ("approve", RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED),
        ("decline", RegistrationStatus.PENDING, RegistrationStatus.DECLINED),
        ("cancel", RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED),
        ("promote", RegistrationStatus.WAITLISTED, RegistrationStatus.CONFIRMED),
        ("reopen", RegistrationStatus.DECLINED, RegistrationStatus.PENDING),
    ],
)
def test_organiser_state_change_records_reason(organiser_client, organiser, change, before, after):
    waitlisted_at = timezone.now() if before == RegistrationStatus.WAITLISTED else None
    registration = RegistrationFactory(
        event=open_event(), status=before, waitlisted_at=waitlisted_at
    )

    response = organiser_client.post(
        organiser_url(registration, change), {"reason": "Checked by phone"}, "application/json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == after
    entry = AuditEntry.objects.get(registration=registration)
    assert (entry.actor, entry.to_status, entry.reason) == (organiser, after, "Checked by phone")


def test_organiser_state_change_not_allowed_is_conflict(organiser_client):
    registration = RegistrationFactory(event=open_event())

    response = organiser_client.post(organiser_url(registration, "approve"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_organiser_state_change_of_unknown_registration_is_404(organiser_client):
    response = organiser_client.post("/api/v1/organiser/registrations/999999/approve/")

    assert response.status_code == 404


def test_organiser_session_post_without_csrf_token_is_refused(organiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    registration = RegistrationFactory(event=open_event(), status=RegistrationStatus.PENDING)

    response = client.post(organiser_url(registration, "approve"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_organiser_session_post_with_csrf_token_is_accepted(organiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    registration = RegistrationFactory(event=open_event(), status=RegistrationStatus.PENDING)
    client.get("/admin/")  # sets the csrftoken cookie, as the admin does for organisers

    response = client.post(
        organiser_url(registration, "approve"),
        headers={"x-csrftoken": client.cookies["csrftoken"].value},
    )

    assert response.status_code == 200
