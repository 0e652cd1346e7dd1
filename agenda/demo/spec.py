"""The shapes in which the demo content is written: plain data, no database access."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")

# Appended to every invented biography and abstract, so readers can tell sample data from fact.
SAMPLE = "(Sample data.)"


def at(day: date, clock: str, *, zone: ZoneInfo = BRUSSELS) -> datetime:
    """The aware moment of ``clock`` ("HH:MM") on ``day``, local to ``zone``."""
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone)


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    type: str
    country: str


@dataclass(frozen=True)
class SpeakerSpec:
    slug: str
    first_name: str
    last_name: str
    organisation: str
    job_title: str
    country: str
    bio: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        return f"{self.slug}@example.org"


@dataclass(frozen=True)
class RoomSpec:
    name: str
    capacity: int


@dataclass(frozen=True)
class VenueSpec:
    name: str
    address: str
    postal_code: str
    city: str
    country: str
    latitude: str
    longitude: str
    map_url: str
    directions: str
    rooms: tuple[RoomSpec, ...]


@dataclass(frozen=True)
class TrackSpec:
    name: str
    colour: str


@dataclass(frozen=True)
class SessionSpec:
    """A session; ``day`` counts from the event's first day (0), times are local to the event.

    Titles are unique within an event: they are how a second run finds the session again.
    """

    title: str
    kind: str
    day: int
    start: str
    end: str
    abstract: str = ""
    room: str | None = None
    track: str | None = None
    speakers: tuple[tuple[str, str], ...] = ()
    capacity: int | None = None
    requires_signup: bool = False


@dataclass(frozen=True)
class DocumentSpec:
    """A PDF made at load time; ``body`` is Markdown, or empty for the event's agenda."""

    title: str
    filename: str
    description: str
    body: str = ""


@dataclass(frozen=True)
class PhotoSpec:
    """An abstract illustration drawn at load time: a gradient with soft circles.

    ``background`` is the gradient's top and bottom colour, ``accents`` the circles' colours;
    ``seed`` fixes where the circles go, so the image is the same on every machine.
    """

    filename: str
    seed: int
    background: tuple[str, str]
    accents: tuple[str, ...]
    alt_text: str
    caption: str


@dataclass(frozen=True)
class EventSpec:
    slug: str
    title: str
    theme: str
    kind: str
    format: str
    first_day: date
    start: str
    last_day_offset: int
    end: str
    audience: str
    status: str
    summary: str
    description: str
    venue: str | None = None
    online_url: str = ""
    capacity_in_person: int | None = None
    capacity_online: int | None = None
    registration_opens: datetime | None = None
    registration_closes: datetime | None = None
    tracks: tuple[TrackSpec, ...] = ()
    sessions: tuple[SessionSpec, ...] = ()
    documents: tuple[DocumentSpec, ...] = ()
    photos: tuple[PhotoSpec, ...] = field(default=())

    @property
    def start_at(self) -> datetime:
        return at(self.first_day, self.start)

    @property
    def end_at(self) -> datetime:
        return at(self.first_day + timedelta(days=self.last_day_offset), self.end)

    def session_times(self, session: SessionSpec) -> tuple[datetime, datetime]:
        day = self.first_day + timedelta(days=session.day)
        return at(day, session.start), at(day, session.end)
