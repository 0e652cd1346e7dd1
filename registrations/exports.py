"""Registrations as CSV and XLSX files for organisers.

Every text cell that a spreadsheet could read as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with a single quote, as the OWASP guidance on CSV
injection advises: names, organisations and answers are typed by registrants. Accessibility
and dietary needs and the answers to questions marked sensitive can reveal health or religion
(special-category data): they are exported only when asked for, and only to organisers allowed
to see them (``may_export_special_category``).
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .enums import PickStatus, RegistrationStatus
from .models import Answer, Question, Registration, SessionPick

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """The text, made inert for spreadsheets when it could start a formula."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def with_waitlist_position(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Adds ``position``: 1 for the next to be promoted in its mode, None when not waitlisted.

    One subquery for the whole list, in the order of ``capacity.next_waitlisted``.
    """
    ahead = (
        Registration.objects.filter(
            event=OuterRef("event"),
            mode=OuterRef("mode"),
            status=RegistrationStatus.WAITLISTED,
        )
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        position=Case(
            When(
                status=RegistrationStatus.WAITLISTED,
                waitlisted_at__isnull=False,
                then=Subquery(ahead, output_field=IntegerField()),
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


@dataclass
class Table:
    header: list[str]
    rows: list[list[Any]]


def answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else str(value)


SPECIAL_CATEGORY_PERMISSION = "registrations.view_special_category"


def may_export_special_category(user) -> bool:
    return bool(user is not None and user.has_perm(SPECIAL_CATEGORY_PERMISSION))


def registration_table(queryset: QuerySet[Registration], *, include_needs: bool) -> Table:
    """One row per registration, with a column per question of the events concerned.

    ``include_needs`` adds the special-category data: accessibility and dietary needs and the
    columns of questions marked sensitive; without it they are left out entirely.
    Queries: a fixed number, whatever the number of registrations.
    """
    answers = Answer.objects.only("registration", "question", "value")
    if not include_needs:
        answers = answers.filter(question__sensitive=False)
    registrations = list(
        with_waitlist_position(queryset)
        .select_related("person__organisation", "event")
        .prefetch_related(
            Prefetch(
                "session_picks",
                queryset=SessionPick.objects.select_related("session").order_by("session__start"),
            ),
            Prefetch("answers", queryset=answers),
        )
        .order_by("event__start", "event_id", "created_at", "pk")
    )
    event_ids = {registration.event_id for registration in registrations}
    questions = Question.objects.filter(event_id__in=event_ids)
    if not include_needs:
        questions = questions.filter(sensitive=False)
    questions = list(
        questions.select_related("event").order_by("event__start", "event_id", "position", "pk")
    )
    several_events = len(event_ids) > 1

    header = [
        _("Name"),
        _("Email"),
        _("Organisation"),
        _("Organisation type"),
        _("Country"),
        _("Job title"),
        _("Event"),
        _("Status"),
        _("Attendance"),
        _("Registered at"),
        _("Waitlist position"),
        _("Sessions picked"),
    ]
    header += [
        f"{question.label} ({question.event.title})" if several_events else question.label
        for question in questions
    ]
    if include_needs:
        header += [_("Accessibility needs"), _("Dietary needs")]

    rows = []
    for registration in registrations:
        person = registration.person
        organisation = person.organisation
        answers = {answer.question_id: answer.value for answer in registration.answers.all()}
        picks = "; ".join(
            pick.session.title
            if pick.status == PickStatus.CONFIRMED
            else _("%(session)s (waitlisted)") % {"session": pick.session.title}
            for pick in registration.session_picks.all()
        )
        registered = timezone.localtime(registration.created_at, registration.event.tzinfo)
        row = [
            person.full_name,
            person.email,
            organisation.name if organisation else "",
            str(organisation.get_type_display()) if organisation else "",
            str(organisation.country.name) if organisation else "",
            person.job_title,
            registration.event.title,
            str(registration.get_status_display()),
            str(registration.get_mode_display()),
            registered.strftime("%Y-%m-%d %H:%M"),
            registration.position,
            picks,
        ]
        row += [answer_text(answers.get(question.pk)) for question in questions]
        if include_needs:
            row += [registration.accessibility_needs, registration.dietary_needs]
        rows.append(row)
    return Table(header=header, rows=rows)


def _safe(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"


def csv_response(table: Table, *, stem: str = "registrations") -> HttpResponse:
    """UTF-8 with a byte order mark, so that spreadsheet programs read accents correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_safe(cell) for cell in table.header])
    for row in table.rows:
        writer.writerow(["" if cell is None else _safe(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(stem, "csv")}"'
    return response


def _xlsx_text(value: str) -> str:
    # openpyxl refuses control characters that XML 1.0 cannot hold.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def xlsx_bytes(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Registrations")[:31]
    bold = Font(bold=True)
    for column, title in enumerate(table.header, start=1):
        cell = sheet.cell(row=1, column=column, value=_xlsx_text(str(title)))
        cell.data_type = "s"
        cell.font = bold
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                cell.value = _xlsx_text(value)
                # Stored as text whatever it looks like: never a formula.
                cell.data_type = "s"
            else:
                cell.value = value
    sheet.freeze_panes = "A2"
    for column_cells in sheet.iter_cols(min_row=1, max_row=1):
        letter = column_cells[0].column_letter
        sheet.column_dimensions[letter].width = min(max(len(str(column_cells[0].value)), 12), 40)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_response(table: Table, *, stem: str = "registrations") -> HttpResponse:
    response = HttpResponse(xlsx_bytes(table), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(stem, "xlsx")}"'
    return response
