"""The network's dashboard for organisers: its events and participants across the years.

Counted as in each event's report (``figures``): *participants* are confirmed registrations
that attended (``selectors.event_attendance``). Across events a participant is a person: a
*returning* participant attended an earlier event of the network; the mix of organisation types
and countries counts each person once, with their current organisation and country.

Only published events that have ended count. Queries: four, and the six of
``event_attendance`` for each event counted.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.enums import EventStatus
from agenda.models import Event
from members.enums import OrganisationType
from registrations.enums import RegistrationStatus
from registrations.models import Registration

from .enums import SurveyQuestionKind
from .figures import MAX_COUNTRIES, Bar, country_name, ranked_bars
from .models import Report, SurveyAnswer
from .selectors import event_attendance


@dataclass(frozen=True)
class EventRow:
    event: Event
    registered: int
    attended: int
    first_time: int
    organisations: int
    countries: int
    overall_rating: float | None
    report: Report | None

    @property
    def no_show_rate(self) -> float | None:
        return (self.registered - self.attended) / self.registered if self.registered else None


@dataclass(frozen=True)
class Year:
    year: int
    events: int
    attendances: int
    participants: int
    returning: int

    @property
    def first_time(self) -> int:
        return self.participants - self.returning


@dataclass
class NetworkFigures:
    generated_at: datetime
    events: list[EventRow]
    years: list[Year]
    participants: int
    returning: int
    attendances: int
    by_organisation_type: list[Bar]
    by_country: list[Bar]

    @property
    def returning_share(self) -> float | None:
        return self.returning / self.participants if self.participants else None


def network_figures(*, now: datetime | None = None) -> NetworkFigures:
    """The dashboard's numbers over every published event that ended before ``now``."""
    now = now or timezone.now()
    events = list(
        Event.objects.filter(status=EventStatus.PUBLISHED, end__lte=now)
        .select_related("report")
        .order_by("start", "pk")
    )
    rows = list(
        Registration.objects.filter(event__in=events, status=RegistrationStatus.CONFIRMED)
        .values_list(
            "pk",
            "event_id",
            "person_id",
            "person__country",
            "person__organisation_id",
            "person__organisation__type",
            "person__organisation__country",
        )
        .order_by()
    )
    ratings = dict(
        SurveyAnswer.objects.filter(
            response__survey__event__in=events,
            response__submitted_at__isnull=False,
            question__kind=SurveyQuestionKind.OVERALL_RATING,
            rating__isnull=False,
        )
        .values_list("response__survey__event_id")
        .annotate(average=Avg("rating"))
        .order_by()
    )
    by_event: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_event[row[1]].append(row)

    events_of: Counter = Counter()
    people: dict[int, tuple] = {}
    event_rows = []
    year_events: Counter = Counter()
    year_attendances: Counter = Counter()
    year_people: dict[int, set[int]] = defaultdict(set)
    year_returning: dict[int, set[int]] = defaultdict(set)
    for event in events:
        attended = event_attendance(event=event).attended
        year = event.local(event.start).year
        year_events[year] += 1
        came = [row for row in by_event[event.pk] if row[0] in attended]
        first_time = 0
        for _pk, _event_id, person_id, *where in came:
            year_attendances[year] += 1
            year_people[year].add(person_id)
            if events_of[person_id]:
                year_returning[year].add(person_id)
            else:
                first_time += 1
            events_of[person_id] += 1
            people[person_id] = tuple(where)
        event_rows.append(
            EventRow(
                event=event,
                registered=len(by_event[event.pk]),
                attended=len(came),
                first_time=first_time,
                organisations=len({row[4] for row in came if row[4] is not None}),
                countries=len({row[3] or row[6] for row in came if row[3] or row[6]}),
                overall_rating=ratings.get(event.pk),
                report=getattr(event, "report", None),
            )
        )

    by_type: Counter = Counter()
    by_country: Counter = Counter()
    for country, _organisation_id, kind, organisation_country in people.values():
        by_type[kind or ""] += 1
        by_country[country or organisation_country or ""] += 1
    type_names = {key: str(label) for key, label in OrganisationType.choices}
    type_names[""] = _("Unknown")
    return NetworkFigures(
        generated_at=now,
        events=event_rows,
        years=[
            Year(
                year=year,
                events=year_events[year],
                attendances=year_attendances[year],
                participants=len(year_people[year]),
                returning=len(year_returning[year]),
            )
            for year in sorted(year_events)
        ],
        participants=len(people),
        returning=sum(1 for count in events_of.values() if count > 1),
        attendances=sum(year_attendances.values()),
        by_organisation_type=ranked_bars(by_type, type_names),
        by_country=ranked_bars(
            by_country, {code: country_name(code) for code in by_country}, limit=MAX_COUNTRIES
        ),
    )


def dashboard_charts(figures: NetworkFigures) -> dict:
    """The dashboard's charts, drawn as the report's are."""
    from .charts import ORANGE, bar_chart, column_chart

    charts = {}
    years = [str(year.year) for year in figures.years]
    if years:
        charts["events"] = column_chart(
            years,
            [(_("Events"), [year.events for year in figures.years])],
            ylabel=_("Events"),
            alt=_("Column chart of the events per year: %(years)s.")
            % {"years": ", ".join(f"{y.year}: {y.events}" for y in figures.years)},
        )
        charts["participants"] = column_chart(
            years,
            [
                (_("First event"), [year.first_time for year in figures.years]),
                (_("Returning"), [year.returning for year in figures.years]),
            ],
            ylabel=_("Participants"),
            stacked=True,
            alt=_(
                "Stacked column chart of the participants per year, first-timers and returning: "
                "%(years)s."
            )
            % {
                "years": ", ".join(
                    f"{y.year}: {y.first_time} + {y.returning}" for y in figures.years
                )
            },
        )
    if figures.by_organisation_type:
        bars = figures.by_organisation_type
        charts["organisation_types"] = bar_chart(
            [bar.label for bar in bars],
            [bar.value for bar in bars],
            xlabel=_("Participants"),
            alt=_("Bar chart of participants by type of organisation: %(bars)s.")
            % {"bars": ", ".join(f"{bar.label} {bar.value:.0f}" for bar in bars)},
        )
    if figures.by_country:
        bars = figures.by_country
        charts["countries"] = bar_chart(
            [bar.label for bar in bars],
            [bar.value for bar in bars],
            xlabel=_("Participants"),
            colour=ORANGE,
            alt=_("Bar chart of participants by country: %(bars)s.")
            % {"bars": ", ".join(f"{bar.label} {bar.value:.0f}" for bar in bars)},
        )
    return charts
