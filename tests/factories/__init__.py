"""Factories that make valid objects and nothing more: no hidden related rows, no random dates.

Times default to a fixed day in Brussels so tests read the same whenever they run; pass ``start``
and ``end`` when a test depends on "now".
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils.text import slugify

from agenda.enums import Audience, EventFormat, EventKind, EventStatus, SessionKind, SpeakerRole
from agenda.models import Event, Room, Session, SessionSpeaker, Speaker, Track, Venue
from members.enums import OrganisationType
from members.models import Organisation, Person

BRUSSELS = ZoneInfo("Europe/Brussels")
EVENT_START = datetime(2030, 5, 14, 9, 0, tzinfo=BRUSSELS)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    type = OrganisationType.NGO
    country = "BE"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = "Martin"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    country = "BE"


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Conference Centre {n}")
    address = "Rue de la Loi 42"
    postal_code = "1040"
    city = "Brussels"
    country = "BE"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 100


class EventFactory(factory.django.DjangoModelFactory):
    """A published in-person conference with a venue, open to all, one day long."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Practitioners' Conference {n}")
    slug = factory.LazyAttribute(lambda event: slugify(event.title))
    kind = EventKind.CONFERENCE
    format = EventFormat.IN_PERSON
    timezone = "Europe/Brussels"
    start = EVENT_START
    end = factory.LazyAttribute(lambda event: event.start + timedelta(hours=8))
    venue = factory.SubFactory(VenueFactory)
    capacity_in_person = 100
    audience = Audience.OPEN
    status = EventStatus.PUBLISHED
    summary = "Practitioners meet to compare notes."
    description = "A day of **exchange** among practitioners."

    class Params:
        online = factory.Trait(
            format=EventFormat.ONLINE,
            venue=None,
            capacity_in_person=None,
            capacity_online=300,
            online_url="https://meet.example.org/room-1",
        )
        draft = factory.Trait(status=EventStatus.DRAFT)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Track {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    """A one-hour plenary at the start of its event, without a room."""

    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    kind = SessionKind.PLENARY
    start = factory.LazyAttribute(lambda session: session.event.start)
    end = factory.LazyAttribute(lambda session: session.start + timedelta(hours=1))


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.LazyAttribute(lambda speaker: slugify(speaker.name))
    organisation = factory.SubFactory(OrganisationFactory)
    job_title = "Policy officer"


class SessionSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    role = SpeakerRole.SPEAKER
