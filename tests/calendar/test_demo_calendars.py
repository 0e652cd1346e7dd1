"""Every kind of .ics the site makes, produced from the demo data and read back by two parsers:
the icalendar package and ical.js (Thunderbird's parser, under node)."""

from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from agenda.demo.events.upcoming import SLUG
from agenda.enums import EventStatus
from agenda.models import Event
from registrations import services
from registrations.emails import render_email
from registrations.enums import AttendanceMode, EmailKind
from registrations.models import OutboxEmail
from tests.calendar.conftest import parse_ics
from tests.factories.registrations import registration_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())
    event = Event.objects.select_related("venue").get(slug=SLUG)
    in_person = services.register(
        event=event,
        request=registration_request(1, first_name="Десислава", last_name="Иванова"),
    ).registration
    online = services.register(
        event=event,
        request=registration_request(
            2, first_name="مريم", last_name="العبدالله", mode=AttendanceMode.ONLINE
        ),
    ).registration
    return event, in_person, online


def utc_text(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def calendar_attachment(registration, kind) -> bytes:
    email = OutboxEmail.objects.filter(registration=registration, kind=kind).latest("pk")
    [attachment] = render_email(email).attachments
    return attachment["content"].encode()


def assert_well_formed(data: bytes, parsed: dict) -> None:
    """What every file must have, checked on both parsers' readings."""
    calendar = parse_ics(data)
    components = calendar.walk("VEVENT")
    uids = [str(c["UID"]) for c in components]
    assert str(calendar["PRODID"]) == "-//events.example.org//eventsite//EN"
    assert parsed["calendar"]["prodid"] == "-//events.example.org//eventsite//EN"
    assert len(set(uids)) == len(uids)
    assert [c["uid"] for c in parsed["components"]] == uids
    assert all("DTSTAMP" in c for c in components)
    assert all(c["dtstamp"] is not None for c in parsed["components"])
    used = {c["dtstart"]["tzid"] for c in parsed["components"]}
    assert used <= set(parsed["timezones"]) | {"UTC"}
    for line in data[:-2].split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")


def test_demo_events_feed(client, demo, icaljs):
    response = client.get("/calendar.ics")
    parsed = icaljs(response.content)

    assert_well_formed(response.content, parsed)
    events = {e.title: e for e in Event.objects.public()}
    assert parsed["calendar"]["method"] == "PUBLISH"
    assert parsed["calendar"]["x_published_ttl"] == "PT1H"
    assert sorted(c["summary"] for c in parsed["components"]) == sorted(events)
    for component in parsed["components"]:
        event = events[component["summary"]]
        assert component["dtstart"]["utc"] == utc_text(event.start)
        assert component["dtend"]["utc"] == utc_text(event.end)
        assert component["dtstart"]["tzid"] == "Europe/Brussels"
        assert component["url"] == f"https://events.example.org/events/{event.slug}/"
        assert component["conferences"] == []
    for event in events.values():
        if event.online_url:
            assert event.online_url.encode() not in response.content


def test_demo_agenda_feed(client, demo, icaljs):
    event, _in_person, _online = demo
    response = client.get(reverse("agenda:event-calendar", kwargs={"slug": SLUG}))
    parsed = icaljs(response.content)

    assert_well_formed(response.content, parsed)
    sessions = {f"session-{s.pk}@events.example.org": s for s in event.sessions.all()}
    assert parsed["calendar"]["name"] == event.title
    assert sorted(c["uid"] for c in parsed["components"]) == sorted(sessions)
    for component in parsed["components"]:
        session = sessions[component["uid"]]
        assert component["summary"] == session.title
        assert component["dtstart"]["utc"] == utc_text(session.start)
        if session.room_id:
            assert component["location"].startswith(session.room.name + ", ")
    assert event.online_url.encode() not in response.content


def test_demo_invitation_update_and_cancellation(demo, icaljs):
    event, in_person, online = demo

    request = icaljs(calendar_attachment(online, EmailKind.CONFIRMATION))
    event = Event.objects.get(pk=event.pk)
    event.start += timedelta(hours=1)
    event.end += timedelta(hours=1)
    event.save()
    update = icaljs(calendar_attachment(in_person, EmailKind.MESSAGE))
    event.status = EventStatus.CANCELLED
    event.save()
    cancel_data = calendar_attachment(online, EmailKind.MESSAGE)
    cancel = icaljs(cancel_data)

    [invite] = request["components"]
    assert request["calendar"]["method"] == "REQUEST"
    assert invite["sequence"] == 0
    assert invite["url"] == event.online_url
    assert invite["conferences"][0]["value"] == event.online_url
    assert invite["attendees"][0]["params"]["cn"] == "مريم العبدالله"
    [changed] = update["components"]
    assert update["calendar"]["method"] == "REQUEST"
    assert changed["uid"] == f"registration-{in_person.pk}@events.example.org"
    assert changed["sequence"] == 1
    assert changed["dtstart"]["utc"] == utc_text(event.start)
    assert changed["attendees"][0]["params"]["cn"] == "Десислава Иванова"
    assert changed["geo"] == [float(event.venue.latitude), float(event.venue.longitude)]
    assert changed["conferences"] == []
    [cancelled] = cancel["components"]
    assert cancel["calendar"]["method"] == "CANCEL"
    assert cancelled["uid"] == invite["uid"]
    assert cancelled["sequence"] == 2
    assert cancelled["status"] == "CANCELLED"
    assert_well_formed(cancel_data, cancel)


def test_demo_personal_feed(client, demo, icaljs):
    event, _in_person, online = demo
    picked = event.sessions.filter(requires_signup=True).order_by("start").first()
    services.change_session_picks(registration=online, session_ids=[picked.pk], actor=None)

    url = reverse("registrations:personal-calendar", kwargs={"token": online.person.calendar_token})
    response = client.get(url)
    parsed = icaljs(response.content)

    assert_well_formed(response.content, parsed)
    assert parsed["calendar"]["method"] == "PUBLISH"
    assert [c["summary"] for c in parsed["components"]] == [event.title, picked.title]
    assert [c["conferences"][0]["value"] for c in parsed["components"]] == [event.online_url] * 2
    assert parsed["components"][1]["dtstart"]["utc"] == utc_text(picked.start)
