"""Calendar files (iCalendar, RFC 5545 and RFC 7986) of events and sessions.

Everything is built with the icalendar package, which escapes text (commas, semicolons,
backslashes, newlines), folds lines at 75 octets without splitting a UTF-8 character and writes
each time with the TZID of its zone; ``CalendarFile`` adds the matching VTIMEZONE, generated for
the years the file covers. ``registrations.calendar`` builds the attendee's invitation and
personal feed from the components made here.

UIDs are stable, so a calendar application updates the entry it holds when it fetches a file
again: ``event-<pk>@<host>`` and ``session-<pk>@<host>``.

Public files carry no join link, no self-service link and no one's email address: an event's
``online_url`` is only ever added by ``registrations.calendar`` for that attendee.
"""

import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vGeo
from icalendar import Event as VEvent

from .enums import EventStatus, SpeakerRole
from .models import Event, Session, Venue

# How often subscribers should fetch a feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
FEED_REFRESH = timedelta(hours=1)

# Zones written as UTC times ("...Z"), which need no VTIMEZONE.
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu"})

_ICAL_STATUS = {
    EventStatus.POSTPONED: "TENTATIVE",
    EventStatus.CANCELLED: "CANCELLED",
}


# --- the site's identity -------------------------------------------------------------------------


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def webcal_url(path: str) -> str:
    """The subscription address of a feed: calendar applications open ``webcal://`` links."""
    return f"webcal://{urlsplit(settings.SITE_URL).netloc}{path}"


def prodid() -> str:
    return f"-//{site_host()}//eventsite//EN"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{site_host()}"


def session_uid(session: Session) -> str:
    return f"session-{session.pk}@{site_host()}"


def ical_status(status: str) -> str:
    """STATUS of an event in calendar files: postponed is TENTATIVE, cancelled CANCELLED."""
    return _ICAL_STATUS.get(status, "CONFIRMED")


# --- times and zones -----------------------------------------------------------------------------


def _zone(name: str):
    return UTC if name in UTC_ZONES else zoneinfo.ZoneInfo(name)


def local_time(moment: datetime, zone_name: str) -> datetime:
    """The stored instant in the event's zone; written as local time with TZID.

    Times are stored in UTC, so a wall-clock time that does not exist (02:30 on the morning
    clocks go forward) was already resolved to a real instant when it was saved; converting that
    instant never produces a non-existent local time.
    """
    return moment.astimezone(_zone(zone_name))


def _state(moment: datetime) -> tuple:
    return (moment.utcoffset(), moment.dst(), moment.tzname())


