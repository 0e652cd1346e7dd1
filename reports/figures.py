"""The numbers of an event's post-event report, read in a fixed number of queries.

``event_figures`` gathers everything the PDF and the workbook show into plain dataclasses, so
that the templates and the workbook never query the database and both files carry the same
numbers. Definitions, as the report states them:

- *registered*: confirmed registrations (the cancelled, declined, pending and waitlisted are
  counted apart);
- *attended*: confirmed registrations that attended, by the rules of ``reports.selectors``
  (check-ins, online joins, organisers' marks);
- *no-show rate*: registered who did not attend, as a share of the registered;
- *capacity used*: registered as a share of the places offered, over the modes that have a
  limit (none when no mode has one);
- *organisations* and *countries*: distinct ones among those who attended; a person's country
  is their own, else their organisation's.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from agenda.models import Document, Event, Photo, Session, SessionSpeaker
from members.enums import OrganisationType
from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.models import Registration

from .enums import SurveyQuestionKind
from .feedback import STANDARD_QUESTIONS
from .models import SurveyAnswer, SurveyResponse
from .selectors import event_attendance

# Bars beyond these are summed into one "other" bar, so that charts stay readable.
MAX_COUNTRIES = 15


@dataclass(frozen=True)
class KeyFigures:
    registered: int
    registered_in_person: int
    registered_online: int
    attended: int
    attended_in_person: int
    attended_online: int
    no_shows: int
    cancelled: int
    waitlisted: int
    capacity_in_person: int | None
    capacity_online: int | None
    organisations: int
    countries: int
    sessions: int
    speakers: int
    survey_invited: int
    survey_responses: int
    overall_rating: float | None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows / self.registered if self.registered else None

    @property
    def places(self) -> int | None:
        """Places offered in the modes that have a limit; None when none has one."""
        limits = [c for c in (self.capacity_in_person, self.capacity_online) if c is not None]
        return sum(limits) if limits else None

    @property
    def capacity_used(self) -> float | None:
        registered = 0
        if self.capacity_in_person is not None:
            registered += self.registered_in_person
        if self.capacity_online is not None:
            registered += self.registered_online
        return registered / self.places if self.places else None

    @property
    def response_rate(self) -> float | None:
        return self.survey_responses / self.attended if self.attended else None


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, one row of a table: a label and a number."""

    label: str
    value: float
    key: str = ""


@dataclass(frozen=True)
class RegistrationDay:
    """Confirmed registrations made on one day (in the event's time zone), and the totals so far."""

    day: date
    in_person: int
    online: int
    total_in_person: int
    total_online: int


@dataclass(frozen=True)
class Rating:
    """The ratings (1 to 5) given to one question or session."""

    label: str
    count: int
    average: float | None
    distribution: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class SessionRow:
    pk: int
    title: str
    kind: str
    start: datetime
    end: datetime
    track: str
    room: str
    speakers: str
    attended: int
    rating: Rating | None


@dataclass(frozen=True)
class SpeakerRow:
    name: str
    organisation: str
    roles: str
    sessions: int


@dataclass(frozen=True)
class OrganisationRow:
    name: str
    type: str
    country: str
    attendees: int


@dataclass(frozen=True)
class Quote:
    text: str
    question: str
    session: str


@dataclass(frozen=True)
class AttendeeRow:
    """One confirmed registration, without anything that names the person."""

    number: int
    mode: str
    organisation_type: str
    country: str
    registered_on: date
    attended: bool
    sessions: int
    hours: float


@dataclass
class Figures:
    event: Event
    generated_at: datetime
    key: KeyFigures
    registrations: list[RegistrationDay]
    by_organisation_type: list[Bar]
    by_country: list[Bar]
    sessions: list[SessionRow]
    speakers: list[SpeakerRow]
    organisations: list[OrganisationRow]
    overall: Rating | None
    ratings: list[Rating]
    quotes: list[Quote]
    documents: list[Document]
    photos: list[Photo]
    attendees: list[AttendeeRow] = field(default_factory=list)


