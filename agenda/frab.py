"""An event's agenda in the schedule format of frab, which pretalx also writes and which the
conference apps read (EventFahrplan, Giggity, Confclerk, info-beamer and the recording tools
built on them): ``schedule.xml`` and its JSON form.

The format groups talks by day, then by room. Here a talk is a session; a session without a room
is placed in the event's venue (or "Online" for an online event), because the format has no
talk outside a room and apps would otherwise drop it. Days run from midnight to midnight in the
event's time zone (clipped to the event's own start and end); every day of the event is listed,
even one without sessions, so that the day count matches the event.

Identifiers are stable across exports and deployments of the same site: a session's ``guid`` is
a UUID 5 of the site's address and the session's id, so an app that stored a favourite finds it
again after the schedule changes. ``version`` changes whenever anything in the file does.

Only public data: titles, abstracts, rooms and tracks, and each speaker's public name,
biography, photo and page, as the event's pages show them.
"""

import json
import math
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import reduce

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .enums import SessionKind
from .ical import absolute_url, session_pages
from .models import Event, Session, Speaker, Track

GENERATOR = "eventsite"
# The grid apps draw when the sessions give no finer one.
DEFAULT_TIMESLOT_MINUTES = 15


# --- identifiers ---------------------------------------------------------------------------------


def site_namespace() -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL)


def session_guid(session_id: int) -> str:
    return str(uuid.uuid5(site_namespace(), f"session/{session_id}"))


def speaker_guid(speaker_id: int) -> str:
    return str(uuid.uuid5(site_namespace(), f"speaker/{speaker_id}"))


def room_guid(event: Event, room_name: str, room_id: int | None) -> str:
    key = f"room/{room_id}" if room_id is not None else f"event/{event.pk}/place/{room_name}"
    return str(uuid.uuid5(site_namespace(), key))


def session_slug(event: Event, session: Session) -> str:
    """``<event>-<id>-<title>``, lower case, unique within the site, at most 100 characters."""
    slug = f"{event.slug}-{session.pk}-{slugify(session.title)}".lower()[:100]
    return slug.rstrip("-_")


# --- times ---------------------------------------------------------------------------------------