def _transitions(zone: zoneinfo.ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end) at which ``zone`` changes offset, daylight or name."""
    found = []
    day = timedelta(days=1)
    moment, state = start, _state(start.astimezone(zone))
    while moment < end:
        following = moment + day
        following_state = _state(following.astimezone(zone))
        if following_state != state:
            # Zones change at most once a day: halve the day down to the second.
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _state(middle.astimezone(zone)) == state:
                    low = middle
                else:
                    high = middle
            found.append(high)
        moment, state = following, following_state
    return found


@lru_cache(maxsize=128)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """VTIMEZONE of ``tzid`` from 1 January of ``first_year`` to the end of ``last_year``.

    One STANDARD or DAYLIGHT observance per change, each with its own DTSTART: the onset as a
    local time before the change (RFC 5545 3.6.5), and no RDATE lists, which some readers take
    only the first value of (ical.js, hence Thunderbird). Made once per process.
    """
    zone = zoneinfo.ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    component = Timezone()
    component.add("TZID", tzid)

    def observance(moment: datetime, offset_from: timedelta) -> None:
        local = moment.astimezone(zone)
        kind = TimezoneDaylight if local.dst() else TimezoneStandard
        part = kind()
        part.add("DTSTART", (moment + offset_from).replace(tzinfo=None))
        part.add("TZOFFSETFROM", offset_from)
        part.add("TZOFFSETTO", local.utcoffset())
        part.add("TZNAME", local.tzname())
        component.add_component(part)

    offset = start.astimezone(zone).utcoffset()
    observance(start, offset)
    for moment in _transitions(zone, start, end):
        observance(moment, offset)
        offset = moment.astimezone(zone).utcoffset()
    return component


@dataclass
class CalendarFile:
    """A VCALENDAR being filled: components first, VTIMEZONEs worked out when serialised."""

    calendar: Calendar
    components: list = field(default_factory=list)
    years: dict[str, tuple[int, int]] = field(default_factory=dict)

    def add(self, component, *, zone: str, moments: Iterable[datetime] = ()) -> None:
        """Adds ``component``, whose times are local to ``zone``, at ``moments``."""
        self.components.append(component)
        if zone in UTC_ZONES:
            return
        years = [local_time(moment, zone).year for moment in moments]
        if not years:
            return
        first, last = self.years.get(zone, (min(years), max(years)))
        self.years[zone] = (min(first, *years), max(last, *years))

    def to_ical(self) -> bytes:
        # VTIMEZONEs come before the components that refer to them, as some readers expect.
        for tzid, (first, last) in sorted(self.years.items()):
            self.calendar.add_component(vtimezone(tzid, first, last))
        for component in self.components:
            self.calendar.add_component(component)
        if not self.calendar.subcomponents:
            # RFC 5545 requires one component at least: an empty feed carries the site's zone.
            year = datetime.now(UTC).year
            self.calendar.add_component(vtimezone(settings.TIME_ZONE, year, year))
        return self.calendar.to_ical()


def new_calendar(
    *,
    method: str,
    name: str = "",
    description: str = "",
    uid: str = "",
    feed: bool = False,
    zone: str = "",
) -> CalendarFile:
    """A VCALENDAR with the site's PRODID and ``method``; a ``feed`` says how often to refresh."""
    calendar = Calendar()
    calendar.add("PRODID", prodid())
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    if uid:
        calendar.add("UID", uid)
    if name:
        calendar.calendar_name = name  # NAME and X-WR-CALNAME
    if description:
        calendar.description = description  # DESCRIPTION and X-WR-CALDESC
    if zone:
        calendar.add("X-WR-TIMEZONE", zone)
    if feed:
        calendar.add("REFRESH-INTERVAL", vDuration(FEED_REFRESH, params={"VALUE": "DURATION"}))
        calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))
    return CalendarFile(calendar=calendar)


# --- components ----------------------------------------------------------------------------------


def venue_location(venue: Venue, *, room_name: str = "") -> str:
    return ", ".join(part for part in (room_name, venue.name, venue.full_address) if part)


def _add_place(
    component: VEvent,
    event: Event,
    *,
    room_name: str = "",
    online: bool,
    venue_text: str | None = None,
) -> None:
    venue = event.venue
    if venue is not None and not online and event.has_in_person:
        if venue_text is None:
            venue_text = venue_location(venue)
        component.add("LOCATION", ", ".join(part for part in (room_name, venue_text) if part))
        if venue.latitude is not None and venue.longitude is not None:
            component.add("GEO", vGeo((float(venue.latitude), float(venue.longitude))))
    else:
        component.add("LOCATION", _("Online"))