def country_name(code: str) -> str:
    return str(countries.name(code)) if code else _("Unknown")


def rating(label: str, values: Iterable[int]) -> Rating:
    counts = Counter(v for v in values if v is not None and 1 <= v <= 5)
    total = sum(counts.values())
    average = sum(v * n for v, n in counts.items()) / total if total else None
    return Rating(
        label=label,
        count=total,
        average=average,
        distribution=tuple(counts.get(v, 0) for v in range(1, 6)),  # type: ignore[arg-type]
    )


def ranked_bars(counter: Counter, labels: dict[str, str], *, limit: int | None = None) -> list[Bar]:
    """Largest first, ties by label; beyond ``limit`` bars, the rest as one "other" bar."""
    bars = sorted(
        (Bar(label=labels.get(key, key), value=n, key=key) for key, n in counter.items() if n),
        key=lambda bar: (-bar.value, bar.label),
    )
    if limit is not None and len(bars) > limit:
        rest = sum(bar.value for bar in bars[limit - 1 :])
        bars = [*bars[: limit - 1], Bar(label=_("Other countries"), value=rest, key="")]
    return bars


def _registration_days(event: Event, rows: list[dict]) -> list[RegistrationDay]:
    per_day: dict[date, Counter] = defaultdict(Counter)
    for row in rows:
        per_day[event.local(row["created_at"]).date()][row["mode"]] += 1
    if not per_day:
        return []
    first = min(per_day)
    if event.registration_opens:
        first = min(first, event.local(event.registration_opens).date())
    last = max(per_day)
    days, total_in_person, total_online = [], 0, 0
    day = first
    while day <= last:
        counts = per_day.get(day, Counter())
        total_in_person += counts[AttendanceMode.IN_PERSON]
        total_online += counts[AttendanceMode.ONLINE]
        days.append(
            RegistrationDay(
                day=day,
                in_person=counts[AttendanceMode.IN_PERSON],
                online=counts[AttendanceMode.ONLINE],
                total_in_person=total_in_person,
                total_online=total_online,
            )
        )
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Milestones:
    """Days that tell how registration went; None where it did not happen."""

    first: date | None
    half: date | None
    full: date | None
    busiest: date | None
    busiest_count: int


def milestones(days: list[RegistrationDay], key: KeyFigures) -> Milestones:
    """The first registration, the day half of them were in, the day places ran out (every
    limited mode full), and the busiest day."""
    if not days:
        return Milestones(first=None, half=None, full=None, busiest=None, busiest_count=0)
    total = key.registered
    first = next((d.day for d in days if d.in_person or d.online), None)
    half = next(
        (d.day for d in days if total and 2 * (d.total_in_person + d.total_online) >= total), None
    )
    full = None
    if key.places:
        full = next(
            (
                d.day
                for d in days
                if (key.capacity_in_person is None or d.total_in_person >= key.capacity_in_person)
                and (key.capacity_online is None or d.total_online >= key.capacity_online)
            ),
            None,
        )
    busiest = max(days, key=lambda d: (d.in_person + d.online, -d.day.toordinal()))
    return Milestones(
        first=first,
        half=half,
        full=full,
        busiest=busiest.day,
        busiest_count=busiest.in_person + busiest.online,
    )


def weekly(days: list[RegistrationDay]) -> list[tuple[date, int, int]]:
    """New registrations per week (weeks from Monday): (Monday, in person, online)."""
    weeks: dict[date, list[int]] = {}
    for d in days:
        monday = d.day - timedelta(days=d.day.weekday())
        week = weeks.setdefault(monday, [0, 0])
        week[0] += d.in_person
        week[1] += d.online
    return [(monday, counts[0], counts[1]) for monday, counts in sorted(weeks.items())]


