"""The calendar feeds benchmark's sample data, and its in-process timing of cold builds.

Run by ``bench/calendar_feeds.py`` with the site's environment (``DATABASE_URL``):

- ``build_calendar.py build`` (against the template database, after ``migrate``): a five-day
  hybrid conference of 500 sessions (ten rooms side by side, ten slots a day) with 250
  speakers from 25 organisations, four smaller events, and one subscriber confirmed for all
  five (online at the conference, so their feed carries its join link) with 27 picked
  sessions; 300 other attendees of the conference with 5 picks each. Prints what the feeds must
  show as JSON. Every row is sample data made for the benchmark.
- ``build_calendar.py cold <iterations>`` (against a copy): times, turn by turn, the build of
  the conference's agenda feed as ``agenda.feeds`` does it on a cache miss (its two queries,
  the VEVENTs, the serialising), the same 500 events built and serialised by the icalendar
  package alone, a whole cold request through Django (cache cleared), and the subscriber's
  personal feed. Prints the timings as JSON.
"""

import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from icalendar import Calendar  # noqa: E402
from icalendar import Event as VEvent  # noqa: E402

from agenda import ical  # noqa: E402
from agenda.enums import (  # noqa: E402
    Audience,
    EventFormat,
    EventKind,
    EventStatus,
    SessionKind,
    SpeakerRole,
)
from agenda.feeds import agenda_feed_body  # noqa: E402
from agenda.models import Event, Room, Session, SessionSpeaker, Speaker, Track, Venue  # noqa: E402
from agenda.selectors import feed_sessions, public_event  # noqa: E402
from members.enums import OrganisationType  # noqa: E402
from members.models import Organisation, Person  # noqa: E402
from registrations import calendar  # noqa: E402
from registrations.enums import AttendanceMode, PickStatus, RegistrationStatus  # noqa: E402
from registrations.models import PrivacyNotice, Registration, SessionPick  # noqa: E402

SLUG = "bench-mobility-forum"
SUBSCRIBER_EMAIL = "subscriber@example.org"
BRUSSELS = ZoneInfo("Europe/Brussels")
DAYS = 5
ROOMS = 10
SLOTS = [clock(9, 0), clock(9, 45), clock(10, 30), clock(11, 15), clock(12, 0)]
SLOTS += [clock(14, 0), clock(14, 45), clock(15, 30), clock(16, 15), clock(17, 0)]
OTHER_ATTENDEES = 300
PICKS_EACH = 5

FIRST_NAMES = [
    "Ana", "Jonas", "Élise", "Zoltán", "Agnieszka", "Marco", "Σοφία", "Liam", "Ingrid",
    "Tomás", "Aisha", "Pieter", "Kateřina", "Mehmet", "Йордан", "Laura", "فاطمة", "Chiara",
    "Oluwaseun", "Hanna", "João", "Μαρία", "Lukas", "Dorota", "Andrei",
]  # fmt: skip
LAST_NAMES = [
    "Popescu", "Schmidt", "Fournier", "Kovács", "Nowak", "Bianchi", "Παπαδοπούλου", "O'Connor",
    "Johansson", "García", "Rahman", "de Vries", "Dvořáková", "Yılmaz", "Стефанов",
]  # fmt: skip
TOPICS = [
    "Recognition of foreign qualifications", "Skills shortages in long-term care",
    "Seasonal work in agriculture", "Posting of workers in construction",
    "Digital tools for job matching", "Language training before departure",
    "Ethical recruitment in health care", "Social security coordination",
    "Labour inspections across borders", "Talent partnerships with North Africa",
    "Circular migration schemes", "Employer engagement in SMEs", "Retention of mobile workers",
    "Housing for seasonal workers", "Data on intra-EU mobility", "Diaspora networks as bridges",
    "Vocational training partnerships", "Remote work and mobility", "Fair wages; fair housing",
    "Return and reintegration, in practice",
]  # fmt: skip
ANGLES = [
    "what the evidence shows", "lessons from practice", "the next steps", "a practitioners' clinic",
    "questions from the field",
]  # fmt: skip
TRACKS = ["Skills", "Recruitment", "Partnerships", "Rights and protection", "Data and evidence"]
ABSTRACT = (
    "Practitioners from {countries} countries compare how **{topic}** works on the ground: "
    "which measures reached workers and employers, what stood in the way, and what the network "
    "could take forward; the session ends with questions from the room.\n\n"
    "- short inputs from the speakers, each on one case\n"
    "- discussion with the room, moderated\n"
    "- take-aways for the conference report, agreed at the end\n\n"
    "*Sample data made for the benchmark.*"
)


