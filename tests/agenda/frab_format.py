"""The rules of frab's schedule format, as the published schemas of schedule.xml and its JSON
form state them, written out as assertions (the schemas themselves are not shipped here).

``check_schedule_xml`` follows the XML schema: required elements, the patterns of times,
durations, GUIDs and addresses, and the uniqueness of GUIDs, ids, slugs and day indexes.
``check_schedule_json`` follows the JSON schema pretalx's export answers to.
"""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

DATE_TIME_TZ = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{1,2}:\d{2})$")
DURATION = re.compile(r"^([0-9]{1,2}:[0-9]{2})$|^([0-9]{1,2}:[0-9]{2}:[0-9]{1,2})$")
START = re.compile(r"^([0-2][0-9]:[0-5][0-9])$|^([0-2][0-9]:[0-5][0-9]:[0-5][0-9])$")
UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
HTTP_URI = re.compile(r"^https?://\S+$")
JSON_DURATION = re.compile(r"^[0-9]+:[0-9]{2}$")

CONFERENCE_REQUIRED = {"title", "acronym"}
CONFERENCE_ALLOWED = CONFERENCE_REQUIRED | {
    "start",
    "end",
    "days",
    "timeslot_duration",
    "base_url",
    "time_zone_name",
}
EVENT_REQUIRED = {
    "room",
    "title",
    "subtitle",
    "type",
    "date",
    "start",
    "duration",
    "abstract",
    "slug",
    "track",
}
EVENT_ALLOWED = EVENT_REQUIRED | {
    "logo",
    "persons",
    "language",
    "description",
    "recording",
    "links",
    "attachments",
    "video_download_url",
    "url",
}

JSON_CONFERENCE_REQUIRED = {
    "title",
    "acronym",
    "days",
    "daysCount",
    "start",
    "end",
    "timeslot_duration",
}
JSON_CONFERENCE_ALLOWED = JSON_CONFERENCE_REQUIRED | {
    "description",
    "time_zone_name",
    "logo",
    "colors",
    "keywords",
    "url",
    "tracks",
    "rooms",
    "meta",
}
JSON_DAY_KEYS = {"index", "date", "day_start", "day_end", "rooms"}
JSON_EVENT_REQUIRED = {
    "abstract",
    "date",
    "duration",
    "guid",
    "id",
    "language",
    "links",
    "persons",
    "room",
    "slug",
    "start",
    "subtitle",
    "title",
    "track",
    "type",
    "url",
}
JSON_EVENT_ALLOWED = JSON_EVENT_REQUIRED | {
    "logo",
    "description",
    "recording_license",
    "do_not_record",
    "do_not_stream",
    "attachments",
    "answers",
}
JSON_ROOM_ALLOWED = {"name", "guid", "description", "capacity"}
JSON_SLUG = re.compile(r"^[a-z0-9_-]+[a-z0-9]$")


def parse_xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - the site's own output


def _tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def _positive_int(text: str | None) -> int:
    assert text is not None and text.isdigit() and int(text) > 0, text
    return int(text)


