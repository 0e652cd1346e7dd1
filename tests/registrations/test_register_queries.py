"""What one registration costs the database, and what it reads before taking the event's lock."""

import pytest
from django.db import connection

from members.models import Organisation, Person
from registrations import services
from registrations.enums import RegistrationStatus
from registrations.exceptions import Busy
from registrations.models import OutboxEmail, Registration
from registrations.selectors import events_for_registration
from tests.factories import OrganisationFactory, PersonFactory
from tests.factories.registrations import (
    PrivacyNoticeFactory,
    QuestionFactory,
    open_event,
    registration_request,
)

pytestmark = pytest.mark.django_db

# PostgreSQL sets the lock timeout before taking the lock: one statement more than SQLite.
ON_POSTGRES = 1 if connection.vendor == "postgresql" else 0


def post_registration(client, event, n: int):
    return client.post(
        f"/api/v1/events/{event.slug}/registrations/",
        {
            "first_name": f"Ana{n}",
            "last_name": "Novak",
            "email": f"ana{n}@example.org",
            "organisation_name": "Ministry of Labour",
            "organisation_type": "national_authority",
            "organisation_country": "SI",
            "privacy_accepted": True,
        },
        content_type="application/json",
    )


@pytest.fixture
def known_organisation():
    """In a rush most registrants name an organisation that someone registered before."""
    return OrganisationFactory(name="Ministry of Labour", country="SI")


@pytest.fixture
def warm_site(client, known_organisation):
    """One registration for another event first, as on a running site: what the process keeps
    between requests (caches of other apps, for instance) is in place when counting."""
    assert post_registration(client, open_event(), 99).status_code == 201


# The event with its rules (1); whether the address is known (1); in a savepoint (the test's
# transaction stands for the request's): the organisation (1), the person looked up and created
# (4: members.services), the lock (1, + the lock timeout set on PostgreSQL), the registration
# already there (1), the seats taken (1), the registration, its audit entry and its email
# written (3); the savepoint's 2.
@pytest.mark.parametrize(
    ("capacity", "status", "queries"),
    [
        (None, RegistrationStatus.CONFIRMED, 14),
        (1, RegistrationStatus.CONFIRMED, 15),
        # and the waitlist position, counted once for the email and the answer
        (0, RegistrationStatus.WAITLISTED, 16),
    ],
)
def test_api_registration_query_count(
    client, django_assert_num_queries, warm_site, capacity, status, queries
):
    event = open_event(capacity_in_person=capacity)

    with django_assert_num_queries(queries + ON_POSTGRES):
        response = post_registration(client, event, 0)

    assert response.status_code == 201
    assert response.json()["status"] == status
    assert response.json()["waitlist_position"] == (
        1 if status == RegistrationStatus.WAITLISTED else None
    )


def test_api_registration_of_known_person_query_count(
    client, django_assert_num_queries, known_organisation, warm_site
):
    PersonFactory(email="ana0@example.org", organisation=known_organisation)
    event = open_event(capacity_in_person=5)

    # As above, with the person only looked up (1 instead of 4).
    with django_assert_num_queries(13 + ON_POSTGRES):
        response = post_registration(client, event, 0)

    # Registered, with the personal link sent to the address rather than answered.
    assert response.status_code == 202
    assert "token" not in response.json()


def test_api_registration_reads_questions_only_when_the_event_has_some(
    client, django_assert_num_queries, warm_site
):
    event = open_event(capacity_in_person=5)
    QuestionFactory(event=event, label="Your role")

    with django_assert_num_queries(16 + ON_POSTGRES):
        response = post_registration(client, event, 0)

    assert response.status_code == 201


def test_registration_rules_come_with_the_event():
    event = open_event()
    own = PrivacyNoticeFactory(event=event, version="event-1")
    QuestionFactory(event=event, label="Your role")

    fetched = events_for_registration().get(pk=event.pk)

    assert fetched.registration_notice_id == own.pk
    assert (fetched.registration_has_questions, fetched.registration_requires_approval) == (
        True,
        False,
    )


def test_register_prefers_the_events_own_privacy_notice():
    event = open_event()
    PrivacyNoticeFactory(event=event, version="event-1")
    PrivacyNoticeFactory(event=None, version="network-2")

    via_selector = services.register(
        event=events_for_registration().get(pk=event.pk), request=registration_request(0)
    ).registration
    direct = services.register(event=event, request=registration_request(1)).registration

    assert via_selector.privacy_notice.version == "event-1"
    assert direct.privacy_notice.version == "event-1"
    assert services.current_privacy_notice(event=event).version == "event-1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_register_busy_keeps_nothing_of_the_registrant(postgres, event_row_locked):
    PrivacyNoticeFactory()
    event = open_event()

    with event_row_locked(event), pytest.raises(Busy):
        services.register(event=event, request=registration_request(0))

    assert Registration.objects.count() == 0
    assert Person.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_register_counts_seats_against_the_capacity_read_under_the_lock():
    event = open_event(capacity_in_person=1)
    read_before = events_for_registration().get(pk=event.pk)
    services.register(event=event, request=registration_request(0))
    type(event).objects.filter(pk=event.pk).update(capacity_in_person=2)

    result = services.register(event=read_before, request=registration_request(1))

    assert result.registration.status == RegistrationStatus.CONFIRMED
    assert read_before.capacity_in_person == 2
