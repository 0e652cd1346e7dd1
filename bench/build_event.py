"""Build the benchmark's event: a two-day hybrid conference of 60 sessions and 40 speakers.

Run by ``bench/event_page.py`` against the template database (``DATABASE_URL``) after
``migrate``; prints what the event page must show as JSON, so each run can check the page.
Every row is sample data made for the benchmark, marked as such in the event's title.
"""

import io
import json
import os
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from agenda.enums import (  # noqa: E402
    Audience,
    EventFormat,
    EventKind,
    EventStatus,
    SessionKind,
    SpeakerRole,
)
from agenda.models import (  # noqa: E402
    Document,
    Event,
    Photo,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from members.enums import OrganisationType  # noqa: E402
from members.models import Organisation  # noqa: E402

SLUG = "bench-practitioners-conference"
BRUSSELS = ZoneInfo("Europe/Brussels")

ORGANISATIONS = [
    ("European Labour Authority", OrganisationType.EU_INSTITUTION, "SK"),
    ("DG Employment, European Commission", OrganisationType.EU_INSTITUTION, "BE"),
    ("Federal Employment Agency", OrganisationType.NATIONAL_AUTHORITY, "DE"),
    ("Ministry of Labour and Social Policy", OrganisationType.NATIONAL_AUTHORITY, "PL"),
    ("Public Employment Service", OrganisationType.NATIONAL_AUTHORITY, "PT"),
    ("International Labour Organization", OrganisationType.INTERNATIONAL_ORGANISATION, "CH"),
    ("International Organization for Migration", OrganisationType.INTERNATIONAL_ORGANISATION, "BE"),
    ("OECD Directorate for Employment", OrganisationType.INTERNATIONAL_ORGANISATION, "FR"),
    ("Fair Work Network", OrganisationType.NGO, "NL"),
    ("Migration Policy Institute Europe", OrganisationType.THINK_TANK_ACADEMIA, "BE"),
    ("University of Leuven, Centre for Migration", OrganisationType.THINK_TANK_ACADEMIA, "BE"),
    ("European Trade Union Confederation", OrganisationType.TRADE_UNION, "BE"),
    ("Federation of Care Employers", OrganisationType.EMPLOYERS_PRIVATE_SECTOR, "IT"),
    ("Romanian Diaspora Forum", OrganisationType.DIASPORA_ORGANISATION, "RO"),
    ("Migrant Workers' Association", OrganisationType.MIGRANT_ASSOCIATION, "ES"),
    ("Foundation for Skills Mobility", OrganisationType.FOUNDATION, "SE"),
]

SPEAKERS = [
    "Ana Popescu",
    "Jonas Schmidt",
    "Élise Fournier",
    "Zoltán Kovács",
    "Agnieszka Nowak",
    "Marco Bianchi",
    "Sofia Papadopoulou",
    "Liam O'Connor",
    "Ingrid Johansson",
    "Tomás García",
    "Aisha Rahman",
    "Pieter de Vries",
    "Kateřina Dvořáková",
    "Mehmet Yılmaz",
    "Laura Martínez",
    "Nikolai Ivanov",
    "Chiara Rossi",
    "Oluwaseun Adeyemi",
    "Hanna Virtanen",
    "João Silva",
    "Maria Georgiou",
    "Lukas Weber",
    "Fatima El Amrani",
    "Dorota Wiśniewska",
    "Andrei Ionescu",
    "Claire Dubois",
    "Stefan Novak",
    "Ewa Kamińska",
    "Rui Costa",
    "Mira Horvat",
    "David Levy",
    "Greta Lindqvist",
    "Samir Haddad",
    "Irene Conti",
    "Petra Kovačić",
    "Olivier Lambert",
    "Tamara Petrović",
    "Henrik Nielsen",
    "Lucía Fernández",
    "Yusuf Demir",
]

TRACKS = [
    ("Skills and recognition", "#1f4e79"),
    ("Fair recruitment and mobility", "#7a3b00"),
    ("Talent partnerships", "#2e5e1e"),
]

TOPICS = [
    "Recognition of foreign qualifications",
    "Skills shortages in long-term care",
    "Seasonal work in agriculture",
    "Posting of workers in construction",
    "Digital tools for job matching",
    "Language training before departure",
    "Ethical recruitment in health care",
    "Social security coordination",
    "Labour inspections across borders",
    "Talent partnerships with North Africa",
    "Circular migration schemes",
    "Employer engagement in SMEs",
    "Retention of mobile workers",
    "Housing for seasonal workers",
    "Data on intra-EU mobility",
    "Diaspora networks as bridges",
    "Vocational training partnerships",
    "Remote work and mobility",
]
ANGLES = ["what the evidence shows", "lessons from practice", "the next steps"]

ABSTRACT = (
    "Practitioners from {org_count} countries compare how **{topic}** works on the ground: "
    "which measures reached workers and employers, what stood in the way, and what the network "
    "could take forward.\n\n"
    "- short inputs from the speakers\n- discussion with the room\n- take-aways for the report\n\n"
    "*Sample data made for the benchmark.*"
)
BIO = (
    "{name} works on labour mobility at {org}, with a focus on skills, recognition and fair "
    "recruitment. Previously with a public employment service and a research centre. "
    "*Sample data made for the benchmark.*"
)
DESCRIPTION = """The network's annual conference brings together practitioners from EU and
national authorities, international organisations, social partners, civil society and research.

## What to expect
- two days of plenaries and three parallel tracks
- time to meet practitioners working on the same questions
- a report of the conclusions, shared with all members

*Sample data made for the benchmark: the speakers and organisations are invented.*
"""

# Parallel slots of each day (local times), 40 minutes each, three tracks side by side.
PARALLEL_STARTS = [
    time(9, 30),
    time(10, 15),
    time(11, 0),
    time(11, 45),
    time(13, 30),
    time(14, 15),
    time(15, 0),
    time(15, 45),
    time(16, 30),
]
PARALLEL_KINDS = [SessionKind.PANEL, SessionKind.WORKSHOP, SessionKind.BREAKOUT]


def local(day, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=BRUSSELS)


def jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


class SpeakerPicker:
    """Hands out speakers in turn, so the sessions of one slot never share a speaker."""

    def __init__(self, speakers: list[Speaker]) -> None:
        self.speakers = speakers
        self.next = 0

    def take(self, count: int) -> list[Speaker]:
        taken = [self.speakers[(self.next + i) % len(self.speakers)] for i in range(count)]
        self.next += count
        return taken


def appear(session: Session, speakers: list[Speaker], first_role: str) -> None:
    for position, speaker in enumerate(speakers):
        role = first_role if position == 0 else SpeakerRole.SPEAKER
        SessionSpeaker.objects.create(
            session=session, speaker=speaker, role=role, position=position
        )


@transaction.atomic
def build() -> dict:
    organisations = [
        Organisation.objects.create(name=name, type=kind, country=country)
        for name, kind, country in ORGANISATIONS
    ]
    speakers = []
    for index, name in enumerate(SPEAKERS):
        organisation = organisations[index % len(organisations)]
        speakers.append(
            Speaker.objects.create(
                slug=f"bench-speaker-{index + 1:02d}",
                name=name,
                organisation=organisation,
                job_title="Policy officer" if index % 2 else "Head of unit",
                bio=BIO.format(name=name, org=organisation.name),
            )
        )

    venue = Venue.objects.create(
        name="Square Brussels Meeting Centre",
        address="Rue Mont des Arts",
        postal_code="1000",
        city="Brussels",
        country="BE",
        map_url="https://www.openstreetmap.org/#map=18/50.8432/4.3567",
    )
    plenary_hall = Room.objects.create(venue=venue, name="Plenary hall", capacity=400)
    rooms = [
        Room.objects.create(venue=venue, name=f"Room {letter}", capacity=80) for letter in "ABC"
    ]

    today = timezone.localdate(timezone=BRUSSELS)
    first_day = today + timedelta(days=60)
    second_day = first_day + timedelta(days=1)
    event = Event.objects.create(
        slug=SLUG,
        title="Annual Practitioners' Conference (benchmark sample)",
        theme="Connecting skills, recruitment and partnerships",
        kind=EventKind.CONFERENCE,
        format=EventFormat.HYBRID,
        timezone="Europe/Brussels",
        start=local(first_day, time(9, 0)),
        end=local(second_day, time(18, 0)),
        venue=venue,
        online_url="https://meet.example.org/bench-conference",
        capacity_in_person=300,
        capacity_online=500,
        registration_opens=timezone.now() - timedelta(days=10),
        registration_closes=local(first_day - timedelta(days=2), time(18, 0)),
        audience=Audience.OPEN,
        status=EventStatus.PUBLISHED,
        summary="Two days of plenaries and three parallel tracks on labour mobility.",
        description=DESCRIPTION,
    )
    tracks = [
        Track.objects.create(event=event, name=name, colour=colour, position=position)
        for position, (name, colour) in enumerate(TRACKS, start=1)
    ]

    picker = SpeakerPicker(speakers)
    titles = iter(f"{topic}: {angle}" for angle in ANGLES for topic in TOPICS)
    for day_number, day in enumerate((first_day, second_day), start=1):
        opening = Session.objects.create(
            event=event,
            title=f"Opening plenary, day {day_number}",
            abstract=ABSTRACT.format(org_count=12, topic="the year ahead"),
            kind=SessionKind.PLENARY,
            room=plenary_hall,
            start=local(day, time(9, 0)),
            end=local(day, time(9, 30)),
        )
        appear(opening, picker.take(3), SpeakerRole.CHAIR)
        for slot, start in enumerate(PARALLEL_STARTS):
            begins = local(day, start)
            for lane, (track, room) in enumerate(zip(tracks, rooms, strict=True)):
                topic = next(titles)
                session = Session.objects.create(
                    event=event,
                    title=topic,
                    abstract=ABSTRACT.format(org_count=8 + lane, topic=topic.split(":")[0]),
                    kind=PARALLEL_KINDS[(slot + lane) % len(PARALLEL_KINDS)],
                    track=track,
                    room=room,
                    start=begins,
                    end=begins + timedelta(minutes=40),
                    capacity=80,
                    requires_signup=lane == 2,
                )
                appear(session, picker.take(3 if lane == 0 else 2), SpeakerRole.MODERATOR)
        Session.objects.create(
            event=event,
            title=f"Lunch and networking, day {day_number}",
            kind=SessionKind.BREAK,
            start=local(day, time(12, 30)),
            end=local(day, time(13, 30)),
        )
        closing = Session.objects.create(
            event=event,
            title=f"Closing plenary, day {day_number}",
            abstract=ABSTRACT.format(org_count=12, topic="the conclusions"),
            kind=SessionKind.PLENARY,
            room=plenary_hall,
            start=local(day, time(17, 15)),
            end=local(day, time(18, 0)),
        )
        appear(closing, picker.take(2), SpeakerRole.RAPPORTEUR)

    for position, title in enumerate(["Programme", "Background paper", "Practical information"]):
        Document.objects.create(
            event=event,
            title=title,
            position=position,
            file=ContentFile(b"%PDF-1.4\n% sample\n", name=f"bench-{position}.pdf"),
        )
    for position in range(6):
        Photo.objects.create(
            event=event,
            image=ContentFile(jpeg((40 * position, 90, 140)), name=f"bench-{position}.jpg"),
            alt_text=f"Participants in a parallel session, photo {position + 1}",
            caption=f"Sample photo {position + 1}",
            position=position,
        )

    sessions = list(event.sessions.order_by("start", "pk"))
    return {
        "slug": event.slug,
        "path": event.get_absolute_url(),
        "sessions": [session.title for session in sessions],
        "session_ids": [session.pk for session in sessions],
        "speakers": sorted({speaker.name for speaker in speakers}),
        "appearances": SessionSpeaker.objects.filter(session__event=event).count(),
        "tracks": len(tracks),
        "rooms": len(rooms) + 1,
    }


if __name__ == "__main__":
    json.dump(build(), sys.stdout, ensure_ascii=False)