def local(day, at: clock) -> datetime:
    return datetime.combine(day, at, tzinfo=BRUSSELS)


def make_event(*, slug: str, title: str, days: int, fmt: str, venue, start_day) -> Event:
    online = fmt != EventFormat.IN_PERSON
    return Event.objects.create(
        slug=slug,
        title=f"{title} (benchmark sample)",
        theme="Connecting skills, recruitment and partnerships",
        kind=EventKind.CONFERENCE if days > 1 else EventKind.THEMATIC_MEETING,
        format=fmt,
        timezone="Europe/Brussels",
        start=local(start_day, clock(9, 0)),
        end=local(start_day + timedelta(days=days - 1), clock(18, 0)),
        venue=venue if fmt != EventFormat.ONLINE else None,
        online_url=f"https://meet.example.org/{slug}" if online else "",
        registration_opens=timezone.now() - timedelta(days=10),
        registration_closes=local(start_day - timedelta(days=2), clock(18, 0)),
        audience=Audience.OPEN,
        status=EventStatus.PUBLISHED,
        summary="Plenaries and parallel sessions on labour mobility; sample data.",
        description="Sample data made for the benchmark.",
    )


def add_sessions(event: Event, *, days: int, rooms: list[Room], tracks, speakers) -> list:
    sessions = []
    number = 0
    for day_index in range(days):
        day = event.local(event.start).date() + timedelta(days=day_index)
        for at in SLOTS:
            for lane, room in enumerate(rooms):
                topic = TOPICS[number % len(TOPICS)]
                angle = ANGLES[(number // len(TOPICS)) % len(ANGLES)]
                begins = local(day, at)
                sessions.append(
                    Session(
                        event=event,
                        title=f"{topic}: {angle} ({number + 1})",
                        abstract=ABSTRACT.format(countries=6 + lane, topic=topic),
                        kind=SessionKind.PANEL if lane % 2 else SessionKind.WORKSHOP,
                        track=tracks[lane % len(tracks)] if tracks else None,
                        room=room,
                        start=begins,
                        end=begins + timedelta(minutes=40),
                    )
                )
                number += 1
    sessions = Session.objects.bulk_create(sessions)
    appearances = []
    for index, session in enumerate(sessions):
        for position in range(2 + index % 2):
            speaker = speakers[(index * 3 + position) % len(speakers)]
            role = SpeakerRole.MODERATOR if position == 0 else SpeakerRole.SPEAKER
            appearances.append(
                SessionSpeaker(session=session, speaker=speaker, role=role, position=position)
            )
    SessionSpeaker.objects.bulk_create(appearances)
    return sessions


def register(person, event, mode, notice, now) -> Registration:
    return Registration(
        event=event,
        person=person,
        status=RegistrationStatus.CONFIRMED,
        mode=mode,
        privacy_notice=notice,
        privacy_accepted_at=now,
    )


@transaction.atomic
def build() -> dict:
    now = timezone.now()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Benchmark organisation {n}, labour mobility",
            type=OrganisationType.NGO,
            country="BE",
        )
        for n in range(1, 26)
    )
    speakers = Speaker.objects.bulk_create(
        Speaker(
            slug=f"bench-calendar-speaker-{n}",
            name=f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n % len(LAST_NAMES)]} {n}",
            organisation=organisations[n % len(organisations)],
            job_title="Policy officer",
        )
        for n in range(250)
    )
    venue = Venue.objects.create(
        name="Square Brussels Meeting Centre",
        address="Rue Mont des Arts",
        postal_code="1000",
        city="Brussels",
        country="BE",
        latitude="50.843200",
        longitude="4.356700",
    )
    rooms = [Room.objects.create(venue=venue, name=f"Room {n}", capacity=80) for n in range(ROOMS)]
    first_day = timezone.localdate(timezone=BRUSSELS) + timedelta(days=60)
    forum = make_event(
        slug=SLUG,
        title="Labour Mobility Forum",
        days=DAYS,
        fmt=EventFormat.HYBRID,
        venue=venue,
        start_day=first_day,
    )
    tracks = [
        Track.objects.create(event=forum, name=name, colour="#1f4e79", position=position)
        for position, name in enumerate(TRACKS, start=1)
    ]
    sessions = add_sessions(forum, days=DAYS, rooms=rooms, tracks=tracks, speakers=speakers)

    # The subscriber's other events: two with sessions, one webinar, one without sessions.
    others = []
    for n, fmt in enumerate(
        [EventFormat.IN_PERSON, EventFormat.ONLINE, EventFormat.HYBRID, EventFormat.IN_PERSON]
    ):
        event = make_event(
            slug=f"bench-calendar-event-{n + 1}",
            title=f"Thematic meeting {n + 1}",
            days=1,
            fmt=fmt,
            venue=venue,
            start_day=first_day + timedelta(days=14 * (n + 1)),
        )
        event_sessions_made = []
        if n < 3:
            event_sessions_made = add_sessions(
                event, days=1, rooms=rooms[:1], tracks=[], speakers=speakers
            )
        others.append((event, event_sessions_made))

    notice = PrivacyNotice.objects.create(
        version="bench-calendar-1", text="Sample privacy notice made for the benchmark."
    )
    subscriber = Person.objects.create(
        email=SUBSCRIBER_EMAIL, first_name="Σοφία", last_name="Subscriber"
    )
    modes = [AttendanceMode.IN_PERSON, AttendanceMode.ONLINE, AttendanceMode.IN_PERSON]
    modes.append(AttendanceMode.IN_PERSON)
    registrations = Registration.objects.bulk_create(
        [register(subscriber, forum, AttendanceMode.ONLINE, notice, now)]
        + [
            register(subscriber, event, mode, notice, now)
            for (event, _), mode in zip(others, modes, strict=True)
        ]
    )
    picks = [
        SessionPick(registration=registrations[0], session=session, status=PickStatus.CONFIRMED)
        for session in sessions[7::33]
    ]
    for registration, (_, event_sessions_made) in zip(registrations[1:], others, strict=True):
        picks += [
            SessionPick(registration=registration, session=session, status=PickStatus.CONFIRMED)
            for session in event_sessions_made[:4]
        ]
    SessionPick.objects.bulk_create(picks)

    people = Person.objects.bulk_create(
        Person(email=f"attendee-{n}@example.org", first_name="Forum", last_name=f"Attendee {n}")
        for n in range(OTHER_ATTENDEES)
    )
    crowd = Registration.objects.bulk_create(
        register(person, forum, AttendanceMode.IN_PERSON, notice, now) for person in people
    )
    SessionPick.objects.bulk_create(
        SessionPick(
            registration=registration,
            session=sessions[(n * 17 + k * 101) % len(sessions)],
            status=PickStatus.CONFIRMED,
        )
        for n, registration in enumerate(crowd)
        for k in range(PICKS_EACH)
    )

    subscriber.refresh_from_db()
    return {
        "slug": forum.slug,
        "path": reverse("agenda:event-calendar", kwargs={"slug": forum.slug}),
        "online_url": forum.online_url,
        "sessions": len(sessions),
        "session_uids": sorted(ical.session_uid(session) for session in sessions),
        "appearances": SessionSpeaker.objects.filter(session__event=forum).count(),
        "personal_path": reverse(
            "registrations:personal-calendar", kwargs={"token": subscriber.calendar_token}
        ),
        "personal_events": len(registrations),
        "personal_picks": len(picks),
        "personal_online_urls": sorted(
            {r.event.online_url for r in registrations if r.mode == AttendanceMode.ONLINE}
        ),
    }


