"""Who attended an event, at which sessions, and for how many hours.

Only confirmed registrations count. What is known about each of them is loaded in a fixed number
of queries per event (six; seven for one registration), then judged here by these rules:

The event
    An organiser's event-wide mark decides, either way. Without one, a registration attended if
    it was checked in (at the door or at a session, not undone), followed its online join link,
    or has a session mark saying it attended.

A session (breaks never count)
    1. An organiser's mark for the session decides, either way; an event-wide "absent" mark
       overrides everything.
    2. A check-in at the session, or a join through the session's own link, counts.
    3. For the sessions the registration was *expected* at – the sessions for everyone (not a
       networking slot, no sign-up of its own, nothing else of the programme running alongside)
       and the sessions it holds a confirmed seat in:
       - a join through the event's link counts for those of that day (in the event's time zone)
         that had not ended when it joined: nobody tells us when people leave a meeting;
       - a check-in at the door counts for those from the day of the check-in to the end of the
         event (the door lets a person in once per event), unless the session was scanned: where
         the organisers scanned anybody in, they scanned everybody who came;
       - an event-wide "attended" mark, without any check-in or join, counts like a check-in at
         the door on the first day.

Hours
    The attended sessions' durations, overlaps merged. An event without sessions counts, for each
    day attended (from the door check-in to the end, the days of online joins, or every day for an
    event-wide mark alone), the event's hours on that day, at most ``MAX_HOURS_PER_DAY``.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from agenda.enums import SessionKind
from agenda.models import Event, Session
from badges.models import CheckIn
from registrations.enums import PickStatus, RegistrationStatus
from registrations.models import Registration, SessionPick

from .models import AttendanceMark, OnlineJoin

MAX_HOURS_PER_DAY = 8.0
# Sessions never attended: nothing happens there that a report or a certificate should count.
NOT_ATTENDED_KINDS = (SessionKind.BREAK,)
# Sessions attended only on evidence (a scan, a join through their link, a mark), never inferred.
NOT_INFERRED_KINDS = (SessionKind.BREAK, SessionKind.NETWORKING)


@dataclass
class _Facts:
    """Everything recorded about the attendance of an event's confirmed registrations."""

    event: Event
    sessions: list[Session]
    registration_ids: list[int]
    event_marks: dict[int, bool] = field(default_factory=dict)
    session_marks: dict[tuple[int, int], bool] = field(default_factory=dict)
    door_checkins: dict[int, datetime] = field(default_factory=dict)
    session_checkins: set[tuple[int, int]] = field(default_factory=set)
    scanned_sessions: set[int] = field(default_factory=set)
    session_joins: set[tuple[int, int]] = field(default_factory=set)
    event_joins: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    seats: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class EventAttendance:
    """The attendance of one event, worked out once for every confirmed registration."""

    event: Event
    sessions: list[Session]
    confirmed: list[int]
    attended: set[int]
    by_session: dict[int, set[int]]
    hours: dict[int, float]

    def sessions_of(self, registration_id: int) -> list[Session]:
        """The sessions ``registration_id`` attended, in programme order."""
        return [s for s in self.sessions if registration_id in self.by_session[s.pk]]


def _programme(event: Event) -> list[Session]:
    return list(
        Session.objects.filter(event=event)
        .exclude(kind__in=NOT_ATTENDED_KINDS)
        .order_by("start", "end", "pk")
    )


