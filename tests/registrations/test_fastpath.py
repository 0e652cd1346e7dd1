"""The everyday registration's fast path (registrations/fastpath/) against the API view.

Each registration is sent twice from the same state, once with the fast path and once with the
view alone (``REGISTRATION_FAST_PATH = False``), each inside a savepoint rolled back afterwards:
the status, the headers, the answer (its keys in the same order) and every row a registration
writes must be the same. The clock is stopped, so both write the same times. Row ids come from
sequences, which a rollback does not rewind, so rows are compared by their position, and the
random keys (the registration's token, the person's calendar token) by their shape.
"""

import itertools
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from agenda.enums import Audience, EventFormat, EventStatus
from members.models import Organisation, Person
from registrations import fastpath
from registrations.api.views import EventRegistrationCreateView
from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.models import AuditEntry, OutboxEmail, Registration, RegistrationSettings
from registrations.signals import registration_changed
from tests.factories import OrganisationFactory, PersonFactory
from tests.factories.registrations import (
    InvitationFactory,
    PrivacyNoticeFactory,
    QuestionFactory,
    RegistrationFactory,
    open_event,
)
from tests.factories.webhooks import WebhookFactory
from webhooks import routing
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Rows a registration may write, and the columns that point at other rows among them.
MODELS = {
    "organisations": (Organisation, ()),
    "people": (Person, ("organisation_id",)),
    "registrations": (Registration, ("person_id",)),
    "audit": (AuditEntry, ("registration_id",)),
    "emails": (OutboxEmail, ("registration_id",)),
    "deliveries": (WebhookDelivery, ()),
}
RANDOM = {"token", "calendar_token"}