# ----------------------------------------------------------------------------------------------
# Cold builds, in-process


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# The fields the measure of the icalendar package alone builds, and the others each
# VEVENT of the agenda feed carries.
ALONE_FIELDS = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION")
MORE_FIELDS = ("SEQUENCE", "STATUS", "URL", "CATEGORIES", "RELATED-TO", "GEO")


def plain_value(component, name: str):
    """A property as the value a program would pass to ``add``: datetimes, numbers, text."""
    if name in ("DTSTART", "DTEND", "DTSTAMP", "GEO"):
        return component.decoded(name)
    if name == "SEQUENCE":
        return int(component.decoded(name))
    if name == "CATEGORIES":
        return [str(category) for category in component[name].cats]
    return str(component[name])


def feed_fields(body: bytes, names: tuple[str, ...]) -> list[dict]:
    """The values the icalendar-alone build writes, read back from the site's own feed."""
    return [
        {name: plain_value(component, name) for name in names if name in component}
        for component in Calendar.from_ical(body).walk("VEVENT")
    ]


def icalendar_alone(rows: list[dict]) -> bytes:
    """The same events built and serialised with the icalendar package and nothing else."""
    feed = Calendar()
    feed.add("PRODID", "-//benchmark//icalendar alone//EN")
    feed.add("VERSION", "2.0")
    for row in rows:
        component = VEvent()
        for name, value in row.items():
            component.add(name, value)
        feed.add_component(component)
    feed.add_missing_timezones()
    return feed.to_ical()