def _load(event: Event, *, registration_id: int | None = None) -> _Facts:
    """Reads what was recorded; for one registration only when ``registration_id`` is given."""

    def only(queryset: QuerySet, lookup: str = "registration_id") -> QuerySet:
        return queryset if registration_id is None else queryset.filter(**{lookup: registration_id})

    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    facts = _Facts(
        event=event,
        sessions=_programme(event),
        registration_ids=list(only(confirmed, "pk").order_by("pk").values_list("pk", flat=True)),
    )
    if not facts.registration_ids:
        return facts
    marks = AttendanceMark.objects.filter(
        registration__event=event, registration__status=RegistrationStatus.CONFIRMED
    )
    for reg_id, session_id, attended in only(marks).values_list(
        "registration_id", "session_id", "attended"
    ):
        if session_id is None:
            facts.event_marks[reg_id] = attended
        else:
            facts.session_marks[(reg_id, session_id)] = attended
    checkins = CheckIn.objects.filter(event=event, undone_at__isnull=True)
    for reg_id, session_id, at in only(checkins).values_list("registration_id", "session_id", "at"):
        if session_id is None:
            facts.door_checkins[reg_id] = at
        else:
            facts.session_checkins.add((reg_id, session_id))
    if registration_id is None:
        facts.scanned_sessions = {session_id for _reg, session_id in facts.session_checkins}
    else:
        facts.scanned_sessions = set(
            checkins.filter(session__isnull=False).values_list("session_id", flat=True).distinct()
        )
    joins = OnlineJoin.objects.filter(registration__event=event)
    for reg_id, session_id, joined_at in only(joins).values_list(
        "registration_id", "session_id", "joined_at"
    ):
        if session_id is None:
            facts.event_joins[reg_id].append(joined_at)
        else:
            facts.session_joins.add((reg_id, session_id))
    seats = SessionPick.objects.filter(session__event=event, status=PickStatus.CONFIRMED)
    for reg_id, session_id in only(seats).values_list("registration_id", "session_id"):
        facts.seats[reg_id].add(session_id)
    return facts


class _Judge:
    """Applies the rules of this module's docstring to the facts of one event."""

    def __init__(self, facts: _Facts) -> None:
        self.facts = facts
        event = facts.event
        self.day_of_session = {s.pk: event.local(s.start).date() for s in facts.sessions}
        self.first_day = event.local(event.start).date()
        self.for_everyone = {
            s.pk for s in facts.sessions if self._is_for_everyone(s, facts.sessions)
        }
        self.in_person_traces = {reg for reg, _session in facts.session_checkins}
        self.session_traces = self.in_person_traces | {reg for reg, _s in facts.session_joins}
        self.marked_attended_somewhere = {
            reg for (reg, _session), attended in facts.session_marks.items() if attended
        }

    @staticmethod
    def _is_for_everyone(session: Session, sessions: list[Session]) -> bool:
        if session.kind in NOT_INFERRED_KINDS or session.requires_signup:
            return False
        return not any(
            other.pk != session.pk and other.start < session.end and session.start < other.end
            for other in sessions
            if other.kind not in NOT_INFERRED_KINDS
        )

    def attended_event(self, reg: int) -> bool:
        facts = self.facts
        if reg in facts.event_marks:
            return facts.event_marks[reg]
        return (
            reg in facts.door_checkins
            or reg in self.session_traces
            or bool(facts.event_joins.get(reg))
            or reg in self.marked_attended_somewhere
        )

    def _door_day(self, reg: int) -> date | None:
        """The day from which a door check-in (or an event-wide mark alone) counts."""
        facts = self.facts
        if reg in facts.door_checkins:
            return facts.event.local(facts.door_checkins[reg]).date()
        if facts.event_marks.get(reg) and not facts.event_joins.get(reg):
            return self.first_day
        return None

    def sessions_attended(self, reg: int) -> set[int]:
        facts = self.facts
        if facts.event_marks.get(reg) is False:
            return set()
        door_day = self._door_day(reg)
        joins = facts.event_joins.get(reg, [])
        seats = facts.seats.get(reg, set())
        present = set()
        for session in facts.sessions:
            key = (reg, session.pk)
            if key in facts.session_marks:
                if facts.session_marks[key]:
                    present.add(session.pk)
                continue
            if key in facts.session_checkins or key in facts.session_joins:
                present.add(session.pk)
                continue
            expected = session.pk in self.for_everyone or session.pk in seats
            if not expected:
                continue
            day = self.day_of_session[session.pk]
            if any(
                joined < session.end and facts.event.local(joined).date() == day for joined in joins
            ) or (
                door_day is not None
                and day >= door_day
                and session.pk not in facts.scanned_sessions
            ):
                present.add(session.pk)
        return present

    def days_attended(self, reg: int) -> set[date]:
        """For an event without sessions: the days on which the registration was there."""
        facts = self.facts
        event = facts.event
        days = set(_event_days(event))
        attended = {event.local(joined).date() for joined in facts.event_joins.get(reg, [])}
        if reg in facts.door_checkins:
            door_day = event.local(facts.door_checkins[reg]).date()
            attended |= {day for day in days if day >= door_day}
        if facts.event_marks.get(reg) and not attended:
            attended = days
        return attended & days

    def hours(self, reg: int, attended_sessions: set[int]) -> float:
        facts = self.facts
        if facts.sessions:
            intervals = [(s.start, s.end) for s in facts.sessions if s.pk in attended_sessions]
            return _merged_hours(intervals)
        return sum(_hours_on(facts.event, day) for day in self.days_attended(reg))


