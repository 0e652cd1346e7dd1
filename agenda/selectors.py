"""Reads of events and their agenda, shared by pages, the API and later the calendar feeds."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import ApiToken, Event, Session, SessionSpeaker, Speaker


def public_events() -> QuerySet[Event]:
    return Event.objects.public().select_related("venue")


def upcoming_and_past_events(*, now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    """Public events not yet ended (soonest first) and those that ended (latest first)."""
    now = now or timezone.now()
    events = public_events()
    upcoming = list(events.filter(end__gte=now).order_by("start"))
    past = list(events.filter(end__lt=now).order_by("-start"))
    return upcoming, past


def public_event(*, slug: str) -> Event:
    """The public event with this slug; drafts and unknown slugs are a 404."""
    try:
        return public_events().get(slug=slug)
    except Event.DoesNotExist:
        raise Http404 from None


def event_sessions(*, event: Event) -> list[Session]:
    """The event's sessions with room, track and speakers, in a fixed number of queries."""
    appearances = SessionSpeaker.objects.select_related("speaker__organisation").order_by(
        "position", "pk"
    )
    return list(
        event.sessions.select_related("room", "track")
        .prefetch_related(Prefetch("appearances", queryset=appearances))
        .order_by("start", "track__position", "end", "title")
    )


def feed_sessions(*, event: Event) -> list[Session]:
    """The event's sessions with only what a calendar file shows, for feeds of many sessions."""
    appearances = (
        SessionSpeaker.objects.select_related("speaker__organisation")
        .only("session_id", "role", "speaker__name", "speaker__organisation__name")
        .order_by("position", "pk")
    )
    return list(
        event.sessions.select_related("room", "track")
        .only(
            "event_id",
            "title",
            "abstract",
            "start",
            "end",
            "room__name",
            "track__name",
            "track__position",
        )
        .prefetch_related(Prefetch("appearances", queryset=appearances))
        .order_by("start", "track__position", "end", "title")
    )


@dataclass
class TimeSlot:
    start: datetime
    end: datetime
    sessions: list[Session] = field(default_factory=list)


@dataclass
class AgendaDay:
    day: date
    slots: list[TimeSlot] = field(default_factory=list)


def agenda_days(*, event: Event, sessions: list[Session]) -> list[AgendaDay]:
    """Sessions grouped by day in the event's time zone, then by start time.

    Sessions that start together (parallel tracks) share a slot; times are local to the event.
    """
    days: dict[date, AgendaDay] = {}
    for session in sessions:
        start = event.local(session.start)
        day = days.setdefault(start.date(), AgendaDay(day=start.date()))
        if day.slots and day.slots[-1].start == start:
            slot = day.slots[-1]
            slot.end = max(slot.end, event.local(session.end))
        else:
            slot = TimeSlot(start=start, end=event.local(session.end))
            day.slots.append(slot)
        slot.sessions.append(session)
    return list(days.values())


def event_speakers(*, sessions: list[Session]) -> list[Speaker]:
    """Everyone who appears in these sessions, once each, by name."""
    speakers: dict[int, Speaker] = {}
    for session in sessions:
        for appearance in session.appearances.all():
            speakers.setdefault(appearance.speaker_id, appearance.speaker)
    return sorted(speakers.values(), key=lambda speaker: speaker.name.casefold())


def public_session(*, slug: str, pk: int) -> Session:
    appearances = SessionSpeaker.objects.select_related("speaker__organisation")
    try:
        return (
            Session.objects.filter(event__in=Event.objects.public())
            .select_related("event__venue", "room", "track")
            .prefetch_related(Prefetch("appearances", queryset=appearances))
            .get(event__slug=slug, pk=pk)
        )
    except Session.DoesNotExist:
        raise Http404 from None


def public_speaker(*, slug: str) -> tuple[Speaker, list[SessionSpeaker]]:
    """A speaker and their appearances at public events; a speaker of drafts only is a 404."""
    try:
        speaker = Speaker.objects.select_related("organisation").get(slug=slug)
    except Speaker.DoesNotExist:
        raise Http404 from None
    appearances = list(
        speaker.appearances.filter(session__event__in=Event.objects.public())
        .select_related("session__event", "session__room")
        .order_by("-session__start")
    )
    if not appearances:
        raise Http404
    return speaker, appearances


def speaker_conflicts(*, session: Session) -> list[tuple[Speaker, Session]]:
    """Speakers of this session who are also in an overlapping session elsewhere."""
    clashes = (
        SessionSpeaker.objects.filter(
            speaker__appearances__session=session,
            session__start__lt=session.end,
            session__end__gt=session.start,
        )
        .exclude(session=session)
        .select_related("speaker", "session")
    )
    return [(appearance.speaker, appearance.session) for appearance in clashes]


def active_api_token(*, token_hash: str, now: datetime | None = None) -> ApiToken | None:
    """The organiser's API token of this hash, with its user, unless revoked or expired (at
    ``now``, by default the present). One query."""
    now = now or timezone.now()
    try:
        return ApiToken.objects.select_related("user").get(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            token_hash=token_hash,
            revoked_at__isnull=True,
        )
    except ApiToken.DoesNotExist:
        return None