def cold(iterations: int) -> dict:
    event = public_event(slug=SLUG)
    subscriber = Person.objects.get(email=SUBSCRIBER_EMAIL)
    pages = caches["pages"]
    client = Client(SERVER_NAME="127.0.0.1")
    path = reverse("agenda:event-calendar", kwargs={"slug": SLUG})

    def site_build() -> bytes:
        # What agenda.feeds.event_calendar's build() does on a miss.
        return agenda_feed_body(event)

    def request() -> None:
        pages.clear()
        answer = client.get(path)
        assert answer.status_code == 200, answer.status_code

    # The first build of a process also makes the VTIMEZONE (then kept) and loads translations.
    first = {
        "agenda": seconds(site_build),
        "personal": seconds(lambda: calendar.personal_feed(subscriber)),
    }
    body = site_build()
    rows = feed_fields(body, ALONE_FIELDS)
    rows_all = feed_fields(body, ALONE_FIELDS + MORE_FIELDS)
    alone_body = icalendar_alone(rows)
    alone_all_body = icalendar_alone(rows_all)
    sessions = feed_sessions(event=event)
    timings = {name: [] for name in ("agenda", "queries", "ical", "alone", "request", "personal")}
    timings["version"] = []
    timings["alone_all"] = []
    for _ in range(iterations):
        timings["agenda"].append(seconds(site_build))
        timings["alone"].append(seconds(lambda: icalendar_alone(rows)))
        timings["alone_all"].append(seconds(lambda: icalendar_alone(rows_all)))
        timings["queries"].append(seconds(lambda: feed_sessions(event=event)))
        timings["ical"].append(
            seconds(lambda: ical.agenda_feed(event, sessions, stamp=event.updated_at))
        )
        timings["request"].append(seconds(request))
        timings["personal"].append(seconds(lambda: calendar.personal_feed(subscriber)))
        timings["version"].append(seconds(lambda: calendar.personal_feed_version(subscriber)))

    def queries(action) -> int:
        # Counted at once: the next request through the test client empties the log.
        with CaptureQueriesContext(connection) as captured:
            action()
        return len(captured)

    pages.clear()
    etag = client.get(path)["ETag"]
    counts = {
        "agenda_build": queries(site_build),
        "personal_build": queries(lambda: calendar.personal_feed(subscriber)),
        "personal_version": queries(lambda: calendar.personal_feed_version(subscriber)),
        "agenda_304_request": queries(lambda: client.get(path, HTTP_IF_NONE_MATCH=etag)),
    }
    answer = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 304, answer.status_code
    return {
        "iterations": iterations,
        "first_ms": {name: value * 1000 for name, value in first.items()},
        "median_ms": {name: statistics.median(v) * 1000 for name, v in timings.items()},
        "ms": {name: [round(value * 1000, 2) for value in v] for name, v in timings.items()},
        "agenda_bytes": len(body),
        "alone_bytes": len(alone_body),
        "alone_all_bytes": len(alone_all_body),
        "agenda_vevents": len(rows),
        "queries": counts,
    }


if __name__ == "__main__":
    made = build() if sys.argv[1] == "build" else cold(int(sys.argv[2]))
    json.dump(made, sys.stdout, ensure_ascii=False)