@pytest.fixture(autouse=True)
def _on_postgres(postgres, monkeypatch):
    """PostgreSQL, its connections kept between requests as in production (CONN_MAX_AGE): the
    fast path stands aside when they are not (see below)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    moment = timezone.now().replace(microsecond=123450)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    # A default that holds timezone.now itself, taken before the clock stopped.
    monkeypatch.setattr(AuditEntry._meta.get_field("at"), "_get_default", timezone.now)
    return moment


@pytest.fixture(autouse=True)
def _notice():
    PrivacyNoticeFactory()


def body(n: int = 0, **overrides) -> dict:
    values = {
        "first_name": f"Ana{n}",
        "last_name": "Novak",
        "email": f"ana{n}@example.org",
        "organisation_name": "Ministry of Labour",
        "organisation_type": "national_authority",
        "organisation_country": "SI",
        "job_title": "Adviser",
        "privacy_accepted": True,
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def post(event, data, *, client=None, headers=None):
    return (client or Client()).post(
        f"/api/v1/events/{event.slug}/registrations/",
        json.dumps(data) if not isinstance(data, str | bytes) else data,
        content_type="application/json",
        headers=headers or {},
    )


def _rows(model, pointers: tuple[str, ...], positions: dict) -> list[dict]:
    rows = list(model.objects.order_by("pk").values())
    positions[model] = {row["id"]: n for n, row in enumerate(rows)}
    for row in rows:
        row.pop("id")
        for name in RANDOM & set(row):
            row[name] = len(row[name])
        for name in pointers:
            target = model._meta.get_field(name).related_model
            row[name] = positions.get(target, {}).get(row[name], row[name])
        if model is WebhookDelivery:
            row["payload"] = _without_ids(row["payload"])
    return rows


def _without_ids(payload):
    if isinstance(payload, dict):
        return {
            key: _without_ids(value)
            for key, value in payload.items()
            if key not in ("id", "delivery_id", "registration_id")
        }
    return payload


def state(response) -> dict:
    positions: dict = {}
    headers = dict(response.headers)
    assert int(headers.pop("Content-Length")) == len(response.content)
    answer = json.loads(response.content)
    if "token" in answer:
        assert answer["manage_url"].endswith(f"/{answer['token']}/")
        answer["token"] = answer["manage_url"] = len(answer["token"])
    return {
        "status": response.status_code,
        "headers": headers,
        "body": json.dumps(answer, ensure_ascii=False),  # as sent: the order of the keys counts
        **{name: _rows(model, pointers, positions) for name, (model, pointers) in MODELS.items()},
    }


def in_a_world(send) -> dict:
    """What ``send`` answers and writes; then all of it undone."""
    with transaction.atomic():
        seen = state(send())
        transaction.set_rollback(True)
    return seen


@pytest.fixture
def views_requests(monkeypatch) -> list[str]:
    """The requests the API view took, one entry each."""
    requests: list[str] = []
    initial = EventRegistrationCreateView.initial

    def initial_and_note(self, request, *args, **kwargs):
        requests.append(request.path)
        return initial(self, request, *args, **kwargs)

    monkeypatch.setattr(EventRegistrationCreateView, "initial", initial_and_note)
    return requests


@pytest.fixture
def both_ways(settings, views_requests):
    """Sends a registration through the fast path and through the view alone; asserts both
    answered and wrote the same, and whether the fast path answered; returns its state."""

    def compare(event, data, *, answered=True, **kwargs):
        routing.routes()
        views_requests.clear()
        settings.REGISTRATION_FAST_PATH = True
        fast = in_a_world(lambda: post(event, data, **kwargs))
        by_view = len(views_requests)
        settings.REGISTRATION_FAST_PATH = False
        view = in_a_world(lambda: post(event, data, **kwargs))
        assert fast == view
        if answered:
            assert by_view == 0
        else:
            # Unless Django answered before the view (404: no such address).
            assert by_view == 1 or fast["status"] == 404
        return fast

    return compare


# --- the everyday registration: answered by the fast path, as the view answers -------------------


def test_fastpath_confirmed_is_the_views_answer(both_ways):
    event = open_event(capacity_in_person=10)

    seen = both_ways(event, body())

    assert seen["status"] == 201
    assert json.loads(seen["body"])["status"] == RegistrationStatus.CONFIRMED
    assert [row["to_status"] for row in seen["audit"]] == [RegistrationStatus.CONFIRMED]
    assert [row["kind"] for row in seen["emails"]] == ["confirmation"]
    assert seen["emails"][0]["context"]["waitlist_position"] is None


def test_fastpath_full_event_puts_on_the_waitlist_at_the_end(both_ways):
    event = open_event(capacity_in_person=1)
    RegistrationFactory(event=event)
    for minutes in (3, 2):
        RegistrationFactory(
            event=event,
            status=RegistrationStatus.WAITLISTED,
            waitlisted_at=timezone.now() - timedelta(minutes=minutes),
        )

    seen = both_ways(event, body())

    answer = json.loads(seen["body"])
    assert (answer["status"], answer["waitlist_position"]) == ("waitlisted", 3)
    assert seen["emails"][-1]["context"]["waitlist_position"] == 3


def test_fastpath_counts_only_the_modes_seats(both_ways):
    event = open_event(format=EventFormat.HYBRID, capacity_in_person=1, capacity_online=5)
    RegistrationFactory(event=event)

    seen = both_ways(event, body(mode=AttendanceMode.ONLINE, dietary_needs="Vegetarian"))

    assert json.loads(seen["body"])["status"] == RegistrationStatus.CONFIRMED
    assert seen["registrations"][-1]["dietary_needs"] == ""


def test_fastpath_event_with_approval_makes_a_pending_registration(both_ways):
    event = open_event()
    RegistrationSettings.objects.create(event=event, requires_approval=True)

    seen = both_ways(event, body())

    assert json.loads(seen["body"])["status"] == RegistrationStatus.PENDING
    assert [row["kind"] for row in seen["emails"]] == ["pending"]


def test_fastpath_finds_the_organisation_in_another_case(both_ways):
    event = open_event()
    OrganisationFactory(name="Ministry of Labour", country="SI", type="ngo")

    seen = both_ways(event, body(organisation_name="  ministry   OF labour "))

    assert len(seen["organisations"]) == 1
    assert seen["people"][0]["organisation_id"] == 0


def test_fastpath_trims_as_the_serializer_does(both_ways):
    event = open_event()

    seen = both_ways(
        event,
        body(
            first_name=" Ana ",
            last_name="\tNovak\n",
            email=" Ana.Novak@Example.ORG ",
            organisation_country=" si ",
            accessibility_needs="  Step-free access ",
            photo_consent=True,
            participant_list_consent=True,
        ),
    )

    person = seen["people"][0]
    assert (person["first_name"], person["email"], person["country"]) == (
        "Ana",
        "ana.novak@example.org",
        "SI",
    )
    assert seen["registrations"][0]["accessibility_needs"] == "Step-free access"


def test_fastpath_members_event_takes_an_eligible_organisation(both_ways):
    event = open_event(audience=Audience.MEMBERS)

    seen = both_ways(event, body())

    assert seen["status"] == 201


@pytest.mark.parametrize(
    ("data", "headers", "language"),
    [
        ({"language": "fr"}, {}, "en"),
        ({}, {"accept-language": "fr"}, "fr"),
    ],
)
def test_fastpath_languages_as_the_views(both_ways, data, headers, language):
    event = open_event(title="Forum annuel")

    seen = both_ways(event, body(**data), headers=headers)

    assert seen["headers"]["Content-Language"] == language
    assert seen["registrations"][0]["language"] == "fr"
    assert seen["emails"][0]["subject"] == "Votre inscription est confirmée : Forum annuel"


def test_fastpath_event_with_an_optional_question_needs_no_answer(both_ways):
    event = open_event()
    QuestionFactory(event=event, required=False)

    seen = both_ways(event, body(answers={}, session_ids=[], invitation_code=""))

    assert seen["status"] == 201


def test_fastpath_tells_webhooks_as_the_view_does(both_ways):
    event = open_event()
    WebhookFactory(events=[event])

    seen = both_ways(event, body())

    assert [row["event_type"] for row in seen["deliveries"]] == ["registration.created"]


def test_fastpath_event_title_with_line_breaks_gives_a_one_line_subject(both_ways):
    event = open_event(title="Forum\r\nBcc: victim@example.org")

    seen = both_ways(event, body(first_name="Ana\r\nBcc: x@example.org"))

    assert "\n" not in seen["emails"][0]["subject"]


def test_fastpath_leaves_the_signal_unsent_when_no_receiver_would_act(monkeypatch):
    built = []
    real = fastpath._registration
    monkeypatch.setattr(fastpath, "_registration", lambda *args: built.append(args) or real(*args))
    event = open_event()
    WebhookFactory(events=[open_event()])  # another event's

    assert post(event, body(0)).status_code == 201
    assert built == []

    WebhookFactory(events=[event])
    assert post(event, body(1)).status_code == 201
    assert len(built) == 1
    assert WebhookDelivery.objects.count() == 1


def test_fastpath_signal_carries_the_registration_as_saved():
    event = open_event(capacity_in_person=1)
    RegistrationFactory(event=event)
    heard = []

    def receiver(sender, registration, **kwargs):
        heard.append((registration, kwargs))

    registration_changed.connect(receiver, dispatch_uid="test.fastpath", weak=False)
    try:
        response = post(event, body(accessibility_needs="Step-free"))
    finally:
        registration_changed.disconnect(dispatch_uid="test.fastpath")

    (registration, kwargs), *_rest = heard
    saved = Registration.objects.select_related("person").get(pk=registration.pk)
    assert response.json()["token"] == saved.token
    assert kwargs == {"signal": registration_changed, "action": "registered",
                      "from_status": "", "to_status": "waitlisted"}  # fmt: skip
    for name in ("status", "mode", "token", "language", "accessibility_needs", "waitlisted_at",
                 "privacy_notice_id", "event_id", "person_id", "created_at"):  # fmt: skip
        assert getattr(registration, name) == getattr(saved, name), name
    assert (registration.person.email, registration.person.organisation) == (
        saved.person.email,
        saved.person.organisation,
    )


# --- anything else: the view answers, and the fast path wrote nothing ---------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"privacy_accepted": False},
        {"privacy_accepted": "true"},
        {"email": "not-an-address"},
        {"first_name": "  "},
        {"first_name": 7},
        {"last_name": "N" * 101},
        {"organisation_type": " ngo"},
        {"organisation_type": "club"},
        {"organisation_country": "XX"},
        {"mode": "both"},
        {"language": "xx"},
        {"language": ["fr"]},
        {"mode": {"in_person": True}},
        {"organisation_type": None},
        {"job_title": "\ud800"},
        {"answers": {"1": "yes"}},
        {"session_ids": [1]},
        {"invitation_code": "ABC"},
        {"website": "spam"},
        {"first_name": "Ana\x00"},
    ],
)
def test_fastpath_leaves_other_bodies_to_the_view(both_ways, overrides):
    event = open_event()

    both_ways(event, body(**overrides), answered=False)


def test_fastpath_leaves_a_known_address_to_the_view(both_ways):
    event = open_event()
    PersonFactory(email="ana0@example.org")

    seen = both_ways(event, body(), answered=False)

    assert seen["status"] == 202
    assert seen["registrations"] != []


def test_fastpath_leaves_an_address_registered_already_to_the_view(both_ways):
    event = open_event()
    RegistrationFactory(event=event, person=PersonFactory(email="ana0@example.org"))

    seen = both_ways(event, body(), answered=False)

    assert seen["status"] == 200


@pytest.mark.parametrize(
    "make",
    [
        lambda: open_event(audience=Audience.INVITATION),
        lambda: open_event(status=EventStatus.CANCELLED),
        lambda: open_event(registration_opens=timezone.now() + timedelta(days=1)),
        lambda: open_event(registration_closes=timezone.now() - timedelta(minutes=1)),
        lambda: open_event(format=EventFormat.HYBRID),  # no mode chosen
    ],
)
def test_fastpath_leaves_events_not_open_to_it_to_the_view(both_ways, make):
    event = make()

    seen = both_ways(event, body(), answered=False)

    assert seen["status"] >= 400


def test_fastpath_leaves_an_ineligible_member_to_the_view(both_ways):
    event = open_event(audience=Audience.MEMBERS)

    seen = both_ways(event, body(organisation_country="MA"), answered=False)

    assert seen["status"] == 403


def test_fastpath_leaves_a_required_question_to_the_view(both_ways):
    event = open_event()
    QuestionFactory(event=event, required=True)

    seen = both_ways(event, body(), answered=False)

    assert seen["status"] == 400


def test_fastpath_invitation_is_the_views(both_ways):
    event = open_event(audience=Audience.INVITATION)
    invitation = InvitationFactory(event=event)

    seen = both_ways(event, body(invitation_code=invitation.code), answered=False)

    assert seen["status"] == 201


def test_fastpath_unknown_or_unpublished_event_is_the_views_404(both_ways):
    draft = open_event(status=EventStatus.DRAFT)

    seen = both_ways(draft, body(), answered=False)

    assert seen["status"] == 404


def test_fastpath_leaves_a_body_that_is_not_json_to_the_view(both_ways):
    event = open_event()

    seen = both_ways(event, "{not json", answered=False)

    assert seen["status"] == 400


def test_fastpath_leaves_signed_in_requests_to_the_view(both_ways, admin_client):
    event = open_event()

    both_ways(event, body(), client=admin_client, answered=False)
    both_ways(event, body(), headers={"authorization": "Token abc"}, answered=False)


def test_fastpath_off_without_kept_connections(both_ways, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    event = open_event()

    both_ways(event, body(), answered=False)


# --- rate limit, lock, races ---------------------------------------------------------------------


def test_fastpath_counts_a_request_once_against_the_rate_limit(settings, rate_clock):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "registration_create": "3/minute",
        },
    }
    event = open_event()
    PersonFactory(email="known@example.org")

    statuses = [
        post(event, body(0)).status_code,  # the fast path
        post(event, body(1, email="known@example.org")).status_code,  # the view, after it
        post(event, body(2)).status_code,
        post(event, body(3)).status_code,
    ]

    assert statuses == [201, 202, 201, 429]
    assert Registration.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_fastpath_lock_not_obtained_is_the_views_busy_answer(event_row_locked):
    event = open_event()

    with event_row_locked(event):
        response = post(event, body())

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert Registration.objects.count() == Person.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_fastpath_rush_never_overbooks(settings, views_requests, monkeypatch):
    """Registrations at once from many threads, each through the whole stack and its own
    connection (all from one address: the rate limit is raised): exactly the seats confirmed,
    the rest waitlisted in line, each told its place, first come first served.

    The web processes' clock runs backwards, a millisecond a reading: the lock's order, not the
    clock's, must decide the line."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "registration_create": "1000/minute",
        },
    }
    event = open_event(capacity_in_person=10)
    readings = itertools.count()
    start_time = timezone.now()
    monkeypatch.setattr(
        timezone, "now", lambda: start_time - timedelta(milliseconds=next(readings))
    )
    answers: dict[str, dict] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(30)

    def register(n: int) -> None:
        client = Client()
        start.wait(timeout=30)
        try:
            answers[body(n)["email"]] = post(event, body(n), client=client).json()
        except BaseException as error:
            failures.append(error)
            raise
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert (failures, views_requests) == ([], [])
    statuses = sorted(answer["status"] for answer in answers.values())
    assert statuses == ["confirmed"] * 10 + ["waitlisted"] * 20
    line = Registration.objects.filter(status="waitlisted").order_by("waitlisted_at", "pk")
    emails = line.values_list("person__email", flat=True)
    assert [answers[email]["waitlist_position"] for email in emails] == list(range(1, 21))
    seats = Registration.objects.filter(status="confirmed").order_by("-created_at").first()
    assert seats.created_at <= line.first().waitlisted_at
    assert OutboxEmail.objects.count() == AuditEntry.objects.count() == 30


