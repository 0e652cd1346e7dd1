"""The feeds over HTTP: conditional GET, caching per version, privacy and wrong tokens."""

import gzip
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils.http import http_date

from members.services import renew_calendar_token
from registrations.enums import AttendanceMode
from tests.calendar.conftest import vevents
from tests.factories import EventFactory, PersonFactory, SessionFactory
from tests.factories.registrations import RegistrationFactory

pytestmark = pytest.mark.django_db

EVENTS_URL = "/calendar.ics"


def agenda_url(event) -> str:
    return reverse("agenda:event-calendar", kwargs={"slug": event.slug})


def personal_url(person) -> str:
    return reverse("registrations:personal-calendar", kwargs={"token": person.calendar_token})


# What is served -------------------------------------------------------------------------------


def test_events_feed_lists_public_events_only(client):
    published = EventFactory(title="Moving Talents")
    EventFactory(title="Unannounced", draft=True)

    response = client.get(EVENTS_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(c["SUMMARY"]) for c in vevents(response.content)] == ["Moving Talents"]
    assert [str(c["UID"]) for c in vevents(response.content)] == [
        f"event-{published.pk}@events.example.org"
    ]


def test_agenda_feed_has_one_vevent_per_session(client):
    event = EventFactory()
    SessionFactory(event=event, title="Opening")
    SessionFactory(event=event, title="Closing", start=event.start + timedelta(hours=3))

    response = client.get(agenda_url(event))

    assert response.status_code == 200
    assert [str(c["SUMMARY"]) for c in vevents(response.content)] == ["Opening", "Closing"]


def test_agenda_feed_of_draft_event_is_404(client):
    event = EventFactory(draft=True)

    response = client.get(agenda_url(event))

    assert response.status_code == 404


def test_session_download_has_the_sessions_uid(client):
    session = SessionFactory(title="Ethical recruitment")
    url = reverse("agenda:session-calendar", kwargs={"slug": session.event.slug, "pk": session.pk})

    response = client.get(url)

    components = vevents(response.content)
    assert response.status_code == 200
    assert [str(c["UID"]) for c in components] == [f"session-{session.pk}@events.example.org"]


# Conditional GET ------------------------------------------------------------------------------


def test_feed_with_its_etag_answers_304_with_one_query(client, django_assert_num_queries):
    EventFactory()
    first = client.get(EVENTS_URL)

    with django_assert_num_queries(1):
        second = client.get(EVENTS_URL, headers={"if-none-match": first["ETag"]})

    assert second.status_code == 304
    assert second.content == b""
    assert second["ETag"] == first["ETag"]


def test_feed_with_if_modified_since_answers_304(client):
    event = EventFactory()
    first = client.get(agenda_url(event))

    second = client.get(agenda_url(event), headers={"if-modified-since": first["Last-Modified"]})

    assert first["Last-Modified"] == http_date(int(event.updated_at.timestamp()))
    assert second.status_code == 304


def test_changed_event_answers_200_with_a_new_etag(client):
    session = SessionFactory(title="Draft title")
    event = session.event
    first = client.get(agenda_url(event))

    session.title = "Final title"
    session.save()
    second = client.get(agenda_url(event), headers={"if-none-match": first["ETag"]})

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert [str(c["SUMMARY"]) for c in vevents(second.content)] == ["Final title"]


def test_unpublished_event_changes_the_events_feed(client):
    kept = EventFactory(title="Kept")
    withdrawn = EventFactory(title="Withdrawn")
    first = client.get(EVENTS_URL)

    withdrawn.status = "draft"
    withdrawn.save()
    second = client.get(EVENTS_URL, headers={"if-none-match": first["ETag"]})

    assert second.status_code == 200
    assert [str(c["SUMMARY"]) for c in vevents(second.content)] == [kept.title]


