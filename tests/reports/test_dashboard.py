"""The network dashboard: events per year, participants, returning participants, their mix."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.enums import EventStatus
from members.enums import OrganisationType
from registrations.enums import RegistrationStatus
from reports.dashboard import network_figures
from tests.factories import EventFactory, OrganisationFactory, PersonFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


def past_event(year: int, **kwargs):
    start = datetime(year, 11, 19, 9, 0, tzinfo=BRUSSELS)
    return EventFactory(start=start, end=start + timedelta(hours=8), **kwargs)


def attend(event, person):
    CheckInFactory(registration=RegistrationFactory(event=event, person=person))


@pytest.fixture
def network():
    """Ana comes to both events, Ben to the first, Dara to the second; Cleo never comes."""
    ngo = OrganisationFactory(type=OrganisationType.NGO, country="PT")
    ministry = OrganisationFactory(type=OrganisationType.NATIONAL_AUTHORITY, country="PL")
    ana = PersonFactory(first_name="Ana", organisation=ngo, country="PT")
    ben = PersonFactory(first_name="Ben", organisation=ministry, country="")
    cleo = PersonFactory(first_name="Cleo", organisation=ministry, country="PL")
    dara = PersonFactory(first_name="Dara", organisation=ngo, country="ES")
    first = past_event(2023, title="Connecting the Dots")
    second = past_event(2024, title="Moving Talents")
    attend(first, ana)
    attend(first, ben)
    RegistrationFactory(event=first, person=cleo)
    attend(second, ana)
    attend(second, dara)
    RegistrationFactory(event=second, person=cleo, status=RegistrationStatus.CANCELLED)
    # Not counted: an event to come, and a draft.
    attend(EventFactory(start=timezone.now() + timedelta(days=9)), cleo)
    attend(past_event(2024, title="Draft", status=EventStatus.DRAFT), cleo)
    return first, second


def test_network_figures_count_a_person_at_two_events_as_returning(network):
    figures = network_figures()

    assert (figures.participants, figures.returning, figures.attendances) == (3, 1, 4)
    assert [
        (y.year, y.events, y.participants, y.returning, y.first_time) for y in figures.years
    ] == [
        (2023, 1, 2, 0, 2),
        (2024, 1, 2, 1, 1),
    ]


def test_network_figures_per_event(network):
    first, second = network

    rows = {row.event.pk: row for row in network_figures().events}

    assert (rows[first.pk].registered, rows[first.pk].attended, rows[first.pk].first_time) == (
        3,
        2,
        2,
    )
    assert rows[first.pk].no_show_rate == pytest.approx(1 / 3)
    assert (rows[second.pk].registered, rows[second.pk].attended) == (2, 2)
    assert (rows[second.pk].first_time, rows[second.pk].countries) == (1, 2)


def test_network_figures_mix_counts_each_person_once(network):
    figures = network_figures()

    assert [(bar.label, bar.value) for bar in figures.by_organisation_type] == [
        ("NGO", 2),
        ("National authority", 1),
    ]
    # Ben has no country of his own: his organisation's counts.
    assert [(bar.label, bar.value) for bar in figures.by_country] == [
        ("Poland", 1),
        ("Portugal", 1),
        ("Spain", 1),
    ]


def test_network_figures_without_past_events_are_empty():
    figures = network_figures()

    assert (figures.events, figures.years, figures.participants, figures.returning) == (
        [],
        [],
        0,
        0,
    )


def test_dashboard_page_shows_the_charts_and_events(organiser_client, network):
    page = organiser_client.get(reverse("admin:reports_report_dashboard"))

    content = page.content.decode()
    assert page.status_code == 200
    assert content.count("data:image/svg+xml") == 4
    assert "Connecting the Dots" in content
    assert "Moving Talents" in content


def test_dashboard_page_queries_with_one_event(organiser_client, django_assert_num_queries):
    attend(past_event(2023), PersonFactory())
    organiser_client.get(reverse("admin:reports_report_dashboard"))

    # Session, user, permissions (2), events, registrations, ratings; six per event attended.
    with django_assert_num_queries(13):
        organiser_client.get(reverse("admin:reports_report_dashboard"))


def test_dashboard_page_queries_with_three_events(organiser_client, django_assert_num_queries):
    for year in (2022, 2023, 2024):
        attend(past_event(year), PersonFactory())
    organiser_client.get(reverse("admin:reports_report_dashboard"))

    with django_assert_num_queries(25):
        organiser_client.get(reverse("admin:reports_report_dashboard"))