def check_schedule_xml(root: ET.Element) -> None:
    assert root.tag == "schedule"
    tags = _tags(root)
    # A sequence: generator (optional), version, conference, then one day or more.
    if tags[0] == "generator":
        assert set(root[0].attrib) <= {"name", "version"}
        tags = tags[1:]
    assert tags[:2] == ["version", "conference"]
    assert len(tags) > 2 and set(tags[2:]) == {"day"}

    conference = root.find("conference")
    conference_tags = _tags(conference)
    assert len(conference_tags) == len(set(conference_tags)), conference_tags
    assert CONFERENCE_REQUIRED <= set(conference_tags) <= CONFERENCE_ALLOWED
    for name in ("start", "end"):
        if conference.find(name) is not None:
            date.fromisoformat(conference.findtext(name))
    if conference.find("days") is not None:
        int(conference.findtext("days"))
    if conference.find("timeslot_duration") is not None:
        assert DURATION.match(conference.findtext("timeslot_duration"))
    if conference.find("base_url") is not None:
        assert HTTP_URI.match(conference.findtext("base_url"))

    guids, ids, slugs, indexes = [], [], [], []
    for day in root.findall("day"):
        assert set(day.attrib) <= {"date", "start", "end", "index"}
        date.fromisoformat(day.get("date"))
        for name in ("start", "end"):
            assert DATE_TIME_TZ.match(day.get(name)), day.get(name)
        indexes.append(_positive_int(day.get("index")))
        assert set(_tags(day)) <= {"room"}
        for room in day:
            assert set(room.attrib) <= {"name"}
            assert set(_tags(room)) <= {"event"}
            for event in room:
                assert set(event.attrib) == {"id", "guid"}
                ids.append(_positive_int(event.get("id")))
                assert UUID.match(event.get("guid"))
                guids.append(event.get("guid"))
                event_tags = _tags(event)
                assert len(event_tags) == len(set(event_tags)), event_tags
                assert EVENT_REQUIRED <= set(event_tags) <= EVENT_ALLOWED, event_tags
                assert DATE_TIME_TZ.match(event.findtext("date"))
                assert START.match(event.findtext("start"))
                assert DURATION.match(event.findtext("duration"))
                if event.find("url") is not None:
                    assert HTTP_URI.match(event.findtext("url"))
                slugs.append(event.findtext("slug"))
                for person in event.findall("persons/person"):
                    assert set(person.attrib) <= {"id"}
                    if "id" in person.attrib:
                        _positive_int(person.get("id"))
                for link in [*event.findall("links/link"), *event.findall("attachments/*")]:
                    assert set(link.attrib) <= {"href"}
    for values in (guids, ids, slugs, indexes):
        assert len(values) == len(set(values)), values


def check_schedule_json(data: dict) -> None:
    assert set(data) <= {"schedule", "$schema", "generator"}
    schedule = data["schedule"]
    assert {"conference", "version"} <= set(schedule)
    assert "rooms" not in schedule
    assert isinstance(schedule["version"], str)
    conference = schedule["conference"]
    assert JSON_CONFERENCE_REQUIRED <= set(conference) <= JSON_CONFERENCE_ALLOWED
    date.fromisoformat(conference["start"])
    date.fromisoformat(conference["end"])
    assert isinstance(conference["daysCount"], int)
    for room in conference.get("rooms", []):
        assert {"guid", "name"} <= set(room) <= JSON_ROOM_ALLOWED
        assert UUID.match(room["guid"])
    guids, ids = [], []
    for day in conference["days"]:
        assert set(day) == JSON_DAY_KEYS
        assert isinstance(day["index"], int)
        date.fromisoformat(day["date"])
        datetime.fromisoformat(day["day_start"])
        datetime.fromisoformat(day["day_end"])
        assert isinstance(day["rooms"], dict)
        for talks in day["rooms"].values():
            assert isinstance(talks, list)
            for talk in talks:
                assert JSON_EVENT_REQUIRED <= set(talk) <= JSON_EVENT_ALLOWED, set(talk)
                assert isinstance(talk["id"], int) and talk["id"] >= 1
                assert UUID.match(talk["guid"])
                guids.append(talk["guid"])
                ids.append(talk["id"])
                assert DATE_TIME_TZ.match(talk["date"])
                assert JSON_DURATION.match(talk["duration"])
                assert JSON_SLUG.match(talk["slug"]), talk["slug"]
                assert isinstance(talk["persons"], list)
                for person in talk["persons"]:
                    # Exactly one of the two person shapes: pretalx's (with a name) or frab's
                    # (with id and public_name).
                    frab_shaped = {"id", "public_name"} <= set(person)
                    pretalx_shaped = "name" in person
                    assert frab_shaped != pretalx_shaped, person
                    if "guid" in person:
                        assert UUID.match(person["guid"])
                assert isinstance(talk["links"], list)
    assert len(guids) == len(set(guids))
    assert len(ids) == len(set(ids))
