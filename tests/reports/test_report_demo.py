"""The post-event report built from the demo data: its PDF and workbook show the right numbers.

The demo is loaded once for this module (it takes seconds) inside a transaction that is rolled
back at the end; each test runs in a savepoint of it. The key figures are counted here with
plain queries, by the rules the report states, not by ``reports.figures``.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models.functions import Coalesce
from django.test import override_settings
from openpyxl import load_workbook

from agenda.demo.loader import load_demo
from agenda.models import Event
from badges.models import CheckIn
from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.models import Registration
from reports.building import build_report, request_report
from reports.enums import ReportStatus
from reports.models import AttendanceMark, OnlineJoin, Report, SurveyResponse

CONFERENCE = "lmpn-conference-2024-moving-talents"
KICK_OFF = "lmpn-kick-off-meeting-2022"


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("report-demo-media")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media):
    """The demo with the conference's report, made and rolled back once for the module."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo()
            build(CONFERENCE)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def media(settings, demo, demo_media) -> Path:
    settings.MEDIA_ROOT = demo_media
    return demo_media


def build(slug: str) -> Report:
    """Asks for the report of ``slug`` and builds it, as the task does after the commit."""
    report = request_report(event=Event.objects.get(slug=slug))
    return build_report(report_id=report.pk, attempt=report.attempt)


def conference_report() -> Report:
    return Report.objects.get(event__slug=CONFERENCE)


@dataclass(frozen=True)
class Expected:
    registered: int
    attended: int
    in_person: int
    online: int
    organisations: int
    countries: int
    responses: int

    @property
    def no_show_rate(self) -> str:
        return f"{round(100 * (self.registered - self.attended) / self.registered)}%"


def expected_figures(event: Event) -> Expected:
    """The key figures by the report's definitions, counted directly.

    Attended: a confirmed registration with a check-in not undone, an online join or a mark
    saying it attended, less those an event-wide mark says did not.
    """
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    came = (
        set(
            CheckIn.objects.filter(registration__in=confirmed, undone_at__isnull=True).values_list(
                "registration_id", flat=True
            )
        )
        | set(
            OnlineJoin.objects.filter(registration__in=confirmed).values_list(
                "registration_id", flat=True
            )
        )
        | set(
            AttendanceMark.objects.filter(registration__in=confirmed, attended=True).values_list(
                "registration_id", flat=True
            )
        )
    ) - set(
        AttendanceMark.objects.filter(
            registration__in=confirmed, session__isnull=True, attended=False
        ).values_list("registration_id", flat=True)
    )
    attendees = confirmed.filter(pk__in=came)
    return Expected(
        registered=confirmed.count(),
        attended=attendees.count(),
        in_person=attendees.filter(mode=AttendanceMode.IN_PERSON).count(),
        online=attendees.filter(mode=AttendanceMode.ONLINE).count(),
        organisations=attendees.values("person__organisation").distinct().count(),
        countries=attendees.annotate(
            where=Coalesce("person__country", "person__organisation__country")
        )
        .values("where")
        .distinct()
        .count(),
        responses=SurveyResponse.objects.filter(
            survey__event=event, submitted_at__isnull=False
        ).count(),
    )


