"""Making an event's post-event report: requested by an organiser, built by a Celery task.

``request_report`` raises the event's ``Report.attempt`` and queues ``reports.tasks.build_report``
with it; ``build_report`` counts (``figures``), draws (``charts``), lays out the PDF (``pdf``)
and writes the workbook (``xlsx``), saving its stage and percentage as it goes, which the
report's page polls.

Files are never half-written where anyone can see them. The task writes both files to local
temporary files, then stores them under new random names (``models.report_path``), then swaps
them in: one UPDATE, under the report's row lock, and only if the attempt is still the latest.
The files they replace are deleted after that commit. So the report always names two complete
files, or none, and asking again replaces them.

Safe to run again, and to be killed: the task is ``acks_late``, so a worker killed mid-build
leaves the task to be delivered again; the new run finds the report still running at the same
attempt, claims it again, deletes whatever the killed run stored but never swapped in, and
builds. A run whose attempt has been overtaken by a newer request stops at its next progress
save (``Superseded``) and deletes what it stored.
"""

import logging
import tempfile
from collections.abc import Callable
from typing import Any, BinaryIO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agenda.models import Event

from .enums import ReportStatus
from .exceptions import ReportsError
from .models import Report

logger = logging.getLogger(__name__)

# Stages, as the report's page shows them while it is made, with the percentage reached.
STAGES = {
    "queued": (gettext_lazy("Waiting for a worker"), 0),
    "counting": (gettext_lazy("Counting registrations, attendance and feedback"), 5),
    "charts": (gettext_lazy("Drawing the charts"), 20),
    "pdf": (gettext_lazy("Laying out the PDF"), 35),
    "xlsx": (gettext_lazy("Writing the workbook"), 85),
    "saving": (gettext_lazy("Saving the files"), 95),
}


# The report's files, by the name of their field, with their content types.
FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def may_view_reports(user: Any) -> bool:
    """Staff allowed to read reports and the dashboard ("Can view report")."""
    return bool(user.is_active and user.is_staff and user.has_perm("reports.view_report"))


def may_request_reports(user: Any) -> bool:
    """Staff allowed to ask for reports ("Can add report")."""
    return bool(user.is_active and user.is_staff and user.has_perm("reports.add_report"))


class ReportNotAvailable(ReportsError):
    code = "report_not_available"
    status = 409


class Superseded(Exception):
    """A newer request for the report overtook the attempt being built."""


def folder(event_id: int) -> str:
    """Where the files of an event's report are stored: that report's and nothing else."""
    return f"reports/{event_id}"


def check_report_possible(*, event: Event) -> None:
    """An event's report can be made once the event has started."""
    if event.start > timezone.now():
        raise ReportNotAvailable(
            _("The report can be made once the event has started."), code="event_not_started"
        )


def request_report(*, event: Event, actor: Any = None, language: str = "en") -> Report:
    """Asks for the report of ``event``, replacing the one there is once it is built.

    Saves: the event's ``Report`` (made on the first request) with its ``attempt`` raised,
    status queued, who asked and when. Locks: the report's row, so that two requests get two
    attempts. Queues: ``reports.tasks.build_report`` for the new attempt, after commit. A
    build of an older attempt still running stops at its next progress save.
    """
    from .tasks import build_report as build_report_task

    check_report_possible(event=event)
    with transaction.atomic():
        Report.objects.get_or_create(event=event)
        report = Report.objects.select_for_update().get(event=event)
        report.attempt += 1
        report.status = ReportStatus.QUEUED
        report.stage, report.percent = str(STAGES["queued"][0]), 0
        report.error = ""
        report.language = language
        report.requested_by = actor if getattr(actor, "is_authenticated", False) else None
        report.requested_at = timezone.now()
        report.started_at = report.finished_at = None
        report.save()
        report_id, attempt = report.pk, report.attempt
        transaction.on_commit(lambda: build_report_task.delay(report_id, attempt))
    return report


def _progress(report_id: int, attempt: int) -> Callable[[str], None]:
    """Saves a stage of ``attempt``; raises ``Superseded`` if a newer request has come."""

    def save(stage: str) -> None:
        label, percent = STAGES[stage]
        # update(), not save(): the page polls these columns while the task works.
        updated = Report.objects.filter(
            pk=report_id, attempt=attempt, status=ReportStatus.RUNNING
        ).update(stage=str(label), percent=percent)
        if not updated:
            raise Superseded

    return save


def _claim(report_id: int, attempt: int) -> bool:
    """Marks ``attempt`` running, unless it is done or a newer one was asked for."""
    claimed = (
        Report.objects.filter(pk=report_id, attempt=attempt)
        .exclude(status=ReportStatus.DONE)
        .update(
            status=ReportStatus.RUNNING,
            stage=str(STAGES["counting"][0]),
            percent=STAGES["counting"][1],
            error="",
            started_at=timezone.now(),
            finished_at=None,
        )
    )
    return bool(claimed)


