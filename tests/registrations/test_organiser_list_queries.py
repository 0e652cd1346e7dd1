"""The organisers' list of one event: a constant number of queries whatever its size, newest
first, with the waitlist positions of the people on the page."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from registrations.capacity import waitlist_position
from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.models import Registration
from tests.factories.registrations import RegistrationFactory, open_event
from tests.factories.tokens import api_token, token_header

URL = "/api/v1/organiser/registrations/"


@pytest.fixture
def organiser():
    user = get_user_model().objects.create_user("list-organiser", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_registration"))
    return user


@pytest.fixture
def organiser_client(organiser):
    client = Client()
    client.force_login(organiser)
    return client


def waitlisted(event, n: int, **extra) -> Registration:
    return RegistrationFactory(
        event=event,
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=timezone.now() - timedelta(hours=100 - n),
        **extra,
    )


@pytest.mark.parametrize("count", [1, 30])
def test_organiser_list_of_an_event_query_count_is_constant(
    organiser_client, django_assert_num_queries, count
):
    event = open_event(slug="big-event")
    RegistrationFactory(event=open_event(slug="other-event"))
    for n in range(count):
        RegistrationFactory(event=event)
        waitlisted(event, n)

    # session, user, user permissions, group permissions, count, page with people and events
    with django_assert_num_queries(6):
        response = organiser_client.get(URL, {"event": "big-event"})

    assert response.json()["count"] == 2 * count


@pytest.mark.parametrize("count", [1, 30])
def test_organiser_list_of_an_event_with_a_token_query_count_is_constant(
    client, organiser, django_assert_num_queries, count
):
    event = open_event(slug="big-event")
    for _n in range(count):
        RegistrationFactory(event=event)
    key = api_token(organiser, [event])
    client.get(URL, headers=token_header(key))  # notes the token's first use

    # token, user permissions, group permissions, count, page with people and events
    with django_assert_num_queries(5):
        response = client.get(URL, {"event": "big-event"}, headers=token_header(key))

    assert response.json()["count"] == count


def test_organiser_list_of_an_event_is_newest_first_then_latest_made(organiser_client):
    event = open_event(slug="big-event")
    made = [RegistrationFactory(event=event) for _n in range(4)]
    same_moment = timezone.now() - timedelta(days=1)
    Registration.objects.filter(pk__in=[r.pk for r in made[:3]]).update(created_at=same_moment)
    RegistrationFactory(event=open_event(slug="other-event"))

    response = organiser_client.get(URL, {"event": "big-event"})

    assert [r["id"] for r in response.json()["results"]] == [
        made[3].pk,
        made[2].pk,
        made[1].pk,
        made[0].pk,
    ]


def test_organiser_list_of_an_event_pages_through_all_of_it(organiser_client):
    event = open_event(slug="big-event")
    made = {RegistrationFactory(event=event).pk for _n in range(55)}

    first = organiser_client.get(URL, {"event": "big-event"}).json()
    second = organiser_client.get(URL, {"event": "big-event", "page": 2}).json()

    ids = [r["id"] for r in first["results"] + second["results"]]
    assert (first["count"], len(first["results"]), len(second["results"])) == (55, 50, 5)
    assert set(ids) == made
    assert len(ids) == len(made)


def test_organiser_list_of_an_unknown_event_is_empty(organiser_client):
    RegistrationFactory(event=open_event(slug="big-event"))

    response = organiser_client.get(URL, {"event": "no-such-event"})

    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])


def test_organiser_list_of_an_event_outside_the_token_is_empty(client, organiser):
    mine, theirs = open_event(slug="mine"), open_event(slug="theirs")
    RegistrationFactory(event=theirs)
    key = api_token(organiser, [mine])

    response = client.get(URL, {"event": "theirs"}, headers=token_header(key))

    assert response.json()["count"] == 0


def test_organiser_list_waitlist_positions_match_the_waitlist(organiser_client):
    event = open_event(slug="big-event", capacity_in_person=1)
    RegistrationFactory(event=event)
    people = [waitlisted(event, n) for n in range(5)]
    online = waitlisted(event, 9, mode=AttendanceMode.ONLINE)
    # Two waitlisted at the same moment: the earlier made is ahead.
    Registration.objects.filter(pk=people[4].pk).update(waitlisted_at=people[3].waitlisted_at)

    response = organiser_client.get(URL, {"event": "big-event", "status": "waitlisted"})

    positions = {r["id"]: r["waitlist_position"] for r in response.json()["results"]}
    expected = {
        registration.pk: waitlist_position(Registration.objects.get(pk=registration.pk))
        for registration in [*people, online]
    }
    assert positions == expected
    assert sorted(positions[r.pk] for r in people) == [1, 2, 3, 4, 5]
    assert positions[online.pk] == 1
