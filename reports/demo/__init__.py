"""Sample participation in the demo's past events, so that their reports have something to show.

On ``agenda.demo.signals.demo_loaded`` (connected in ``ReportsConfig.ready``), every past demo
event without any registration gets invented participants (``people``: example.org addresses),
their registrations spread over the registration period, in-person check-ins or online joins,
a few organisers' attendance marks, and feedback survey answers with a few quotable comments.
The random draws are seeded per event, so every run makes the same data; an event that has
registrations already is left alone, so a second run changes nothing.

Rows are written with ``bulk_create`` (the demo loads in tests too), in the loader's transaction.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.utils.text import slugify

from agenda.demo.people import ORGANISATIONS as DEMO_ORGANISATIONS
from agenda.enums import SessionKind
from agenda.models import Event, Session
from badges.codes import new_code
from badges.models import Badge, CheckIn
from members.enums import OrganisationType
from members.models import Organisation, Person
from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.models import PrivacyNotice, Registration

from ..enums import StandardQuestion, SurveyQuestionKind
from ..feedback import add_standard_questions
from ..models import (
    AttendanceMark,
    OnlineJoin,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from ..selectors import event_attendance
from .people import JOB_TITLES, NAMES, NEXT_TOPICS, ORGANISATIONS, TAKEAWAYS

SEED = 20220125
POOL_SIZE = 240
SAMPLE = "(Sample data.)"


@dataclass(frozen=True)
class Plan:
    """How one past event went, in the sample: counts of registrations and of attendees."""

    confirmed: int
    cancelled: int
    waitlisted: int
    # Confirmed registrations that came (checked in or joined online) ...
    present: int
    # ... and no-shows whom an organiser marked as attended (paper list, joined by phone).
    marked_present: int
    # Share of attendees who answered the feedback survey.
    responses: float


PLANS: dict[str, Plan] = {
    # The kick-off "gathered 89 labour mobility practitioners": 88 joins and 1 mark.
    "lmpn-kick-off-meeting-2022": Plan(104, 6, 0, 88, 1, 0.52),
    "thematic-meeting-engaging-the-private-sector": Plan(72, 4, 0, 57, 1, 0.58),
    "lmpn-conference-2023-connecting-the-dots": Plan(116, 9, 0, 99, 2, 0.47),
    "lmpn-conference-2024-moving-talents": Plan(100, 7, 8, 95, 2, 0.55),
}

# How often each type of organisation sends someone, roughly as among the network's members.
TYPE_WEIGHTS: dict[str, int] = {
    OrganisationType.NATIONAL_AUTHORITY: 25,
    OrganisationType.EU_INSTITUTION: 8,
    OrganisationType.INTERNATIONAL_ORGANISATION: 12,
    OrganisationType.NGO: 14,
    OrganisationType.THINK_TANK_ACADEMIA: 9,
    OrganisationType.TRADE_UNION: 6,
    OrganisationType.EMPLOYERS_PRIVATE_SECTOR: 12,
    OrganisationType.DIASPORA_ORGANISATION: 5,
    OrganisationType.MIGRANT_ASSOCIATION: 4,
    OrganisationType.FOUNDATION: 5,
}

MARK_NOTES = (
    "On the paper attendance list; the badge was not scanned.",
    "Joined by phone; confirmed by the moderator.",
)


def _count(report: Any, model: type[models.Model], number: int) -> None:
    if number:
        report.created[str(model._meta.verbose_name_plural)] += number


def add_sample_participation(
    sender: Any, *, report: Any, events: Sequence[Event], now: datetime, **kwargs: Any
) -> None:
    """Receiver of ``demo_loaded``: sample participation for each past event that has none.

    Saves: organisations and people of the sample (those missing), then per event a privacy
    notice, registrations, badges, check-ins, online joins, attendance marks and a feedback
    survey with its responses. Counts what it made in ``report.created``.
    """
    todo = [
        event
        for event in events
        if event.slug in PLANS
        and event.end < now
        and not Registration.objects.filter(event=event).exists()
    ]
    if not todo:
        return
    people = _people(report)
    for event in todo:
        _Participation(event, PLANS[event.slug], people, report).make()


# --- people --------------------------------------------------------------------------------------


def _organisations(report: Any) -> list[Organisation]:
    wanted = {(name, country): kind for name, kind, country in ORGANISATIONS}
    existing = {
        (organisation.name, organisation.country.code): organisation
        for organisation in Organisation.objects.filter(name__in=[n for n, _c in wanted])
    }
    missing = [
        Organisation(name=name, type=kind, country=country)
        for (name, country), kind in wanted.items()
        if (name, country) not in existing
    ]
    Organisation.objects.bulk_create(missing)
    _count(report, Organisation, len(missing))
    demo = Organisation.objects.filter(name__in=[spec.name for spec in DEMO_ORGANISATIONS])
    return sorted([*existing.values(), *missing, *demo], key=lambda o: (o.name, o.country.code))


def _people(report: Any) -> list[Person]:
    """The pool of invented participants, the same on every run, made where missing."""
    rng = random.Random(SEED)  # noqa: S311 (sample data, not secrets)
    organisations = _organisations(report)
    by_type: dict[str, list[Organisation]] = {}
    for organisation in organisations:
        by_type.setdefault(organisation.type, []).append(organisation)
    types = [kind for kind in TYPE_WEIGHTS if kind in by_type]
    weights = [TYPE_WEIGHTS[kind] for kind in types]
    countries = sorted(NAMES)
    pool = []
    for number in range(1, POOL_SIZE + 1):
        organisation = rng.choice(by_type[rng.choices(types, weights)[0]])
        country = organisation.country.code
        if country not in NAMES:
            country = rng.choice(countries)
        first_names, last_names = NAMES[country]
        first, last = rng.choice(first_names), rng.choice(last_names)
        email = f"{slugify(first)}.{slugify(last)}.{number:03d}@example.org".replace("-", ".")
        pool.append(
            Person(
                first_name=first,
                last_name=last,
                email=email,
                organisation=organisation,
                job_title=rng.choice(JOB_TITLES),
                country=country,
            )
        )
    existing = {p.email: p for p in Person.objects.filter(email__in=[p.email for p in pool])}
    missing = [person for person in pool if person.email not in existing]
    Person.objects.bulk_create(missing)
    _count(report, Person, len(missing))
    return [existing.get(person.email, person) for person in pool]


# --- one event -----------------------------------------------------------------------------------


def _local(event: Event, day: date, hour: float) -> datetime:
    minutes = round(hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=event.tzinfo)


class _Participation:
    """The sample participation in one event; ``make`` writes it."""

    def __init__(self, event: Event, plan: Plan, people: list[Person], report: Any) -> None:
        self.event = event
        self.plan = plan
        self.people = people
        self.report = report
        self.rng = random.Random(f"{SEED}:{event.slug}")  # noqa: S311
        self.sessions = list(event.sessions.order_by("start", "pk"))
        self.days = sorted({event.local(s.start).date() for s in self.sessions}) or [
            event.local(event.start).date()
        ]
        self.online = not event.has_in_person

    def make(self) -> None:
        registrations = self.registrations()
        confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
        present = self.rng.sample(confirmed, self.plan.present)
        came = {registration.pk for registration in present}
        no_shows = [r for r in confirmed if r.pk not in came]
        marked = self.rng.sample(no_shows, self.plan.marked_present)
        if self.online:
            self.online_joins(present)
        else:
            self.checkins(confirmed, present)
        self.marks(marked)
        self.survey()

    # --- registrations

    def registrations(self) -> list[Registration]:
        event, plan, rng = self.event, self.plan, self.rng
        total = plan.confirmed + plan.cancelled + plan.waitlisted
        chosen = rng.sample(self.people, total)
        opens = event.registration_opens or event.start - timedelta(days=30)
        closes = event.registration_closes or event.start
        span = (closes - opens).total_seconds()
        moments = sorted(opens + timedelta(seconds=span * self._when()) for _ in range(total))
        # The last ones found the event full; cancellations happen among the others.
        statuses = [RegistrationStatus.CONFIRMED] * (plan.confirmed + plan.cancelled)
        for index in rng.sample(range(len(statuses)), plan.cancelled):
            statuses[index] = RegistrationStatus.CANCELLED
        statuses += [RegistrationStatus.WAITLISTED] * plan.waitlisted
        notice, created = PrivacyNotice.objects.get_or_create(
            event=event,
            version="sample",
            defaults={
                "text": "How the network keeps registrations for this event. " + SAMPLE,
                "published_at": opens - timedelta(days=1),
            },
        )
        _count(self.report, PrivacyNotice, int(created))
        mode = AttendanceMode.ONLINE if self.online else AttendanceMode.IN_PERSON
        registrations = [
            Registration(
                event=event,
                person=person,
                status=status,
                mode=mode,
                language="fr" if rng.random() < 0.15 else "en",
                privacy_notice=notice,
                privacy_accepted_at=moment,
                photo_consent=rng.random() < 0.85,
                waitlisted_at=moment if status == RegistrationStatus.WAITLISTED else None,
            )
            for person, status, moment in zip(chosen, statuses, moments, strict=True)
        ]
        Registration.objects.bulk_create(registrations)
        # created_at is set on insert; the sample's own times are written afterwards.
        for registration in registrations:
            registration.created_at = registration.updated_at = registration.privacy_accepted_at
        Registration.objects.bulk_update(registrations, ["created_at", "updated_at"])
        _count(self.report, Registration, len(registrations))
        return registrations

    def _when(self) -> float:
        """Where in the registration period someone signs up: many early, a rush at the end."""
        draw = self.rng.random()
        if draw < 0.5:
            return self.rng.betavariate(1, 4)
        if draw < 0.8:
            return self.rng.random()
        return self.rng.betavariate(5, 1)

    # --- attendance

    def checkins(self, confirmed: list[Registration], present: list[Registration]) -> None:
        """Door check-ins with badges; scans at parallel and networking sessions and on the
        last day."""
        event, rng = self.event, self.rng
        badges = [
            Badge(registration=r, event=event, code=new_code(event_id=event.pk)) for r in confirmed
        ]
        Badge.objects.bulk_create(badges)
        badge_of = {badge.registration_id: badge for badge in badges}
        checkins, door_day = [], {}
        for registration in present:
            # A few come for the second day only.
            day = self.days[-1] if len(self.days) > 1 and rng.random() < 0.04 else self.days[0]
            door_day[registration.pk] = day
            at = _local(event, day, rng.uniform(7.5, 9.2))
            checkins.append(
                CheckIn(
                    registration=registration,
                    event=event,
                    badge=badge_of[registration.pk],
                    at=at,
                    recorded_at=at,
                )
            )
        # On the last day the organisers scanned at every session: some had left by then.
        last_day = self.days[-1] if len(self.days) > 1 else None
        for group in self._parallel_groups():
            day = event.local(group[0].start).date()
            weights = [rng.uniform(0.6, 1.4) for _ in group]
            for registration in present:
                if door_day[registration.pk] > day or rng.random() > 0.9:
                    continue
                session = rng.choices(group, weights)[0]
                checkins.append(self._scan(registration, session))
        for session in self.sessions:
            day = event.local(session.start).date()
            if session.kind == SessionKind.BREAK:
                continue
            if session.kind == SessionKind.NETWORKING or day == last_day:
                share = rng.uniform(0.78, 0.9) if day == last_day else rng.uniform(0.55, 0.8)
                checkins.extend(
                    self._scan(registration, session)
                    for registration in present
                    if door_day[registration.pk] <= day and rng.random() < share
                )
        CheckIn.objects.bulk_create(checkins)
        _count(self.report, Badge, len(badges))
        _count(self.report, CheckIn, len(checkins))

    def _scan(self, registration: Registration, session: Session) -> CheckIn:
        at = session.start - timedelta(minutes=self.rng.uniform(0, 8))
        return CheckIn(
            registration=registration, event=self.event, session=session, at=at, recorded_at=at
        )

    def _parallel_groups(self) -> list[list[Session]]:
        """Sessions of the programme that run alongside each other, by time slot."""
        slots: dict[datetime, list[Session]] = {}
        for session in self.sessions:
            if session.kind not in (SessionKind.BREAK, SessionKind.NETWORKING):
                slots.setdefault(session.start, []).append(session)
        return [group for group in slots.values() if len(group) > 1]

    def online_joins(self, present: list[Registration]) -> None:
        """Joins through the event's link (a few late, some twice) and the sessions' own links."""
        event, rng = self.event, self.rng
        joins = []
        for registration in present:
            late = rng.random() < 0.12
            first = event.start + timedelta(
                minutes=rng.uniform(35, 70) if late else rng.uniform(-8, 6)
            )
            joins.append(OnlineJoin(registration=registration, joined_at=first))
            if rng.random() < 0.2:
                again = first + timedelta(minutes=rng.uniform(20, 60))
                joins.append(OnlineJoin(registration=registration, joined_at=again))
        for group in self._parallel_groups():
            for registration in present:
                if rng.random() < 0.9:
                    session = rng.choice(group)
                    joins.append(self._join(registration, session))
        for session in self.sessions:
            if session.kind == SessionKind.NETWORKING:
                joins.extend(
                    self._join(registration, session)
                    for registration in present
                    if rng.random() < 0.6
                )
        OnlineJoin.objects.bulk_create(joins)
        _count(self.report, OnlineJoin, len(joins))

    def _join(self, registration: Registration, session: Session) -> OnlineJoin:
        at = session.start + timedelta(minutes=self.rng.uniform(-3, 4))
        return OnlineJoin(registration=registration, session=session, joined_at=at)

    def marks(self, marked: Iterable[Registration]) -> None:
        when = self.event.end + timedelta(days=1)
        note = MARK_NOTES[1] if self.online else MARK_NOTES[0]
        rows = [
            AttendanceMark(registration=r, attended=True, note=note, marked_at=when) for r in marked
        ]
        AttendanceMark.objects.bulk_create(rows)
        _count(self.report, AttendanceMark, len(rows))

    # --- feedback

    def survey(self) -> None:
        """The standard survey plus one rating question; about half the attendees answered."""
        event, rng = self.event, self.rng
        invited = event.end + timedelta(hours=2)
        survey = Survey.objects.create(
            event=event,
            intro="Thank you for taking part: a few questions, two minutes. " + SAMPLE,
            closes_at=event.end + timedelta(days=Survey.DEFAULT_OPEN_DAYS),
            invitations_sent_at=invited,
        )
        questions = {q.standard: q for q in add_standard_questions(survey=survey)}
        useful = SurveyQuestion.objects.create(
            survey=survey,
            kind=SurveyQuestionKind.RATING,
            label="How useful was the event for your work?",
            help_text="1 is not at all, 5 is very useful.",
            position=15,
        )
        attendance = event_attendance(event=event)
        quality = {s.pk: rng.uniform(3.5, 4.6) for s in attendance.sessions}
        responses = [
            SurveyResponse(
                survey=survey,
                registration_id=registration_id,
                invited_at=invited,
                submitted_at=(
                    invited + timedelta(hours=rng.uniform(1, 240))
                    if rng.random() < self.plan.responses
                    else None
                ),
            )
            for registration_id in sorted(attendance.attended)
        ]
        SurveyResponse.objects.bulk_create(responses)
        answers: list[SurveyAnswer] = []
        featured: set[int] = set()
        for response in responses:
            if response.submitted_at is None:
                continue
            answers.append(self._rating(response, questions[StandardQuestion.OVERALL], 4.2))
            for session in attendance.sessions_of(response.registration_id):
                if rng.random() < 0.75:
                    answers.append(
                        self._rating(
                            response,
                            questions[StandardQuestion.SESSIONS],
                            quality[session.pk],
                            session=session,
                        )
                    )
            if rng.random() < 0.9:
                answers.append(self._rating(response, useful, 4.0))
            if rng.random() < 0.4:
                index = rng.randrange(len(TAKEAWAYS))
                # Organisers chose three different comments of the first, quotable kind.
                quote = index < 6 and index not in featured and len(featured) < 3
                if quote:
                    featured.add(index)
                answers.append(
                    SurveyAnswer(
                        response=response,
                        question=questions[StandardQuestion.MOST_USEFUL],
                        text=TAKEAWAYS[index],
                        featured=quote,
                    )
                )
            if rng.random() < 0.25:
                answers.append(
                    SurveyAnswer(
                        response=response,
                        question=questions[StandardQuestion.COMMENTS],
                        text=f"Next time, a session on: {rng.choice(NEXT_TOPICS).lower()}.",
                    )
                )
        SurveyAnswer.objects.bulk_create(answers)
        _count(self.report, Survey, 1)
        _count(self.report, SurveyQuestion, len(questions) + 1)
        _count(self.report, SurveyResponse, len(responses))
        _count(self.report, SurveyAnswer, len(answers))

    def _rating(
        self,
        response: SurveyResponse,
        question: SurveyQuestion,
        mean: float,
        *,
        session: Session | None = None,
    ) -> SurveyAnswer:
        return SurveyAnswer(
            response=response, question=question, session=session, rating=self._rate(mean)
        )

    def _rate(self, mean: float) -> int:
        return min(5, max(1, round(self.rng.gauss(mean, 0.75))))