def pdf_text(path: Path) -> str:
    text = subprocess.run(  # noqa: S603 - fixed program, our own file
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def page_count(path: Path) -> int:
    info = subprocess.run(  # noqa: S603 - fixed program, our own file
        ["/usr/bin/pdfinfo", str(path)], capture_output=True, text=True, check=True
    )
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def summary(path: Path) -> dict:
    sheet = load_workbook(path, read_only=True)["Summary"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.mark.django_db
def test_report_of_demo_conference_is_done_with_both_files(media):
    report = conference_report()

    assert report.status == ReportStatus.DONE
    assert (report.percent, report.error) == (100, "")
    assert Path(report.pdf.path).read_bytes()[:5] == b"%PDF-"
    assert Path(report.xlsx.path).read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in Path(report.pdf.path).parent.iterdir()) == sorted(
        [Path(report.pdf.name).name, Path(report.xlsx.name).name]
    )


@pytest.mark.django_db
def test_report_pdf_pages_render(media, tmp_path):
    report = conference_report()
    pages = page_count(Path(report.pdf.path))

    subprocess.run(  # noqa: S603 - fixed program, our own file
        ["/usr/bin/pdftoppm", "-r", "30", "-png", report.pdf.path, str(tmp_path / "page")],
        check=True,
    )

    images = sorted(tmp_path.glob("page-*.png"))
    assert pages >= 9
    assert len(images) == pages
    assert [image.name for image in images if image.stat().st_size < 2000] == []


@pytest.mark.django_db
def test_report_pdf_text_shows_the_key_figures(media):
    event = Event.objects.get(slug=CONFERENCE)
    expected = expected_figures(event)

    text = pdf_text(Path(conference_report().pdf.path))

    assert (
        f"{expected.attended} people attended out of {expected.registered} registered, from "
        f"{expected.organisations} organisations in {expected.countries} countries." in text
    )
    capacity = round(100 * expected.registered / event.capacity_in_person)
    assert (
        f"Registered {expected.registered} Attended {expected.attended} "
        f"Attended in person {expected.in_person} "
        f"Did not attend {expected.registered - expected.attended} "
        f"No-show rate {expected.no_show_rate} Capacity used {capacity}%"
    ) in text
    assert (
        f"Organisations represented {expected.organisations} "
        f"Countries represented {expected.countries}"
    ) in text
    assert f"{expected.responses} attendees answered the feedback survey" in text
    assert "Moving Talents: Scaling up Action in Key Sectors" in text
    assert "Talent Partnerships" in text


@pytest.mark.django_db
def test_report_of_online_kick_off_counts_its_89_participants(media):
    expected = expected_figures(Event.objects.get(slug=KICK_OFF))

    text = pdf_text(Path(build(KICK_OFF).pdf.path))

    assert (expected.attended, expected.online, expected.in_person) == (89, 89, 0)
    assert f"{expected.attended} people attended out of {expected.registered} registered" in text
    assert "Attended online 89 Did not attend" in text


@pytest.mark.django_db
def test_report_workbook_reads_back_the_same_numbers(media):
    event = Event.objects.get(slug=CONFERENCE)
    expected = expected_figures(event)

    report = conference_report()

    figures = summary(Path(report.xlsx.path))
    assert (
        figures["Registered"],
        figures["Attended"],
        figures["Attended in person"],
        figures["Attended online"],
        figures["Did not attend"],
        figures["Organisations"],
        figures["Countries"],
        figures["Survey: answers"],
        figures["In-person capacity"],
    ) == (
        expected.registered,
        expected.attended,
        expected.in_person,
        expected.online,
        expected.registered - expected.attended,
        expected.organisations,
        expected.countries,
        expected.responses,
        event.capacity_in_person,
    )
    assert figures["No-show rate"] == pytest.approx(
        (expected.registered - expected.attended) / expected.registered
    )
    workbook = load_workbook(report.xlsx.path, read_only=True)
    attendees = list(workbook["Attendees"].iter_rows(min_row=2, values_only=True))
    assert len(attendees) == expected.registered
    assert sum(1 for row in attendees if row[5] == "Yes") == expected.attended
    organisation_types = list(workbook["Organisation types"].iter_rows(min_row=2, values_only=True))
    assert sum(count for _label, count in organisation_types) == expected.attended


@pytest.mark.django_db
def test_report_workbook_names_nobody(media):
    report = conference_report()
    emails = set(
        Registration.objects.filter(event__slug=CONFERENCE).values_list("person__email", flat=True)
    )
    last_names = set(
        Registration.objects.filter(event__slug=CONFERENCE).values_list(
            "person__last_name", flat=True
        )
    )

    workbook = load_workbook(report.xlsx.path, read_only=True)
    cells = {
        str(value)
        for name in ("Attendees", "Organisation types", "Countries", "Summary")
        for row in workbook[name].iter_rows(values_only=True)
        for value in row
        if value is not None
    }

    assert cells & emails == set()
    assert {cell for cell in cells if cell in last_names} == set()