def _sweep(report: Report) -> None:
    """Deletes files in the report's folder that the report does not name.

    They are what a killed build stored but never swapped in. Called when an attempt is
    claimed: no build of an older attempt can swap its files in any more, and a newer one has
    not started.
    """
    keep = {report.pdf.name, report.xlsx.name} - {""}
    path = folder(report.event_id)
    try:
        _dirs, files = default_storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        full = f"{path}/{name}"
        if full not in keep:
            default_storage.delete(full)
            logger.info("Deleted an unfinished file of report %s", report.pk)


def _store(report: Report, field: str, handle: BinaryIO, filename: str) -> str:
    handle.seek(0)
    file_field = getattr(report, field)
    name = file_field.field.generate_filename(report, filename)
    return default_storage.save(name, File(handle, name=filename))


def _swap(report_id: int, attempt: int, pdf_name: str, xlsx_name: str) -> Report:
    """Points the report at the new files if ``attempt`` is still the latest; deletes the old."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .filter(pk=report_id, attempt=attempt, status=ReportStatus.RUNNING)
            .first()
        )
        if report is None:
            raise Superseded
        old = [name for name in (report.pdf.name, report.xlsx.name) if name]
        Report.objects.filter(pk=report_id).update(
            pdf=pdf_name,
            xlsx=xlsx_name,
            status=ReportStatus.DONE,
            stage="",
            percent=100,
            error="",
            finished_at=timezone.now(),
        )
        transaction.on_commit(lambda: _delete(old))
    return Report.objects.select_related("event").get(pk=report_id)


def _delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # Left behind, not lost: the next build's sweep deletes it.
            logger.warning("Could not delete an old file of a report", exc_info=True)


def _fail(report_id: int, attempt: int, error: Exception) -> None:
    message = _("The report could not be made: %(error)s") % {
        "error": f"{type(error).__name__}: {error}"[:1500]
    }
    Report.objects.filter(pk=report_id, attempt=attempt).exclude(status=ReportStatus.DONE).update(
        status=ReportStatus.FAILED,
        stage="",
        error=message,
        finished_at=timezone.now(),
    )


def build_report(*, report_id: int, attempt: int) -> Report | None:
    """Builds ``attempt`` of a report: the PDF and the workbook, swapped in at the end.

    Safe to run again: a report done at this attempt, or asked for again since, is left as it
    is. Saves: the stage and percentage as it goes; at the end the two files (stored under new
    names) and the done status, in one UPDATE under the row's lock; the files replaced are
    deleted after commit. On an error: failed status and a readable error, the files it stored
    deleted, the previous files kept. A lost database connection is raised, for the task to
    retry.
    """
    report = Report.objects.select_related("event__venue").filter(pk=report_id).first()
    if report is None or report.attempt != attempt or report.status == ReportStatus.DONE:
        return report
    # Stages and errors are saved in the language of the organiser who asked.
    with translation.override(report.language):
        return _build(report, attempt)


def _build(report: Report, attempt: int) -> Report | None:
    # Imported here: Matplotlib and WeasyPrint take a second to load, which only workers need.
    from .figures import event_figures
    from .pdf import render_pdf, report_charts
    from .xlsx import write_xlsx

    report_id = report.pk
    if not _claim(report_id, attempt):
        return Report.objects.filter(pk=report_id).first()
    progress = _progress(report_id, attempt)
    event = report.event
    stored: list[str] = []
    try:
        _sweep(report)
        with tempfile.TemporaryDirectory() as work:
            figures = event_figures(event=event)
            progress("charts")
            charts = report_charts(figures)
            progress("pdf")
            with (
                open(f"{work}/report.pdf", "w+b") as pdf,
                open(f"{work}/report.xlsx", "w+b") as xlsx,
            ):
                render_pdf(figures, charts, target=pdf)
                progress("xlsx")
                write_xlsx(figures, target=xlsx)
                progress("saving")
                stem = f"report-{event.slug}"
                stored.append(_store(report, "pdf", pdf, f"{stem}.pdf"))
                stored.append(_store(report, "xlsx", xlsx, f"{stem}.xlsx"))
        return _swap(report_id, attempt, *stored)
    except Superseded:
        logger.info("Report %s: attempt %s was overtaken by a newer request", report_id, attempt)
        _delete(stored)
        return Report.objects.filter(pk=report_id).first()
    except OperationalError:
        _delete(stored)
        raise
    except Exception as error:
        logger.exception("Report %s (attempt %s) failed", report_id, attempt)
        _delete(stored)
        _fail(report_id, attempt, error)
        return Report.objects.filter(pk=report_id).first()


def is_active(report: Report) -> bool:
    return report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