def _text(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def event_component(
    event: Event,
    *,
    stamp: datetime,
    uid: str = "",
    sequence: int | None = None,
    online: bool = False,
) -> VEvent:
    """One VEVENT for the whole event, from its true start to its true end.

    ``online`` describes the event as an online attendee sees it (no venue); the join link is
    not added here. The URL is the public event page.
    """
    zone = event.timezone
    page = absolute_url(event.get_absolute_url())
    component = VEvent()
    component.add("UID", uid or event_uid(event))
    component.add("DTSTAMP", stamp.astimezone(UTC))
    component.add("DTSTART", local_time(event.start, zone))
    component.add("DTEND", local_time(event.end, zone))
    component.add("SEQUENCE", event.ical_sequence if sequence is None else sequence)
    component.add("SUMMARY", event.title)
    component.add("DESCRIPTION", _text(event.theme, event.summary, page))
    _add_place(component, event, online=online)
    component.add("STATUS", ical_status(event.status))
    component.add("URL", page)
    component.add("LAST-MODIFIED", event.updated_at.astimezone(UTC))
    return component


def role_labels() -> dict[str, str]:
    """Speaker roles in the active language, translated once per file rather than per line."""
    return {value: str(label) for value, label in SpeakerRole.choices}


def _speakers_text(session: Session, roles: dict[str, str]) -> str:
    lines = []
    for appearance in session.appearances.all():
        speaker = appearance.speaker
        name = speaker.name
        if speaker.organisation is not None:
            name = f"{name}, {speaker.organisation.name}"
        lines.append(f"{name} ({roles.get(appearance.role, appearance.role)})")
    return "\n".join(lines)


def session_pages(event: Event) -> Callable[[int], str]:
    """The address of each session page of ``event``, from one URL reversal for the whole file."""
    marker = 918273645  # any id: its digits are swapped for each session's
    path = reverse("agenda:session", kwargs={"slug": event.slug, "pk": marker})
    prefix, suffix = absolute_url(path).split(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


def session_component(
    session: Session,
    *,
    event: Event,
    stamp: datetime,
    online: bool = False,
    speakers: bool = True,
    venue_text: str | None = None,
    roles: dict[str, str] | None = None,
    page: str | None = None,
) -> VEvent:
    """One VEVENT for a session, with its room and (``speakers``) who speaks.

    Speakers need ``session.appearances`` prefetched with ``speaker__organisation``
    (``agenda.selectors.event_sessions`` does so). A file of many sessions passes
    ``venue_text`` (``venue_location(event.venue)``), ``roles`` (``role_labels()``) and each
    ``page`` (``session_pages(event)``) made once.
    """
    zone = event.timezone
    if page is None:
        page = session_pages(event)(session.pk)
    component = VEvent()
    component.add("UID", session_uid(session))
    component.add("DTSTAMP", stamp.astimezone(UTC))
    component.add("DTSTART", local_time(session.start, zone))
    component.add("DTEND", local_time(session.end, zone))
    component.add("SEQUENCE", event.ical_sequence)
    component.add("SUMMARY", session.title)
    component.add(
        "DESCRIPTION",
        _text(
            session.abstract,
            _speakers_text(session, roles or role_labels()) if speakers else "",
            event.title,
            page,
        ),
    )
    room_name = session.room.name if session.room_id else ""
    _add_place(component, event, room_name=room_name, online=online, venue_text=venue_text)
    component.add("STATUS", ical_status(event.status))
    component.add("URL", page)
    if session.track_id:
        component.add("CATEGORIES", [session.track.name])
    component.add("RELATED-TO", event_uid(event))
    return component


# --- public files --------------------------------------------------------------------------------


def events_feed(events: Iterable[Event], *, stamp: datetime) -> bytes:
    """The network's calendar: one VEVENT per public event (``/calendar.ics``)."""
    file = new_calendar(
        method="PUBLISH",
        name=_("EU Labour Mobility Practitioners' Network: events"),
        description=_("Conferences, meetings and webinars of the network."),
        uid=f"events@{site_host()}",
        feed=True,
        zone=settings.TIME_ZONE,
    )
    for event in events:
        file.add(
            event_component(event, stamp=stamp),
            zone=event.timezone,
            moments=(event.start, event.end),
        )
    return file.to_ical()


def agenda_feed(event: Event, sessions: list[Session], *, stamp: datetime) -> bytes:
    """One event's agenda: one VEVENT per session (``/events/<slug>/calendar.ics``).

    An event without sessions yet is one VEVENT for the whole event, so the feed is not empty.
    """
    file = new_calendar(
        method="PUBLISH",
        name=event.title,
        description=event.summary,
        uid=f"agenda-{event.pk}@{site_host()}",
        feed=True,
        zone=event.timezone,
    )
    if not sessions:
        file.add(event_component(event, stamp=stamp), zone=event.timezone, moments=(event.start,))
    venue_text = venue_location(event.venue) if event.venue is not None else None
    roles = role_labels()
    page = session_pages(event)
    for session in sessions:
        file.add(
            session_component(
                session,
                event=event,
                stamp=stamp,
                venue_text=venue_text,
                roles=roles,
                page=page(session.pk),
            ),
            zone=event.timezone,
            moments=(session.start, session.end),
        )
    return file.to_ical()


def session_file(session: Session, *, stamp: datetime) -> bytes:
    """One session to download, with the same UID as in the event's agenda feed."""
    event = session.event
    file = new_calendar(method="PUBLISH")
    file.add(
        session_component(session, event=event, stamp=stamp),
        zone=event.timezone,
        moments=(session.start, session.end),
    )
    return file.to_ical()


# --- "add to calendar" links ---------------------------------------------------------------------


@dataclass
class CalendarLinks:
    download: str
    subscribe: str
    google: str
    outlook: str


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _query(params: dict[str, str]) -> str:
    # %20 rather than "+" for spaces: both calendar services read it the same way.
    return urlencode({key: value for key, value in params.items() if value}, quote_via=quote)


def google_calendar_url(
    *, title: str, start: datetime, end: datetime, details: str, location: str, zone: str
) -> str:
    dates = f"{_utc(start):%Y%m%dT%H%M%SZ}/{_utc(end):%Y%m%dT%H%M%SZ}"
    params = {
        "action": "TEMPLATE",
        "text": title,
        "dates": dates,
        "details": details,
        "location": location,
        "ctz": zone,
    }
    return "https://calendar.google.com/calendar/render?" + _query(params)


def outlook_calendar_url(
    *, title: str, start: datetime, end: datetime, details: str, location: str
) -> str:
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": f"{_utc(start):%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{_utc(end):%Y-%m-%dT%H:%M:%SZ}",
        "body": details,
        "location": location,
    }
    return "https://outlook.live.com/calendar/0/action/compose?" + _query(params)


def _public_location(event: Event, room_name: str = "") -> str:
    if event.venue is not None and event.has_in_person:
        return venue_location(event.venue, room_name=room_name)
    return _("Online")


def event_links(event: Event) -> CalendarLinks:
    """Links to add the whole event to a calendar; they use only the event and its venue."""
    page = absolute_url(event.get_absolute_url())
    feed = reverse("agenda:event-calendar", kwargs={"slug": event.slug})
    common = {
        "title": event.title,
        "start": event.start,
        "end": event.end,
        "details": _text(event.summary, page),
        "location": _public_location(event),
    }
    return CalendarLinks(
        download=feed,
        subscribe=webcal_url(feed),
        google=google_calendar_url(**common, zone=event.timezone),
        outlook=outlook_calendar_url(**common),
    )


def session_links(session: Session) -> CalendarLinks:
    """Links to add one session; needs ``session.event`` (with venue) and ``session.room``."""
    event = session.event
    page = absolute_url(reverse("agenda:session", kwargs={"slug": event.slug, "pk": session.pk}))
    room_name = session.room.name if session.room_id else ""
    common = {
        "title": session.title,
        "start": session.start,
        "end": session.end,
        "details": _text(event.title, page),
        "location": _public_location(event, room_name),
    }
    return CalendarLinks(
        download=reverse("agenda:session-calendar", kwargs={"slug": event.slug, "pk": session.pk}),
        subscribe=webcal_url(reverse("agenda:event-calendar", kwargs={"slug": event.slug})),
        google=google_calendar_url(**common, zone=event.timezone),
        outlook=outlook_calendar_url(**common),
    )