def test_warm_feed_is_served_from_cache_without_a_query(client, django_assert_num_queries):
    event = EventFactory()
    for index in range(5):
        SessionFactory(event=event, start=event.start + timedelta(hours=index))
    first = client.get(agenda_url(event))

    with django_assert_num_queries(0):
        second = client.get(agenda_url(event))
        again = client.get(agenda_url(event), headers={"if-none-match": first["ETag"]})

    assert second.status_code == 200
    assert second.content == first.content
    assert (second["ETag"], second["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    assert again.status_code == 304
    assert again.content == b""


def test_warm_feed_without_recorded_version_costs_one_query(client, django_assert_num_queries):
    event = EventFactory()
    first = client.get(agenda_url(event))
    caches["default"].clear()

    with django_assert_num_queries(1):
        second = client.get(agenda_url(event))

    assert second.content == first.content


def test_feed_is_sent_gzipped_to_clients_that_accept_it(client):
    event = EventFactory()
    for index in range(5):
        SessionFactory(event=event, start=event.start + timedelta(hours=index))
    plain = client.get(agenda_url(event))

    built = client.get(agenda_url(event), headers={"accept-encoding": "gzip, deflate"})
    caches["pages"].clear()
    fresh = client.get(agenda_url(event), headers={"accept-encoding": "gzip"})

    for response in (built, fresh):
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content) == plain.content
    assert "Accept-Encoding" in plain["Vary"]
    assert "Content-Encoding" not in plain


def test_feed_after_an_edit_is_rebuilt_not_served_from_the_fast_path(client):
    session = SessionFactory(title="Opening plenary")
    client.get(agenda_url(session.event))
    client.get(agenda_url(session.event))

    session.title = "Opening plenary (moved)"
    session.save()
    body = client.get(agenda_url(session.event)).content.decode()

    assert "Opening plenary (moved)" in body


def test_feed_is_built_the_same_for_the_same_version(client):
    event = EventFactory()
    first = client.get(agenda_url(event))

    caches["pages"].clear()
    second = client.get(agenda_url(event))

    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


# Privacy --------------------------------------------------------------------------------------


def test_public_feeds_carry_no_join_link_self_service_link_or_email(client):
    event = EventFactory(
        format="hybrid", capacity_online=50, online_url="https://meet.example.org/secret-7f3a"
    )
    SessionFactory(event=event)
    registration = RegistrationFactory(event=event, mode=AttendanceMode.ONLINE)

    bodies = [client.get(EVENTS_URL).content, client.get(agenda_url(event)).content]

    for body in bodies:
        assert b"secret-7f3a" not in body
        assert b"/registration/" not in body
        assert registration.token.encode() not in body
        assert registration.person.email.encode() not in body
        assert b"mailto:" not in body
        assert b"events@example.org" not in body


def test_personal_feed_with_wrong_token_is_404(client):
    PersonFactory()

    response = client.get(
        reverse("registrations:personal-calendar", kwargs={"token": "not-a-real-token"})
    )

    assert response.status_code == 404


def test_personal_feed_with_renewed_token_is_404_and_new_token_works(client):
    registration = RegistrationFactory()
    person = registration.person
    old_url = personal_url(person)

    renew_calendar_token(person=person)
    old = client.get(old_url)
    new = client.get(personal_url(person))

    assert old.status_code == 404
    assert new.status_code == 200
    assert len(vevents(new.content)) == 1


def test_personal_feed_is_private_and_answers_304(client):
    registration = RegistrationFactory()
    url = personal_url(registration.person)
    first = client.get(url)

    second = client.get(url, headers={"if-none-match": first["ETag"]})

    assert first["Cache-Control"] == "private, no-cache"
    assert first["X-Robots-Tag"] == "noindex, nofollow"
    assert second.status_code == 304


def test_personal_feed_changes_when_a_registration_is_cancelled(client):
    registration = RegistrationFactory()
    url = personal_url(registration.person)
    first = client.get(url)

    registration.status = "cancelled"
    registration.save()
    second = client.get(url, headers={"if-none-match": first["ETag"]})

    assert second.status_code == 200
    assert vevents(second.content) == []


def test_invitation_download_of_unconfirmed_registration_is_404(client):
    registration = RegistrationFactory(status="waitlisted", waitlisted_at=EventFactory().start)

    response = client.get(reverse("registrations:invitation", kwargs={"token": registration.token}))

    assert response.status_code == 404


def test_invitation_download_is_private_request(client):
    registration = RegistrationFactory()

    response = client.get(reverse("registrations:invitation", kwargs={"token": registration.token}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert response["Cache-Control"] == "private, no-store"
    assert b"METHOD:REQUEST\r\n" in response.content


def test_events_feed_without_events_is_still_a_valid_calendar(client, icaljs):
    EventFactory(draft=True)

    response = client.get(EVENTS_URL)
    parsed = icaljs(response.content)

    assert response.status_code == 200
    assert parsed["components"] == []
    assert parsed["timezones"] == ["Europe/Brussels"]
    assert parsed["calendar"]["method"] == "PUBLISH"


def test_personal_page_renews_the_calendar_address(client):
    registration = RegistrationFactory()
    old_url = personal_url(registration.person)

    response = client.post(
        reverse("registrations:renew-calendar", args=[registration.token]), follow=True
    )

    registration.person.refresh_from_db()
    assert response.status_code == 200
    assert "new address" in response.content.decode()
    assert client.get(old_url).status_code == 404
    assert client.get(personal_url(registration.person)).status_code == 200


def test_renewing_the_calendar_address_needs_the_personal_link(client):
    response = client.post(reverse("registrations:renew-calendar", args=["not-a-token"]))

    assert response.status_code == 404
