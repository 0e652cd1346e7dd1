"""Asking for a report and building it: replacing files, failures, reruns and newer requests."""

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from agenda.enums import EventFormat
from reports.building import ReportNotAvailable, build_report, folder, request_report
from reports.enums import ReportStatus
from reports.figures import event_figures
from reports.models import Report
from tests.factories import SessionFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import OnlineJoinFactory, ended_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    """An in-person event that has ended: three confirmed registrations, two checked in."""
    event = ended_event(title="Skills Partnerships Workshop", capacity_in_person=40)
    SessionFactory(event=event, title="Opening plenary")
    registrations = RegistrationFactory.create_batch(3, event=event)
    for registration in registrations[:2]:
        CheckInFactory(registration=registration)
    return event


def stored_files(event) -> list[str]:
    try:
        return sorted(default_storage.listdir(folder(event.pk))[1])
    except FileNotFoundError:
        return []


def build(report: Report) -> Report:
    return build_report(report_id=report.pk, attempt=report.attempt)


def test_request_report_queues_the_build_after_commit(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = request_report(event=event)

    assert (report.status, report.attempt, report.percent) == (ReportStatus.QUEUED, 1, 0)
    assert report.requested_at is not None
    assert len(callbacks) == 1
    assert stored_files(event) == []


def test_request_report_runs_the_task_which_makes_both_files(
    event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_report(event=event)

    report = Report.objects.get(event=event)
    assert (report.status, report.percent, report.stage, report.error) == (
        ReportStatus.DONE,
        100,
        "",
        "",
    )
    assert report.finished_at is not None
    assert stored_files(event) == sorted([Path(report.pdf.name).name, Path(report.xlsx.name).name])
    assert report.pdf.name.endswith("-report-skills-partnerships-workshop.pdf")


def test_request_report_again_replaces_the_files(event, django_capture_on_commit_callbacks):
    first = build(request_report(event=event))
    old = [first.pdf.name, first.xlsx.name]

    # The old files are deleted once the new ones are committed.
    with django_capture_on_commit_callbacks(execute=True):
        second = build(request_report(event=event))

    assert (second.status, second.attempt) == (ReportStatus.DONE, 2)
    assert {second.pdf.name, second.xlsx.name}.isdisjoint(old)
    assert [name for name in old if default_storage.exists(name)] == []
    assert stored_files(event) == sorted([Path(second.pdf.name).name, Path(second.xlsx.name).name])
    assert Report.objects.filter(event=event).count() == 1


def test_request_report_before_the_event_starts_is_refused(event):
    event.start = timezone.now() + timedelta(days=3)
    event.end = event.start + timedelta(hours=8)
    event.save()

    with pytest.raises(ReportNotAvailable) as refused:
        request_report(event=event)

    assert refused.value.code == "event_not_started"
    assert Report.objects.filter(event=event).exists() is False


def test_build_report_failing_to_store_leaves_failed_status_and_no_file(event, settings):
    # The storage cannot make the report's folder: a file is in its way.
    root = Path(settings.MEDIA_ROOT)
    (root / "reports").mkdir(parents=True)
    (root / "reports" / str(event.pk)).write_text("not a folder")

    report = build(request_report(event=event))

    assert report.status == ReportStatus.FAILED
    assert report.error.startswith("The report could not be made: ")
    assert report.finished_at is not None
    assert (report.pdf.name, report.xlsx.name) == ("", "")
    assert (root / "reports" / str(event.pk)).read_text() == "not a folder"


def test_build_report_failing_again_keeps_the_previous_files(event, monkeypatch):
    done = build(request_report(event=event))

    def crash(self, target=None, **options):
        target.write(b"%PDF-1.7 half a page")
        raise OSError("the renderer ran out of memory")

    # WeasyPrint failing halfway through writing its output.
    monkeypatch.setattr("weasyprint.HTML.write_pdf", crash)
    failed = build(request_report(event=event))

    assert failed.status == ReportStatus.FAILED
    assert "OSError: the renderer ran out of memory" in failed.error
    assert (failed.pdf.name, failed.xlsx.name) == (done.pdf.name, done.xlsx.name)
    assert stored_files(event) == sorted([Path(done.pdf.name).name, Path(done.xlsx.name).name])
    assert default_storage.open(done.pdf.name).read()[:5] == b"%PDF-"


def test_build_report_of_an_overtaken_attempt_stops_without_files(event):
    first = request_report(event=event)
    second = request_report(event=event)

    overtaken = build_report(report_id=first.pk, attempt=1)

    assert (overtaken.status, overtaken.attempt) == (ReportStatus.QUEUED, 2)
    assert stored_files(event) == []
    assert build(second).status == ReportStatus.DONE


def test_build_report_run_twice_keeps_one_pair_of_files(event):
    report = request_report(event=event)
    done = build(report)

    again = build(report)

    assert (again.status, again.pdf.name, again.xlsx.name) == (
        ReportStatus.DONE,
        done.pdf.name,
        done.xlsx.name,
    )
    assert len(stored_files(event)) == 2


def test_build_report_after_a_killed_worker_deletes_its_unfinished_file(event):
    report = request_report(event=event)
    # What a worker killed while storing leaves: the report running, a file never swapped in.
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    unfinished = default_storage.save(
        f"{folder(event.pk)}/abc-report-skills-partnerships-workshop.pdf",
        ContentFile(b"%PDF-1.7 half a page"),
    )

    done = build(report)

    assert done.status == ReportStatus.DONE
    assert default_storage.exists(unfinished) is False
    assert stored_files(event) == sorted([Path(done.pdf.name).name, Path(done.xlsx.name).name])


def test_event_figures_queries_do_not_grow_with_the_event(event, django_assert_num_queries):
    for registration in RegistrationFactory.create_batch(20, event=event):
        CheckInFactory(registration=registration)
    SessionFactory.create_batch(3, event=event)

    # Six for the attendance rules; statuses, registrations, survey responses and answers,
    # sessions with their speakers (two), speakers, documents, photos.
    with django_assert_num_queries(15):
        figures = event_figures(event=event)

    assert (figures.key.registered, figures.key.attended) == (23, 22)


def test_build_report_of_a_hybrid_event_counts_both_modes(settings):
    event = ended_event(
        format=EventFormat.HYBRID, capacity_in_person=10, capacity_online=20, title="Hybrid Forum"
    )
    for registration in RegistrationFactory.create_batch(3, event=event):
        CheckInFactory(registration=registration)
    for _ in range(2):
        OnlineJoinFactory(registration__event=event)

    report = build(request_report(event=event))

    text = " ".join(
        subprocess.run(  # noqa: S603 - fixed program, our own file
            ["/usr/bin/pdftotext", report.pdf.path, "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert report.status == ReportStatus.DONE
    assert "Registered 5 Attended 5 Attended in person 3 Attended online 2" in text
    # Five registered for thirty places.
    assert "Capacity used 17%" in text
