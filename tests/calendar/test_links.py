""" "Add to calendar" links on the event and session pages, and the attendee's calendar links."""

from datetime import datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from agenda import ical
from tests.factories import BRUSSELS, EventFactory, RoomFactory, SessionFactory
from tests.factories.registrations import RegistrationFactory

pytestmark = pytest.mark.django_db


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_google_link_carries_title_utc_dates_details_and_place():
    event = EventFactory(
        title="Skills & mobility, 2030",
        start=datetime(2030, 5, 14, 9, 0, tzinfo=BRUSSELS),
        end=datetime(2030, 5, 15, 17, 0, tzinfo=BRUSSELS),
    )

    links = ical.event_links(event)

    assert links.google.startswith("https://calendar.google.com/calendar/render?")
    assert query_of(links.google) == {
        "action": "TEMPLATE",
        "text": "Skills & mobility, 2030",
        "dates": "20300514T070000Z/20300515T150000Z",
        "details": f"{event.summary}\n\nhttps://events.example.org/events/{event.slug}/",
        "location": f"{event.venue.name}, Rue de la Loi 42, 1040 Brussels, Belgium",
        "ctz": "Europe/Brussels",
    }


def test_outlook_link_carries_subject_and_utc_times():
    event = EventFactory(start=datetime(2030, 5, 14, 9, 0, tzinfo=BRUSSELS))

    links = ical.event_links(event)

    query = query_of(links.outlook)
    assert links.outlook.startswith("https://outlook.live.com/calendar/0/action/compose?")
    assert (query["subject"], query["startdt"], query["enddt"]) == (
        event.title,
        "2030-05-14T07:00:00Z",
        "2030-05-14T15:00:00Z",
    )


def test_links_of_online_event_never_carry_the_join_link():
    event = EventFactory(online=True, online_url="https://meet.example.org/secret-7f3a")

    links = ical.event_links(event)

    for url in (links.download, links.subscribe, links.google, links.outlook):
        assert "secret-7f3a" not in url
    assert query_of(links.google)["location"] == "Online"


def test_event_page_offers_download_subscribe_google_and_outlook(client):
    event = EventFactory(slug="moving-talents")

    html = unescape(client.get(event.get_absolute_url()).content.decode())

    assert 'href="/events/moving-talents/calendar.ics" download>Download the agenda (.ics)' in html
    assert (
        'href="webcal://events.example.org/events/moving-talents/calendar.ics">'
        "Subscribe to the agenda" in html
    )
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "Add to Google Calendar" in html
    assert "Add to Outlook.com" in html


def test_session_page_offers_the_session_download(client, django_assert_num_queries):
    event = EventFactory(slug="moving-talents")
    session = SessionFactory(event=event, room=RoomFactory(venue=event.venue, name="Salle A"))
    url = reverse("agenda:session", kwargs={"slug": event.slug, "pk": session.pk})

    with django_assert_num_queries(2):
        html = unescape(client.get(url).content.decode())

    assert f'href="/events/moving-talents/sessions/{session.pk}/calendar.ics" download>' in html
    assert "Download this session (.ics)" in html
    assert "Salle A" in query_of(html.split('href="https://calendar.google.com')[1])["location"]


def test_manage_page_links_the_invite_and_the_personal_feed(client):
    registration = RegistrationFactory()
    token = registration.person.calendar_token

    html = client.get(
        reverse("registrations:manage", kwargs={"token": registration.token})
    ).content.decode()

    assert f'href="/registration/{registration.token}/invite.ics" download>' in html
    assert "Download calendar invite" in html
    assert f'href="webcal://events.example.org/calendar/{token}.ics">' in html
    assert "Subscribe to my calendar" in html


def test_manage_page_of_waitlisted_registration_offers_no_invite(client):
    registration = RegistrationFactory(status="waitlisted", waitlisted_at=EventFactory().start)

    html = client.get(
        reverse("registrations:manage", kwargs={"token": registration.token})
    ).content.decode()

    assert "invite.ics" not in html
    assert "Subscribe to my calendar" in html