# --- in one go: BEGIN and COMMIT sent with the statements, outside Django's transactions -------


@pytest.fixture
def in_one_go(settings, views_requests):
    """An event this process has registered for already (its id known by its slug), so that
    the next registrations for it go in one go; no transaction around the test."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "registration_create": "1000/minute",
        },
    }
    fastpath._event_ids.clear()
    event = open_event(capacity_in_person=1)
    assert post(event, body(100)).status_code == 201
    assert fastpath._event_ids == {event.slug: event.pk}
    views_requests.clear()
    yield event
    fastpath._event_ids.clear()


def connection_is_idle() -> bool:
    """Autocommit, and no transaction left open on the connection."""
    raw = connection.connection
    return connection.get_autocommit() and raw.info.transaction_status == 0  # IDLE


@pytest.mark.django_db(transaction=True)
def test_fastpath_in_one_go_registers_as_the_view(in_one_go, views_requests, mailoutbox):
    answer = post(in_one_go, body(1)).json()

    registration = Registration.objects.get(token=answer["token"])
    assert (answer["status"], answer["waitlist_position"]) == ("waitlisted", 1)
    assert (registration.status, registration.person.email) == ("waitlisted", "ana1@example.org")
    assert AuditEntry.objects.filter(registration=registration).count() == 1
    email = OutboxEmail.objects.get(registration=registration)
    assert (email.kind, email.status) == ("waitlisted", "sent")  # handed over after the commit
    assert views_requests == []
    assert connection_is_idle()


@pytest.mark.django_db(transaction=True)
def test_fastpath_in_one_go_known_address_is_rolled_back_for_the_view(in_one_go, views_requests):
    PersonFactory(email="known@example.org")
    people = Person.objects.count()

    response = post(in_one_go, body(2, email="known@example.org"))

    assert response.status_code == 202
    assert views_requests == [f"/api/v1/events/{in_one_go.slug}/registrations/"]
    assert Person.objects.count() == people
    assert connection_is_idle()


@pytest.mark.django_db(transaction=True)
def test_fastpath_in_one_go_lock_not_obtained_is_rolled_back(in_one_go, event_row_locked):
    registrations, people = Registration.objects.count(), Person.objects.count()

    with event_row_locked(in_one_go):
        response = post(in_one_go, body(3))

    assert response.status_code == 503
    assert (Registration.objects.count(), Person.objects.count()) == (registrations, people)
    assert connection_is_idle()


@pytest.mark.django_db(transaction=True)
def test_fastpath_in_one_go_slug_naming_another_event_is_checked(in_one_go, views_requests):
    fastpath._event_ids[in_one_go.slug] = in_one_go.pk + 1000  # as if the slug had moved

    response = post(in_one_go, body(4))

    assert response.status_code == 201
    assert views_requests == [f"/api/v1/events/{in_one_go.slug}/registrations/"]
    assert fastpath._event_ids.get(in_one_go.slug) in (None, in_one_go.pk)  # the stale id gone
    assert connection_is_idle()


@pytest.mark.django_db(transaction=True)
def test_fastpath_in_one_go_not_when_a_webhook_wants_registrations(in_one_go, views_requests):
    WebhookFactory(events=[in_one_go])

    response = post(in_one_go, body(5))

    assert response.status_code == 201
    assert views_requests == []
    assert WebhookDelivery.objects.filter(event_type="registration.created").count() == 1