def event_figures(*, event: Event, with_attendees: bool = True) -> Figures:
    """Everything the report of ``event`` shows. Queries: fifteen, whatever the event's size.

    ``with_attendees`` adds the anonymous attendee rows of the workbook.
    """
    attendance = event_attendance(event=event)
    statuses = dict(
        Registration.objects.filter(event=event)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = list(
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .order_by("created_at", "pk")
        .values(
            "pk",
            "mode",
            "created_at",
            "person__country",
            "person__organisation_id",
            "person__organisation__name",
            "person__organisation__type",
            "person__organisation__country",
        )
    )
    attended = attendance.attended
    type_labels = dict(OrganisationType.choices)

    by_type: Counter = Counter()
    by_country: Counter = Counter()
    organisations: dict[int, list] = {}
    modes: Counter = Counter()
    attended_modes: Counter = Counter()
    sessions_of: Counter = Counter()
    for registration_ids in attendance.by_session.values():
        for registration_id in registration_ids:
            sessions_of[registration_id] += 1
    attendees = []
    for number, row in enumerate(rows, start=1):
        came = row["pk"] in attended
        country = row["person__country"] or row["person__organisation__country"] or ""
        kind = row["person__organisation__type"] or ""
        modes[row["mode"]] += 1
        if with_attendees:
            attendees.append(
                AttendeeRow(
                    number=number,
                    mode=str(AttendanceMode(row["mode"]).label),
                    organisation_type=str(type_labels.get(kind, _("Unknown"))),
                    country=country_name(country),
                    registered_on=event.local(row["created_at"]).date(),
                    attended=came,
                    sessions=sessions_of[row["pk"]],
                    hours=round(attendance.hours.get(row["pk"], 0.0), 2),
                )
            )
        if not came:
            continue
        attended_modes[row["mode"]] += 1
        by_type[kind] += 1
        by_country[country] += 1
        organisation_id = row["person__organisation_id"]
        if organisation_id is not None:
            entry = organisations.setdefault(
                organisation_id,
                [row["person__organisation__name"], kind, row["person__organisation__country"], 0],
            )
            entry[3] += 1

    feedback = _feedback(event)
    sessions = _sessions(event, attendance, feedback["sessions"])
    speakers = _speakers(event)
    key = KeyFigures(
        registered=len(rows),
        registered_in_person=modes[AttendanceMode.IN_PERSON],
        registered_online=modes[AttendanceMode.ONLINE],
        attended=len(attended),
        attended_in_person=attended_modes[AttendanceMode.IN_PERSON],
        attended_online=attended_modes[AttendanceMode.ONLINE],
        no_shows=len(rows) - sum(attended_modes.values()),
        cancelled=statuses.get(RegistrationStatus.CANCELLED, 0),
        waitlisted=statuses.get(RegistrationStatus.WAITLISTED, 0),
        capacity_in_person=event.capacity_in_person if event.has_in_person else None,
        capacity_online=event.capacity_online if event.has_online else None,
        organisations=len(organisations),
        countries=len([code for code in by_country if code]),
        sessions=len(sessions),
        speakers=len(speakers),
        survey_invited=feedback["invited"],
        survey_responses=feedback["responses"],
        overall_rating=feedback["overall"].average if feedback["overall"] else None,
    )
    type_names = {key: str(label) for key, label in OrganisationType.choices}
    type_names[""] = _("Unknown")
    return Figures(
        event=event,
        generated_at=timezone.now(),
        key=key,
        registrations=_registration_days(event, rows),
        by_organisation_type=ranked_bars(by_type, type_names),
        by_country=ranked_bars(
            by_country, {code: country_name(code) for code in by_country}, limit=MAX_COUNTRIES
        ),
        sessions=sessions,
        speakers=speakers,
        organisations=sorted(
            (
                OrganisationRow(
                    name=name,
                    type=type_names.get(kind, kind),
                    country=country_name(country),
                    attendees=n,
                )
                for name, kind, country, n in organisations.values()
            ),
            key=lambda o: (o.type, o.name.casefold()),
        ),
        overall=feedback["overall"],
        ratings=feedback["ratings"],
        quotes=feedback["quotes"],
        documents=list(Document.objects.filter(event=event).order_by("position", "title")),
        photos=list(Photo.objects.filter(event=event).order_by("position", "pk")),
        attendees=attendees,
    )


def _sessions(event: Event, attendance, ratings: dict[int, Rating]) -> list[SessionRow]:
    """The programme without breaks (as ``attendance`` has it), with speakers and ratings."""
    appearances = SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")
    sessions = (
        Session.objects.filter(pk__in=[s.pk for s in attendance.sessions])
        .select_related("track", "room")
        .prefetch_related(Prefetch("appearances", queryset=appearances))
        .order_by("start", "end", "pk")
    )
    return [
        SessionRow(
            pk=session.pk,
            title=session.title,
            kind=str(session.get_kind_display()),
            start=event.local(session.start),
            end=event.local(session.end),
            track=session.track.name if session.track else "",
            room=session.room.name if session.room else "",
            speakers=", ".join(a.speaker.name for a in session.appearances.all()),
            attended=len(attendance.by_session.get(session.pk, ())),
            rating=ratings.get(session.pk),
        )
        for session in sessions
    ]


def _speakers(event: Event) -> list[SpeakerRow]:
    appearances = (
        SessionSpeaker.objects.filter(session__event=event)
        .select_related("speaker__organisation")
        .order_by("speaker__name", "speaker_id", "session__start")
    )
    by_speaker: dict[int, list[SessionSpeaker]] = {}
    for appearance in appearances:
        by_speaker.setdefault(appearance.speaker_id, []).append(appearance)
    rows = []
    for items in by_speaker.values():
        speaker = items[0].speaker
        roles = sorted({str(item.get_role_display()) for item in items})
        rows.append(
            SpeakerRow(
                name=speaker.name,
                organisation=speaker.organisation.name if speaker.organisation else "",
                roles=", ".join(roles),
                sessions=len(items),
            )
        )
    return rows


def _label(stored: str, standard: str) -> str:
    """A question's wording in the active language, as ``feedback.question_label`` gives it."""
    known = STANDARD_QUESTIONS.get(standard)
    if known is not None and stored == known.label:
        return _(known.label)
    return stored


def _feedback(event: Event) -> dict:
    """Ratings overall, per session and per rating question; featured comments; response counts."""
    responses = SurveyResponse.objects.filter(survey__event=event).aggregate(
        invited=Count("pk", filter=Q(invited_at__isnull=False) | Q(submitted_at__isnull=False)),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
    )
    answers = (
        SurveyAnswer.objects.filter(
            response__survey__event=event, response__submitted_at__isnull=False
        )
        .order_by("question__position", "question_id", "pk")
        .values_list(
            "question_id",
            "question__kind",
            "question__label",
            "question__standard",
            "session_id",
            "session__title",
            "rating",
            "text",
            "featured",
        )
    )
    overall: list[int] = []
    per_session: dict[int, list[int]] = defaultdict(list)
    session_titles: dict[int, str] = {}
    per_question: dict[int, list[int]] = defaultdict(list)
    question_labels: dict[int, str] = {}
    quotes = []
    for (
        question_id,
        kind,
        stored,
        standard,
        session_id,
        session_title,
        value,
        text,
        featured,
    ) in answers:
        label = _label(stored, standard)
        if featured and text.strip():
            quotes.append(Quote(text=text.strip(), question=label, session=session_title or ""))
        if value is None:
            continue
        if kind == SurveyQuestionKind.OVERALL_RATING:
            overall.append(value)
        elif kind == SurveyQuestionKind.SESSION_RATINGS and session_id is not None:
            per_session[session_id].append(value)
            session_titles[session_id] = session_title
        elif kind == SurveyQuestionKind.RATING:
            per_question[question_id].append(value)
            question_labels[question_id] = label
    return {
        "invited": responses["invited"],
        "responses": responses["submitted"],
        "overall": rating(_("Overall"), overall) if overall else None,
        "sessions": {pk: rating(session_titles[pk], values) for pk, values in per_session.items()},
        "ratings": [rating(question_labels[pk], values) for pk, values in per_question.items()],
        "quotes": quotes,
    }
