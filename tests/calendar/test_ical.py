"""The calendar files themselves: times and zones, escaping, folding, identity of components."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from agenda import ical
from agenda.selectors import event_sessions
from tests.calendar.conftest import parse_ics, vevents
from tests.factories import (
    BRUSSELS,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

STAMP = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def feed_of(*events) -> bytes:
    return ical.events_feed(list(events), stamp=STAMP)


def raw_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


# Times and zones ------------------------------------------------------------------------------


def test_event_times_carry_tzid_and_matching_vtimezone():
    event = EventFactory(start=datetime(2030, 5, 14, 9, 0, tzinfo=BRUSSELS))

    calendar = parse_ics(feed_of(event))

    component = calendar.walk("VEVENT")[0]
    assert component["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert component["DTEND"].params["TZID"] == "Europe/Brussels"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert b"DTSTART;TZID=Europe/Brussels:20300514T090000\r\n" in feed_of(event)


def test_event_across_dst_change_reads_back_at_stored_instants(icaljs):
    # Summer time ends in Brussels at 03:00 on 27 October 2030.
    event = EventFactory(
        start=datetime(2030, 10, 26, 9, 0, tzinfo=BRUSSELS),
        end=datetime(2030, 10, 27, 17, 0, tzinfo=BRUSSELS),
    )
    event.refresh_from_db()
    data = feed_of(event)

    component = vevents(data)[0]
    parsed = icaljs(data)["components"][0]

    assert event.start == datetime(2030, 10, 26, 7, 0, tzinfo=UTC)
    assert event.end == datetime(2030, 10, 27, 16, 0, tzinfo=UTC)
    assert component.start == event.start
    assert component.end == event.end
    assert parsed["dtstart"] == {
        "local": "2030-10-26T09:00:00",
        "tzid": "Europe/Brussels",
        "utc": "2030-10-26T07:00:00.000Z",
    }
    assert parsed["dtend"] == {
        "local": "2030-10-27T17:00:00",
        "tzid": "Europe/Brussels",
        "utc": "2030-10-27T16:00:00.000Z",
    }


def test_nonexistent_local_time_is_written_as_the_stored_instant(icaljs):
    # 02:30 does not exist in Brussels on 31 March 2030 (clocks go from 02:00 to 03:00). It is
    # stored as the instant Python gives it (01:30 UTC), which is 03:30 summer time; the file
    # writes that real local time, so every reader lands on the stored instant.
    event = EventFactory(
        start=datetime(2030, 3, 31, 2, 30, tzinfo=BRUSSELS),
        end=datetime(2030, 3, 31, 6, 0, tzinfo=BRUSSELS),
    )
    event.refresh_from_db()
    data = feed_of(event)

    component = vevents(data)[0]
    parsed = icaljs(data)["components"][0]

    assert event.start == datetime(2030, 3, 31, 1, 30, tzinfo=UTC)
    assert b"DTSTART;TZID=Europe/Brussels:20300331T033000\r\n" in data
    assert component.start == event.start
    assert parsed["dtstart"]["utc"] == "2030-03-31T01:30:00.000Z"
    assert parsed["dtstart"]["tzid"] == "Europe/Brussels"


def test_vtimezone_covers_every_year_of_the_feed(icaljs):
    early = EventFactory(start=datetime(2029, 7, 1, 10, 0, tzinfo=BRUSSELS))
    late = EventFactory(start=datetime(2031, 1, 20, 10, 0, tzinfo=BRUSSELS))
    data = feed_of(early, late)

    parsed = icaljs(data)

    assert parsed["timezones"] == ["Europe/Brussels"]
    assert sorted(c["dtstart"]["utc"] for c in parsed["components"]) == [
        "2029-07-01T08:00:00.000Z",  # summer time, +02:00
        "2031-01-20T09:00:00.000Z",  # winter time, +01:00
    ]


def test_events_in_two_zones_get_one_vtimezone_each():
    brussels = EventFactory()
    lisbon = EventFactory(timezone="Europe/Lisbon")

    calendar = parse_ics(feed_of(brussels, lisbon))

    assert sorted(tz["TZID"] for tz in calendar.walk("VTIMEZONE")) == [
        "Europe/Brussels",
        "Europe/Lisbon",
    ]


def test_utc_event_is_written_in_utc_without_vtimezone():
    event = EventFactory(timezone="UTC", start=datetime(2030, 5, 14, 7, 0, tzinfo=UTC))

    data = feed_of(event)

    assert b"DTSTART:20300514T070000Z\r\n" in data
    assert parse_ics(data).walk("VTIMEZONE") == []


def test_multi_day_conference_is_one_vevent_with_true_start_and_end(icaljs):
    event = EventFactory(
        start=datetime(2030, 11, 19, 9, 0, tzinfo=BRUSSELS),
        end=datetime(2030, 11, 20, 17, 30, tzinfo=BRUSSELS),
    )
    data = feed_of(event)

    parsed = icaljs(data)["components"]

    assert len(parsed) == 1
    assert parsed[0]["dtstart"]["local"] == "2030-11-19T09:00:00"
    assert parsed[0]["dtend"]["local"] == "2030-11-20T17:30:00"


# Text ------------------------------------------------------------------------------------------


def test_text_escapes_commas_semicolons_backslashes_and_newlines(icaljs):
    title = "Skills, talent; mobility \\ recognition\nSecond line"
    venue = VenueFactory(name="Hall A; wing B, floor 2", address="Rue \\ Loi 1")
    event = EventFactory(title=title, venue=venue)
    data = feed_of(event)

    component = vevents(data)[0]
    parsed = icaljs(data)["components"][0]

    assert b"SUMMARY:Skills\\, talent\\; mobility \\\\ recognition\\nSecond line\r\n" in data
    assert str(component["SUMMARY"]) == title
    assert parsed["summary"] == title
    assert parsed["location"].startswith("Hall A; wing B, floor 2, Rue \\ Loi 1")


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_newline_in_title_cannot_inject_a_property_or_component(icaljs, newline):
    title = newline.join(
        ["Panel", "END:VEVENT", "BEGIN:VEVENT", "UID:evil@example", "SUMMARY:Injected"]
    )
    event = EventFactory(title=title)
    data = feed_of(event)

    components = vevents(data)
    parsed = icaljs(data)["components"]

    expected = title.replace("\r\n", "\n").replace("\r", "\n")
    assert len(components) == 1
    assert str(components[0]["SUMMARY"]) == expected
    assert str(components[0]["UID"]) == ical.event_uid(event)
    assert len(parsed) == 1
    assert parsed[0]["summary"] == expected
    assert parsed[0]["properties"].count("uid") == 1


def test_lines_fold_at_75_octets_without_splitting_utf8():
    title = "Κινητικότητα εργαζομένων – Трудова мобилност – تنقل اليد العاملة " * 4
    event = EventFactory(
        title=title[:200], slug="multilingual", summary="Ελληνικά Български العربية " * 10
    )

    lines = raw_lines(feed_of(event))

    assert max(len(line) for line in lines) <= 75
    assert [line for line in lines if len(line) > 75] == []
    for line in lines:
        line.decode("utf-8")  # raises if a character was cut in two
    assert any(line.startswith(b" ") for line in lines)


@pytest.mark.parametrize(
    "name",
    ["Ελένη Παπαδοπούλου", "Десислава Иванова", "مريم العبدالله", "Ζωή; Иван, \\ مريم"],
)
def test_greek_bulgarian_and_arabic_names_round_trip(icaljs, name):
    event = EventFactory()
    session = SessionFactory(event=event, title=f"Keynote by {name}")
    SessionSpeakerFactory(session=session, speaker=SpeakerFactory(name=name, slug="speaker-x"))
    data = ical.agenda_feed(event, event_sessions(event=event), stamp=STAMP)

    component = vevents(data)[0]
    parsed = icaljs(data)["components"][0]

    assert str(component["SUMMARY"]) == f"Keynote by {name}"
    assert parsed["summary"] == f"Keynote by {name}"
    assert name in parsed["description"]


# Identity --------------------------------------------------------------------------------------


def test_agenda_components_have_dtstamp_and_unique_stable_uids(icaljs):
    event = EventFactory()
    first = SessionFactory(event=event)
    second = SessionFactory(event=event, start=event.start + timedelta(hours=2))
    data = ical.agenda_feed(event, event_sessions(event=event), stamp=STAMP)

    parsed = icaljs(data)
    calendar = parse_ics(data)

    uids = [c["uid"] for c in parsed["components"]]
    assert uids == [
        f"session-{first.pk}@events.example.org",
        f"session-{second.pk}@events.example.org",
    ]
    assert [c.DTSTAMP for c in calendar.walk("VEVENT")] == [STAMP, STAMP]
    assert [c["dtstamp"]["utc"] for c in parsed["components"]] == ["2030-01-02T03:04:05.000Z"] * 2


def test_calendar_carries_the_sites_prodid_and_feed_properties(icaljs):
    data = feed_of(EventFactory())

    calendar = icaljs(data)["calendar"]

    assert calendar == {
        "version": "2.0",
        "prodid": "-//events.example.org//eventsite//EN",
        "method": "PUBLISH",
        "name": "EU Labour Mobility Practitioners' Network: events",
        "x_wr_calname": "EU Labour Mobility Practitioners' Network: events",
        "refresh_interval": "PT1H",
        "x_published_ttl": "PT1H",
    }
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data


def test_session_lists_room_speakers_and_venue_geo(icaljs):
    venue = VenueFactory(name="Palais", latitude="50.846700", longitude="4.352500")
    event = EventFactory(venue=venue)
    room = RoomFactory(venue=venue, name="Salle Polak")
    session = SessionFactory(event=event, room=room)
    SessionSpeakerFactory(session=session, speaker=SpeakerFactory(name="Ana Costa"))
    data = ical.agenda_feed(event, event_sessions(event=event), stamp=STAMP)

    parsed = icaljs(data)["components"][0]

    assert parsed["location"].startswith("Salle Polak, Palais, Rue de la Loi 42")
    assert parsed["geo"] == [50.8467, 4.3525]
    assert "Ana Costa" in parsed["description"]
    assert parsed["url"] == f"https://events.example.org/events/{event.slug}/sessions/{session.pk}/"


def test_postponed_and_cancelled_events_have_matching_status():
    postponed = EventFactory(status="postponed")
    cancelled = EventFactory(status="cancelled")

    components = vevents(feed_of(postponed, cancelled))

    assert [str(c["STATUS"]) for c in components] == ["TENTATIVE", "CANCELLED"]


def test_online_event_in_a_public_file_has_no_join_link():
    event = EventFactory(online=True, online_url="https://meet.example.org/secret-7f3a")
    SessionFactory(event=event)

    events = feed_of(event)
    agenda = ical.agenda_feed(event, event_sessions(event=event), stamp=STAMP)

    assert b"secret-7f3a" not in events
    assert b"secret-7f3a" not in agenda
    assert b"CONFERENCE" not in events + agenda
    assert str(vevents(events)[0]["LOCATION"]) == "Online"


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [1, 9, 10, 918273645, 123456789012])
def test_session_pages_match_reversed_urls(pk):
    event = EventFactory(slug="forum-2030")

    page = ical.session_pages(event)(pk)

    assert page == ical.absolute_url(
        reverse("agenda:session", kwargs={"slug": "forum-2030", "pk": pk})
    )
