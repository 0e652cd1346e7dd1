"""What a scanner reads: the offline list, search by name or email, and the live counts."""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges import services
from badges.models import Badge
from registrations.enums import AttendanceMode, RegistrationStatus
from tests.factories import EventFactory, PersonFactory, SessionFactory, SessionSpeakerFactory
from tests.factories.badges import BadgeFactory, DeviceFactory
from tests.factories.registrations import RegistrationFactory

from .conftest import device_client, scan


def list_url(event) -> str:
    return f"/api/v1/events/{event.slug}/checkin-list/"


def search_url(event) -> str:
    return f"/api/v1/events/{event.slug}/checkin-search/"


def stats_url(event) -> str:
    return f"/api/v1/events/{event.slug}/checkin-stats/"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- the offline list ----------------------------------------------------------------------------


def test_checkin_list_gives_hashes_and_door_data_never_codes_or_emails(
    client_of_device, event, badge
):
    response = client_of_device.get(list_url(event))

    entry = response.json()["entries"][0]
    assert response.status_code == 200
    assert entry["code_hash"] == sha256(badge.code)
    assert (entry["status"], entry["name"], entry["needs_assistance"]) == (
        "confirmed",
        "Ana Novak",
        True,
    )
    assert "accessibility_needs" not in entry
    assert badge.code not in response.content.decode()
    assert "ana.novak@example.org" not in response.content.decode()


def test_checkin_list_issues_badges_to_confirmed_registrations_without_one(client_of_device, event):
    confirmed = RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=RegistrationStatus.PENDING)

    entries = client_of_device.get(list_url(event)).json()["entries"]

    badge = Badge.objects.get()
    assert badge.registration == confirmed
    assert [e["code_hash"] for e in entries] == [sha256(badge.code)]


def test_checkin_list_revoked_badge_carries_only_its_status(client_of_device, event, badge):
    services.reissue_badge(registration=badge.registration)

    entries = client_of_device.get(list_url(event)).json()["entries"]

    revoked = next(e for e in entries if e["code_hash"] == sha256(badge.code))
    assert revoked == {"code_hash": sha256(badge.code), "status": "revoked"}
    assert len(entries) == 2


def test_checkin_list_shows_who_is_checked_in(client_of_device, event, badge):
    scan(client_of_device, event, badge.code)

    entry = client_of_device.get(list_url(event)).json()["entries"][0]

    assert entry["checked_in_at"] is not None


def test_checkin_list_etag_answers_304_until_something_changes(client_of_device, event, badge):
    first = client_of_device.get(list_url(event))
    etag = first.headers["ETag"]

    unchanged = client_of_device.get(list_url(event), HTTP_IF_NONE_MATCH=etag)
    scan(client_of_device, event, badge.code)
    changed = client_of_device.get(list_url(event), HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_checkin_list_speaker_gets_the_speaker_role(client_of_device, event):
    person = PersonFactory()
    RegistrationFactory(event=event, person=person)
    SessionSpeakerFactory(session=SessionFactory(event=event), speaker__person=person)

    entry = client_of_device.get(list_url(event)).json()["entries"][0]

    assert entry["role"] == "speaker"


@pytest.mark.parametrize("count", [1, 30])
def test_checkin_list_query_count_is_constant(client_of_device, event, count):
    for _n in range(count):
        BadgeFactory(registration__event=event)

    with CaptureQueriesContext(connection) as queries:
        response = client_of_device.get(list_url(event))

    assert len(response.json()["entries"]) == count
    # device, event, the list's version (PostgreSQL only), badges still to issue, the list
    assert len(queries) == (5 if connection.vendor == "postgresql" else 4)


# --- search --------------------------------------------------------------------------------------


def test_checkin_search_finds_by_name_or_email_never_shows_the_email(
    client_of_device, event, badge
):
    by_name = client_of_device.get(search_url(event), {"q": "ana nov"}).json()["results"]
    by_email = client_of_device.get(search_url(event), {"q": "ana.novak@"}).json()["results"]

    assert [r["name"] for r in by_name] == ["Ana Novak"]
    assert [r["registration"] for r in by_email] == [badge.registration.pk]
    assert "email" not in by_name[0]


def test_checkin_search_shows_status_of_others(client_of_device, event):
    RegistrationFactory(
        event=event,
        person__last_name="Petrova",
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at="2030-01-01T00:00:00Z",
    )

    results = client_of_device.get(search_url(event), {"q": "petrova"}).json()["results"]

    assert [r["status"] for r in results] == ["waitlisted"]


def test_checkin_search_needs_two_characters(client_of_device, event, badge):
    response = client_of_device.get(search_url(event), {"q": "a"})

    assert response.status_code == 400


def test_checkin_search_gives_at_most_twenty(client_of_device, event):
    for _n in range(25):
        RegistrationFactory(event=event, person__last_name="Dupont")

    results = client_of_device.get(search_url(event), {"q": "dupont"}).json()["results"]

    assert len(results) == 20


@pytest.mark.parametrize("count", [1, 20])
def test_checkin_search_query_count_is_constant(client_of_device, event, count):
    for _n in range(count):
        BadgeFactory(registration__event=event, registration__person__last_name="Dupont")

    with CaptureQueriesContext(connection) as queries:
        response = client_of_device.get(search_url(event), {"q": "dupont"})

    assert len(response.json()["results"]) == count
    # device, event, the search
    assert len(queries) == 3


# --- counts --------------------------------------------------------------------------------------


def test_checkin_stats_counts_checked_in_of_expected(client_of_device, event, badge):
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, mode=AttendanceMode.ONLINE)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    scan(client_of_device, event, badge.code)

    stats = client_of_device.get(stats_url(event)).json()

    assert stats == {"expected": 2, "checked_in": 1, "conflicts": 0}


def test_checkin_stats_for_a_session(client_of_device, event, badge):
    session = SessionFactory(event=event)
    scan(client_of_device, event, badge.code)
    scan(client_of_device, event, badge.code, session=session.pk)
    BadgeFactory(registration__event=event)

    stats = client_of_device.get(stats_url(event), {"session": session.pk}).json()

    assert (stats["expected"], stats["checked_in"]) == (2, 1)


@pytest.mark.parametrize("count", [1, 20])
def test_checkin_stats_query_count_is_constant(client_of_device, event, count):
    for _n in range(count):
        BadgeFactory(registration__event=event)

    with CaptureQueriesContext(connection) as queries:
        response = client_of_device.get(stats_url(event))

    assert response.json()["expected"] == count
    # device, event, expected, checked in, conflicts
    assert len(queries) == 5


# --- another event's scanner ---------------------------------------------------------------------


@pytest.mark.parametrize("url", [list_url, search_url, stats_url])
def test_checkin_reads_of_another_event_are_404(event, badge, url):
    elsewhere = device_client(DeviceFactory(events=[EventFactory()]))

    response = elsewhere.get(url(event), {"q": "novak"})

    assert response.status_code == 404
    assert "Novak" not in response.content.decode()
    assert Badge.objects.count() == 1


def test_checkin_list_for_organiser_opens_any_event(organiser_client, event, badge):
    response = organiser_client.get(list_url(event))

    assert [e["name"] for e in response.json()["entries"]] == ["Ana Novak"]
