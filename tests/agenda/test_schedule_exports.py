"""Schedule exports for conference apps: frab XML and JSON, and xCal (RFC 6321)."""

import gzip
import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from agenda.enums import EventStatus, SessionKind, SpeakerRole
from agenda.frab import session_guid
from tests.calendar.conftest import vevents
from tests.factories import (
    EventFactory,
    PersonFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

from .frab_format import check_schedule_json, check_schedule_xml, parse_xml

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
XCAL = "{urn:ietf:params:xml:ns:icalendar-2.0}"


def url(event, kind: str) -> str:
    return reverse(f"agenda:schedule-{kind}", kwargs={"slug": event.slug})


def two_day_event():
    """A two-day conference: two rooms, a track, speakers, and a session without a room."""
    start = datetime(2030, 5, 14, 9, 0, tzinfo=BRUSSELS)
    event = EventFactory(title="Fair Mobility Forum", start=start, end=start + timedelta(hours=32))
    main = RoomFactory(venue=event.venue, name="Main hall", capacity=300)
    side = RoomFactory(venue=event.venue, name="Room B", capacity=40)
    track = TrackFactory(event=event, name="Enforcement", colour="#aa3300")
    opening = SessionFactory(
        event=event, title="Opening", room=main, abstract="Welcome to *Brussels*."
    )
    panel = SessionFactory(
        event=event,
        title="Posting of workers",
        room=side,
        track=track,
        kind=SessionKind.PANEL,
        start=start + timedelta(hours=1),
        end=start + timedelta(hours=2, minutes=30),
    )
    walk = SessionFactory(
        event=event,
        title="Walk to dinner",
        start=start + timedelta(hours=9),
        end=start + timedelta(hours=9, minutes=45),
    )
    closing = SessionFactory(
        event=event,
        title="Closing",
        room=main,
        start=start + timedelta(days=1),
        end=start + timedelta(days=1, hours=1),
    )
    SessionSpeakerFactory(session=opening, speaker=SpeakerFactory(name="Ana Novak"))
    SessionSpeakerFactory(
        session=panel, speaker=SpeakerFactory(name="Jean Dupont"), role=SpeakerRole.MODERATOR
    )
    return event, {"opening": opening, "panel": panel, "walk": walk, "closing": closing}


def xml_events(root) -> dict[str, object]:
    return {element.findtext("title"): element for element in root.iter("event")}


def json_talks(data) -> dict[str, dict]:
    return {
        talk["title"]: talk
        for day in data["schedule"]["conference"]["days"]
        for talks in day["rooms"].values()
        for talk in talks
    }


# frab XML ---------------------------------------------------------------------------------------


def test_schedule_xml_follows_the_frab_format(client):
    event, _sessions = two_day_event()

    response = client.get(url(event, "xml"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = parse_xml(response.content)
    check_schedule_xml(root)


def test_schedule_xml_describes_the_conference(client):
    event, _sessions = two_day_event()

    root = parse_xml(client.get(url(event, "xml")).content)

    conference = root.find("conference")
    assert {child.tag: child.text for child in conference} == {
        "acronym": "fair-mobility-forum",
        "title": "Fair Mobility Forum",
        "start": "2030-05-14",
        "end": "2030-05-15",
        "days": "2",
        "timeslot_duration": "00:15",
        "base_url": "https://events.example.org/",
        "time_zone_name": "Europe/Brussels",
    }


def test_schedule_xml_groups_sessions_by_day_then_room(client):
    event, _sessions = two_day_event()

    root = parse_xml(client.get(url(event, "xml")).content)

    layout = [
        (
            day.get("index"),
            day.get("date"),
            [(room.get("name"), [e.findtext("title") for e in room]) for room in day],
        )
        for day in root.findall("day")
    ]
    assert layout == [
        (
            "1",
            "2030-05-14",
            [
                # A session without a room is at the venue, so apps do not drop it.
                (event.venue.name, ["Walk to dinner"]),
                ("Main hall", ["Opening"]),
                ("Room B", ["Posting of workers"]),
            ],
        ),
        ("2", "2030-05-15", [("Main hall", ["Closing"])]),
    ]
    first, second = root.findall("day")
    assert (first.get("start"), first.get("end")) == (
        "2030-05-14T09:00:00+02:00",
        "2030-05-15T00:00:00+02:00",
    )
    assert (second.get("start"), second.get("end")) == (
        "2030-05-15T00:00:00+02:00",
        "2030-05-15T17:00:00+02:00",
    )


def test_schedule_xml_describes_each_session(client):
    event, sessions = two_day_event()
    panel = sessions["panel"]

    root = parse_xml(client.get(url(event, "xml")).content)

    element = xml_events(root)["Posting of workers"]
    assert element.attrib == {"guid": session_guid(panel.pk), "id": str(panel.pk)}
    assert {child.tag: (child.text or "") for child in element if len(child) == 0} == {
        "date": "2030-05-14T10:00:00+02:00",
        "start": "10:00",
        "duration": "01:30",
        "room": "Room B",
        "slug": f"fair-mobility-forum-{panel.pk}-posting-of-workers",
        "url": f"https://events.example.org/events/fair-mobility-forum/sessions/{panel.pk}/",
        "title": "Posting of workers",
        "subtitle": "",
        "track": "Enforcement",
        "type": "Panel",
        "language": "",
        "abstract": "",
        "description": "",
        "links": "",
        "attachments": "",
    }
    speaker = panel.appearances.get().speaker
    assert [(p.get("id"), p.text) for p in element.findall("persons/person")] == [
        (str(speaker.pk), "Jean Dupont")
    ]


def test_session_guid_is_uuid5_of_site_and_session(settings):
    settings.SITE_URL = "https://events.example.org"
    site = uuid.uuid5(uuid.NAMESPACE_URL, "https://events.example.org")

    guid = session_guid(42)

    assert guid == str(uuid.uuid5(site, "session/42"))
    assert guid == session_guid(42)
    assert guid != session_guid(43)
    settings.SITE_URL = "https://other.example.org"
    assert session_guid(42) != guid


def test_schedule_guids_stay_the_same_when_the_agenda_changes(client):
    event, sessions = two_day_event()
    before = {
        e.findtext("title"): e.get("guid")
        for e in parse_xml(client.get(url(event, "xml")).content).iter("event")
    }

    sessions["panel"].title = "Posting of workers: what changed"
    sessions["panel"].start += timedelta(minutes=30)
    sessions["panel"].end += timedelta(minutes=30)
    sessions["panel"].save()
    after = {
        e.get("id"): e.get("guid")
        for e in parse_xml(client.get(url(event, "xml")).content).iter("event")
    }

    assert after[str(sessions["panel"].pk)] == before["Posting of workers"]
    assert sorted(after.values()) == sorted(before.values())


def test_schedule_xml_durations_are_hours_and_minutes(client):
    event = EventFactory()
    SessionFactory(event=event, title="Short", end=event.start + timedelta(minutes=5))
    SessionFactory(event=event, title="Long", end=event.start + timedelta(hours=7, minutes=50))

    root = parse_xml(client.get(url(event, "xml")).content)

    durations = {title: e.findtext("duration") for title, e in xml_events(root).items()}
    assert durations == {"Short": "00:05", "Long": "07:50"}
    assert root.findtext("conference/timeslot_duration") == "00:05"


def test_schedule_times_are_local_and_right_across_the_change_to_summer_time(client):
    # Clocks in Brussels go from 02:00 to 03:00 on Sunday 31 March 2030.
    start = datetime(2030, 3, 30, 20, 0, tzinfo=BRUSSELS)
    event = EventFactory(start=start, end=datetime(2030, 3, 31, 12, 0, tzinfo=BRUSSELS))
    SessionFactory(
        event=event,
        title="Night watch",
        start=datetime(2030, 3, 31, 1, 30, tzinfo=BRUSSELS),
        end=datetime(2030, 3, 31, 3, 30, tzinfo=BRUSSELS),
    )
    SessionFactory(
        event=event,
        title="Breakfast",
        start=datetime(2030, 3, 31, 9, 0, tzinfo=BRUSSELS),
        end=datetime(2030, 3, 31, 10, 0, tzinfo=BRUSSELS),
    )

    root = parse_xml(client.get(url(event, "xml")).content)
    data = client.get(url(event, "json")).json()

    night = xml_events(root)["Night watch"]
    # 01:30 winter time to 03:30 summer time is one hour.
    assert (night.findtext("date"), night.findtext("start"), night.findtext("duration")) == (
        "2030-03-31T01:30:00+01:00",
        "01:30",
        "01:00",
    )
    breakfast = xml_events(root)["Breakfast"]
    assert breakfast.findtext("date") == "2030-03-31T09:00:00+02:00"
    second_day = root.findall("day")[1]
    assert (second_day.get("start"), second_day.get("end")) == (
        "2030-03-31T00:00:00+01:00",
        "2030-03-31T12:00:00+02:00",
    )
    assert json_talks(data)["Night watch"]["duration"] == "01:00"
    assert json_talks(data)["Breakfast"]["date"] == "2030-03-31T09:00:00+02:00"


def test_schedule_of_event_without_sessions_lists_its_days(client):
    event = EventFactory(end=datetime(2030, 5, 16, 0, 0, tzinfo=BRUSSELS))

    root = parse_xml(client.get(url(event, "xml")).content)

    check_schedule_xml(root)
    # Ending at midnight, the event's last day is the 15th.
    assert [day.get("date") for day in root.findall("day")] == ["2030-05-14", "2030-05-15"]
    assert list(root.iter("event")) == []


def test_schedule_xml_escapes_text(client):
    event = EventFactory(title="Rights & <duties>")
    SessionFactory(event=event, title='Q&A: "open" <floor>', abstract="a < b & c")

    response = client.get(url(event, "xml"))

    element = next(parse_xml(response.content).iter("event"))
    assert element.findtext("title") == 'Q&A: "open" <floor>'
    assert element.findtext("abstract") == "a < b & c"


# frab JSON --------------------------------------------------------------------------------------


def test_schedule_json_follows_the_frab_format(client):
    event, _sessions = two_day_event()

    response = client.get(url(event, "json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    check_schedule_json(json.loads(response.content))


def test_schedule_json_has_conference_rooms_tracks_and_days(client):
    event, _sessions = two_day_event()

    schedule = client.get(url(event, "json")).json()["schedule"]

    conference = schedule["conference"]
    assert schedule["base_url"] == "https://events.example.org/"
    assert (conference["acronym"], conference["daysCount"], conference["time_zone_name"]) == (
        "fair-mobility-forum",
        2,
        "Europe/Brussels",
    )
    assert [(room["name"], room["capacity"]) for room in conference["rooms"]] == [
        (event.venue.name, None),
        ("Main hall", 300),
        ("Room B", 40),
    ]
    assert conference["tracks"] == [
        {"name": "Enforcement", "slug": "enforcement", "color": "#aa3300"}
    ]
    assert [
        (day["index"], day["date"], {name: len(talks) for name, talks in day["rooms"].items()})
        for day in conference["days"]
    ] == [
        (1, "2030-05-14", {event.venue.name: 1, "Main hall": 1, "Room B": 1}),
        (2, "2030-05-15", {"Main hall": 1}),
    ]


def test_schedule_json_talk_matches_the_xml(client):
    event, sessions = two_day_event()

    talk = json_talks(client.get(url(event, "json")).json())["Posting of workers"]
    element = xml_events(parse_xml(client.get(url(event, "xml")).content))["Posting of workers"]

    for name in ("date", "start", "duration", "room", "slug", "url", "title", "track", "type"):
        assert talk[name] == element.findtext(name), name
    assert (talk["guid"], talk["id"]) == (element.get("guid"), int(element.get("id")))
    speaker = sessions["panel"].appearances.get().speaker
    assert talk["persons"] == [
        {
            "guid": str(
                uuid.uuid5(
                    uuid.uuid5(uuid.NAMESPACE_URL, "https://events.example.org"),
                    f"speaker/{speaker.pk}",
                )
            ),
            "name": "Jean Dupont",
            "public_name": "Jean Dupont",
            "biography": "",
            "url": f"https://events.example.org/speakers/{speaker.slug}/",
        }
    ]


def test_schedule_json_session_without_track_has_null_track(client):
    event, _sessions = two_day_event()

    talks = json_talks(client.get(url(event, "json")).json())

    assert talks["Opening"]["track"] is None
    assert talks["Opening"]["abstract"] == "Welcome to *Brussels*."


# xCal ---------------------------------------------------------------------------------------------


def test_schedule_xcal_is_rfc6321_with_the_feed_components(client):
    event, sessions = two_day_event()

    response = client.get(url(event, "xcal"))
    ics = client.get(reverse("agenda:event-calendar", kwargs={"slug": event.slug}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/calendar+xml; charset=utf-8"
    root = parse_xml(response.content)
    assert root.tag == f"{XCAL}icalendar"
    calendar = root.find(f"{XCAL}vcalendar")
    properties = calendar.find(f"{XCAL}properties")
    assert properties.findtext(f"{XCAL}version/{XCAL}text") == "2.0"
    assert properties.findtext(f"{XCAL}prodid/{XCAL}text") == "-//events.example.org//eventsite//EN"
    assert properties.findtext(f"{XCAL}x-wr-calname/{XCAL}text") == "Fair Mobility Forum"
    events = calendar.findall(f"{XCAL}components/{XCAL}vevent")
    uids = [e.findtext(f"{XCAL}properties/{XCAL}uid/{XCAL}text") for e in events]
    assert uids == [str(component["UID"]) for component in vevents(ics.content)]
    assert len(uids) == len(sessions)


def test_schedule_xcal_writes_local_times_with_their_zone(client):
    event, sessions = two_day_event()

    root = parse_xml(client.get(url(event, "xcal")).content)

    panel_uid = f"session-{sessions['panel'].pk}@events.example.org"
    panel = next(
        e
        for e in root.iter(f"{XCAL}vevent")
        if e.findtext(f"{XCAL}properties/{XCAL}uid/{XCAL}text") == panel_uid
    )
    dtstart = panel.find(f"{XCAL}properties/{XCAL}dtstart")
    assert dtstart.findtext(f"{XCAL}parameters/{XCAL}tzid/{XCAL}text") == "Europe/Brussels"
    assert dtstart.findtext(f"{XCAL}date-time") == "2030-05-14T10:00:00"
    dtstamp = panel.findtext(f"{XCAL}properties/{XCAL}dtstamp/{XCAL}date-time")
    assert dtstamp.endswith("Z")
    assert panel.findtext(f"{XCAL}properties/{XCAL}categories/{XCAL}text") == "Enforcement"
    assert panel.findtext(f"{XCAL}properties/{XCAL}sequence/{XCAL}integer") == "0"
    zone = root.find(f"{XCAL}vcalendar/{XCAL}components/{XCAL}vtimezone")
    offsets = [
        (
            part.tag.removeprefix(XCAL),
            part.findtext(f"{XCAL}properties/{XCAL}tzoffsetto/{XCAL}utc-offset"),
        )
        for part in zone.find(f"{XCAL}components")
    ]
    assert ("daylight", "+02:00") in offsets
    assert ("standard", "+01:00") in offsets


def test_schedule_xcal_of_event_without_sessions_has_the_event_itself(client):
    event = EventFactory(title="Forum on fair recruitment")

    root = parse_xml(client.get(url(event, "xcal")).content)

    events = list(root.iter(f"{XCAL}vevent"))
    assert [e.findtext(f"{XCAL}properties/{XCAL}uid/{XCAL}text") for e in events] == [
        f"event-{event.pk}@events.example.org"
    ]
    assert events[0].findtext(f"{XCAL}properties/{XCAL}summary/{XCAL}text") == (
        "Forum on fair recruitment"
    )


def test_schedule_xcal_writes_geo_as_latitude_and_longitude(client):
    event = EventFactory(venue__latitude="50.843000", venue__longitude="4.382000")
    SessionFactory(event=event)

    root = parse_xml(client.get(url(event, "xcal")).content)

    geo = next(root.iter(f"{XCAL}geo"))
    assert (geo.findtext(f"{XCAL}latitude"), geo.findtext(f"{XCAL}longitude")) == (
        "50.843",
        "4.382",
    )


# What is published ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xml", "json", "xcal"])
@pytest.mark.parametrize(
    "status", [EventStatus.DRAFT, EventStatus.POSTPONED, EventStatus.CANCELLED]
)
def test_schedule_of_unpublished_event_is_404(client, kind, status):
    event = EventFactory(status=status)

    response = client.get(url(event, kind))

    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["xml", "json", "xcal"])
def test_schedule_carries_no_personal_data(client, kind):
    event = EventFactory(online=True, online_url="https://meet.example.org/secret-room")
    session = SessionFactory(event=event)
    person = PersonFactory(email="jean.private@example.org")
    SessionSpeakerFactory(
        session=session, speaker=SpeakerFactory(name="Jean Dupont", person=person)
    )

    body = client.get(url(event, kind)).content.decode()

    assert "Jean Dupont" in body
    assert "jean.private@example.org" not in body
    assert "secret-room" not in body


def test_online_event_sessions_are_in_the_online_room(client):
    event = EventFactory(online=True)
    SessionFactory(event=event, title="Webinar")

    root = parse_xml(client.get(url(event, "xml")).content)

    assert [room.get("name") for room in root.findall("day/room")] == ["Online"]
    assert xml_events(root)["Webinar"].findtext("room") == "Online"


def test_speaker_photo_is_an_absolute_avatar_address(client, settings):
    event = EventFactory()
    session = SessionFactory(event=event)
    speaker = SpeakerFactory(photo="speakers/ana.jpg")
    SessionSpeakerFactory(session=session, speaker=speaker)

    talk = next(iter(json_talks(client.get(url(event, "json")).json()).values()))

    assert talk["persons"][0]["avatar"] == "https://events.example.org/media/speakers/ana.jpg"


# HTTP: caching, versions, queries -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xml", "json", "xcal"])
def test_schedule_with_its_etag_answers_304_with_one_query(client, kind, django_assert_num_queries):
    event, _sessions = two_day_event()
    first = client.get(url(event, kind))

    with django_assert_num_queries(1):
        again = client.get(url(event, kind), headers={"If-None-Match": first["ETag"]})

    assert first["Last-Modified"]
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_schedule_changes_version_when_the_agenda_changes(client):
    event, sessions = two_day_event()
    first = client.get(url(event, "xml"))

    sessions["closing"].title = "Farewell"
    sessions["closing"].save()
    second = client.get(url(event, "xml"), headers={"If-None-Match": first["ETag"]})

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert "Farewell" in xml_events(parse_xml(second.content))
    assert parse_xml(second.content).findtext("version") != parse_xml(first.content).findtext(
        "version"
    )


@pytest.mark.parametrize("kind", ["xml", "json", "xcal"])
@pytest.mark.parametrize("count", [1, 30])
def test_schedule_is_built_with_a_fixed_number_of_queries(
    client, kind, count, django_assert_num_queries
):
    event = EventFactory()
    room = RoomFactory(venue=event.venue)
    track = TrackFactory(event=event)
    for n in range(count):
        session = SessionFactory(
            event=event,
            room=room if n % 2 else None,
            track=track,
            start=event.start + timedelta(minutes=15 * n),
            end=event.start + timedelta(minutes=15 * n + 15),
        )
        SessionSpeakerFactory(session=session)

    # The event, the sessions with rooms and tracks, their speakers.
    with django_assert_num_queries(3):
        response = client.get(url(event, kind))

    assert response.status_code == 200


def test_schedule_is_served_from_cache_with_one_query(client, django_assert_num_queries):
    event, _sessions = two_day_event()
    first = client.get(url(event, "json"))

    with django_assert_num_queries(1):
        again = client.get(url(event, "json"))

    assert again.content == first.content


def test_schedule_is_gzipped_when_accepted(client):
    event, _sessions = two_day_event()
    plain = client.get(url(event, "xml"))

    response = client.get(url(event, "xml"), headers={"Accept-Encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain.content
    assert "Accept-Encoding" in response["Vary"]


def test_schedule_may_be_read_by_apps_on_other_sites(client):
    event, _sessions = two_day_event()

    response = client.get(url(event, "json"))

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"]


# Links --------------------------------------------------------------------------------------------


def test_event_page_links_to_the_schedule_exports(client):
    event = EventFactory()

    body = client.get(event.get_absolute_url()).content.decode()

    for kind in ("xml", "json", "xcal"):
        assert f'href="{url(event, kind)}"' in body


def test_postponed_event_page_offers_no_schedule_exports(client):
    event = EventFactory(status=EventStatus.POSTPONED)

    body = client.get(event.get_absolute_url()).content.decode()

    assert "schedule.xml" not in body


def test_api_docs_name_the_schedule_exports(client):
    response = client.get(reverse("api-schema"), headers={"Accept": "application/json"})

    description = response.json()["info"]["description"]
    for path in ("schedule.xml", "schedule.json", "schedule.xcal"):
        assert f"/events/{{slug}}/{path}" in description