def hours_minutes(duration: timedelta) -> str:
    """``HH:MM``; hours go past 24 for a session that long, as the format allows."""
    minutes = max(int(duration.total_seconds() // 60), 0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def timeslot_minutes(sessions: list[Session], event: Event) -> int:
    """The largest grid (in minutes, at most an hour) on which every session starts and ends."""
    steps = []
    for session in sessions:
        steps.append(event.local(session.start).minute)
        steps.append(int((session.end - session.start).total_seconds() // 60))
    step = reduce(math.gcd, steps, 0)
    # A divisor of the hour, so that the grid also fits every full hour.
    return math.gcd(step, 60) if step else DEFAULT_TIMESLOT_MINUTES


def last_day(event: Event) -> date:
    """The event's last local date; an event ending at midnight ends the day before."""
    end = event.local(event.end)
    if end.time() == datetime.min.time() and end > event.local(event.start):
        return (end - timedelta(microseconds=1)).date()
    return end.date()


def _midnight(day: date, event: Event) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=event.tzinfo)


# --- the schedule, shared by both forms ----------------------------------------------------------


@dataclass
class Place:
    name: str
    guid: str
    capacity: int | None


@dataclass
class Talk:
    session: Session
    place: Place


@dataclass
class Day:
    index: int
    date: date
    start: datetime
    end: datetime
    rooms: dict[str, list[Talk]] = field(default_factory=dict)


@dataclass
class Schedule:
    event: Event
    version: str
    days: list[Day]
    places: list[Place]
    tracks: list[Track]
    timeslot: int
    kinds: dict[str, str]
    session_url: Callable[[int], str]
    speaker_url: Callable[[str], str]


def build_schedule(event: Event, sessions: list[Session]) -> Schedule:
    """Sessions (with room, track and appearances with speakers, as
    ``agenda.selectors.event_sessions`` gives them) arranged by day and room."""
    fallback = event.venue.name if event.venue is not None and event.has_in_person else _("Online")
    places: dict[tuple, Place] = {}
    first, final = event.local(event.start).date(), last_day(event)
    days = []
    for offset in range((final - first).days + 1):
        day = first + timedelta(days=offset)
        start = max(_midnight(day, event), event.local(event.start))
        end = min(_midnight(day + timedelta(days=1), event), event.local(event.end))
        days.append(Day(index=offset + 1, date=day, start=start, end=end))
    by_date = {day.date: day for day in days}
    tracks = {}
    for session in sessions:
        if session.room_id:
            key = ("room", session.room_id)
            if key not in places:
                places[key] = Place(
                    name=session.room.name,
                    guid=room_guid(event, session.room.name, session.room_id),
                    capacity=session.room.capacity,
                )
        else:
            key = ("fallback",)
            if key not in places:
                places[key] = Place(
                    name=fallback, guid=room_guid(event, fallback, None), capacity=None
                )
        place = places[key]
        if session.track_id:
            tracks.setdefault(session.track_id, session.track)
        day = by_date.get(event.local(session.start).date())
        if day is None:  # a session outside its event, which validation prevents
            continue
        day.rooms.setdefault(place.name, []).append(Talk(session=session, place=place))
    ordered = sorted(places.values(), key=lambda place: place.name.casefold())
    for day in days:
        day.rooms = {
            place.name: day.rooms[place.name] for place in ordered if place.name in day.rooms
        }
    marker = 918273645  # any id: its digits are swapped for each speaker's slug
    speaker_path = reverse("agenda:speaker", kwargs={"slug": f"s{marker}"})
    speaker_prefix, speaker_suffix = absolute_url(speaker_path).split(f"s{marker}")
    return Schedule(
        event=event,
        version=event.updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        days=days,
        places=ordered,
        tracks=sorted(tracks.values(), key=lambda track: (track.position, track.name)),
        timeslot=timeslot_minutes(sessions, event),
        kinds={value: str(label) for value, label in SessionKind.choices},
        session_url=session_pages(event),
        speaker_url=lambda slug: f"{speaker_prefix}{slug}{speaker_suffix}",
    )


def _speakers(session: Session) -> list[Speaker]:
    return [appearance.speaker for appearance in session.appearances.all()]


def _talk_fields(schedule: Schedule, talk: Talk) -> dict:
    """What both forms say of one session, under the format's names."""
    event, session = schedule.event, talk.session
    start = event.local(session.start)
    return {
        "guid": session_guid(session.pk),
        "id": session.pk,
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "duration": hours_minutes(session.end - session.start),
        "room": talk.place.name,
        "slug": session_slug(event, session),
        "url": schedule.session_url(session.pk),
        "title": session.title,
        "subtitle": "",
        "track": session.track.name if session.track_id else None,
        "type": schedule.kinds.get(session.kind, session.kind),
        # Sessions carry no language of their own; saying one would be a guess.
        "language": "",
        "abstract": session.abstract,
        "description": "",
    }


# --- schedule.xml --------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = "", **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: str(value) for key, value in attributes.items()})
    element.text = text or ""
    return element


def schedule_xml(event: Event, sessions: list[Session]) -> bytes:
    """``/events/<slug>/schedule.xml``: the frab ``schedule.xml`` of the event."""
    schedule = build_schedule(event, sessions)
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": GENERATOR})
    _sub(root, "version", schedule.version)
    conference = ET.SubElement(root, "conference")
    _sub(conference, "acronym", event.slug)
    _sub(conference, "title", event.title)
    _sub(conference, "start", schedule.days[0].date.isoformat())
    _sub(conference, "end", schedule.days[-1].date.isoformat())
    _sub(conference, "days", str(len(schedule.days)))
    _sub(conference, "timeslot_duration", hours_minutes(timedelta(minutes=schedule.timeslot)))
    _sub(conference, "base_url", settings.SITE_URL + "/")
    _sub(conference, "time_zone_name", event.timezone)
    for day in schedule.days:
        day_element = ET.SubElement(
            root,
            "day",
            {
                "index": str(day.index),
                "date": day.date.isoformat(),
                "start": day.start.isoformat(),
                "end": day.end.isoformat(),
            },
        )
        for room_name, talks in day.rooms.items():
            room_element = ET.SubElement(day_element, "room", {"name": room_name})
            for talk in talks:
                fields = _talk_fields(schedule, talk)
                element = ET.SubElement(
                    room_element, "event", {"guid": fields["guid"], "id": str(fields["id"])}
                )
                for name in ("date", "start", "duration", "room", "slug", "url", "title"):
                    _sub(element, name, fields[name])
                for name in ("subtitle", "track", "type", "language", "abstract", "description"):
                    _sub(element, name, fields[name])
                persons = ET.SubElement(element, "persons")
                for speaker in _speakers(talk.session):
                    _sub(persons, "person", speaker.name, id=speaker.pk)
                ET.SubElement(element, "links")
                ET.SubElement(element, "attachments")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- schedule.json -------------------------------------------------------------------------------


def _person(schedule: Schedule, speaker: Speaker) -> dict:
    person = {
        "guid": speaker_guid(speaker.pk),
        "name": speaker.name,
        # The older name of the same field, which some apps still read.
        "public_name": speaker.name,
        "biography": speaker.bio,
        "url": schedule.speaker_url(speaker.slug),
    }
    if speaker.photo:
        url = speaker.photo.url
        # A storage of its own (a CDN) gives full addresses; the site's own gives paths.
        person["avatar"] = url if url.startswith(("https://", "http://")) else absolute_url(url)
    return person


def schedule_dict(event: Event, sessions: list[Session]) -> dict:
    schedule = build_schedule(event, sessions)
    days = []
    for day in schedule.days:
        rooms = {}
        for room_name, talks in day.rooms.items():
            rooms[room_name] = [
                {
                    **_talk_fields(schedule, talk),
                    "persons": [_person(schedule, s) for s in _speakers(talk.session)],
                    "links": [],
                    "attachments": [],
                }
                for talk in talks
            ]
        days.append(
            {
                "index": day.index,
                "date": day.date.isoformat(),
                "day_start": day.start.isoformat(),
                "day_end": day.end.isoformat(),
                "rooms": rooms,
            }
        )
    return {
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": schedule.version,
            "base_url": settings.SITE_URL + "/",
            "url": absolute_url(event.get_absolute_url()),
            "conference": {
                "acronym": event.slug,
                "title": event.title,
                "start": schedule.days[0].date.isoformat(),
                "end": schedule.days[-1].date.isoformat(),
                "daysCount": len(schedule.days),
                "timeslot_duration": hours_minutes(timedelta(minutes=schedule.timeslot)),
                "time_zone_name": event.timezone,
                "url": absolute_url(event.get_absolute_url()),
                "rooms": [
                    {"name": place.name, "guid": place.guid, "capacity": place.capacity}
                    for place in schedule.places
                ],
                "tracks": [
                    {"name": track.name, "slug": slugify(track.name), "color": track.colour}
                    for track in schedule.tracks
                ],
                "days": days,
            },
        },
    }


def schedule_json(event: Event, sessions: list[Session]) -> bytes:
    """``/events/<slug>/schedule.json``: the same schedule in frab's (and pretalx's) JSON."""
    return json.dumps(schedule_dict(event, sessions), ensure_ascii=False, indent=1).encode()