def _event_days(event: Event) -> list[date]:
    first, last = event.local(event.start).date(), event.local(event.end).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _hours_on(event: Event, day: date) -> float:
    """The event's hours on ``day`` in its time zone, at most ``MAX_HOURS_PER_DAY``."""
    day_start = datetime.combine(day, datetime.min.time(), tzinfo=event.tzinfo)
    day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=event.tzinfo)
    overlap = min(event.end, day_end) - max(event.start, day_start)
    return min(max(overlap.total_seconds() / 3600, 0.0), MAX_HOURS_PER_DAY)


def _merged_hours(intervals: Iterable[tuple[datetime, datetime]]) -> float:
    total = timedelta()
    current_start = current_end = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total.total_seconds() / 3600


def _judge(facts: _Facts) -> EventAttendance:
    judge = _Judge(facts)
    attended: set[int] = set()
    by_session: dict[int, set[int]] = {s.pk: set() for s in facts.sessions}
    hours: dict[int, float] = {}
    for reg in facts.registration_ids:
        if not judge.attended_event(reg):
            continue
        attended.add(reg)
        sessions = judge.sessions_attended(reg)
        for session_id in sessions:
            by_session[session_id].add(reg)
        hours[reg] = judge.hours(reg, sessions)
    return EventAttendance(
        event=facts.event,
        sessions=facts.sessions,
        confirmed=facts.registration_ids,
        attended=attended,
        by_session=by_session,
        hours=hours,
    )


# --- the public reads ----------------------------------------------------------------------------


def event_attendance(*, event: Event) -> EventAttendance:
    """Attendance of every confirmed registration of ``event``. Queries: six."""
    return _judge(_load(event))


def registration_attendance(*, registration: Registration) -> EventAttendance:
    """Attendance of one registration, judged by the same rules. Queries: seven."""
    return _judge(_load(registration.event, registration_id=registration.pk))


def attended_registration_ids(*, event: Event) -> set[int]:
    """The confirmed registrations of ``event`` that attended it (rules: this module's docstring).

    Queries: six.
    """
    return event_attendance(event=event).attended


def session_attendance(*, event: Event) -> dict[int, set[int]]:
    """Per session of ``event`` (breaks left out), the registrations that attended it.

    Rules: this module's docstring. Every session of the programme is a key, attended or not.
    Queries: six.
    """
    return event_attendance(event=event).by_session


def hours_attended(*, registration: Registration) -> float:
    """Hours ``registration`` attended (rules: this module's docstring); 0 if it did not attend.

    Queries: seven.
    """
    return registration_attendance(registration=registration).hours.get(registration.pk, 0.0)


def hours_by_registration(*, event: Event) -> dict[int, float]:
    """``hours_attended`` of every registration that attended ``event``. Queries: six."""
    return event_attendance(event=event).hours


def registrations_with_attendance(*, event: Event) -> QuerySet[Registration]:
    """The event's confirmed registrations with what was recorded of their attendance.

    Each carries ``door_checkin_at``, ``session_checkin_count``, ``online_join_count``,
    ``first_join_at``, and the organisers' event-wide mark: ``mark_attended`` (None when
    unmarked) and ``mark_note``. Sorted by name. Queries: one.
    """
    checkins = CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True)
    joins = OnlineJoin.objects.filter(registration=OuterRef("pk"))
    mark = AttendanceMark.objects.filter(registration=OuterRef("pk"), session__isnull=True)
    return (
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .select_related("person__organisation")
        .annotate(
            door_checkin_at=Subquery(checkins.filter(session__isnull=True).values("at")[:1]),
            session_checkin_count=_count(checkins.filter(session__isnull=False)),
            online_join_count=_count(joins),
            first_join_at=Subquery(joins.order_by("joined_at").values("joined_at")[:1]),
            mark_attended=Subquery(mark.values("attended")[:1]),
            mark_note=Subquery(mark.values("note")[:1]),
        )
        .order_by("person__last_name", "person__first_name", "pk")
    )


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("registration").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
