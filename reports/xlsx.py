"""The report's workbook: the tables behind the PDF, for organisers and funders to work with.

One sheet per table: the key figures, registrations per day, attendees (one row per confirmed
registration, without name, email or organisation: nobody agreed to be listed in a report),
organisations, organisation types, countries, sessions, speakers, feedback ratings and the
comments the organisers chose to quote. Numbers are numbers and dates are dates, so that the
sheets can be summed and charted.

Every text cell that a spreadsheet could read as a formula is neutralised as in
``registrations.exports`` (registrants type their organisations' names; attendees their
comments), and stored as text whatever it looks like.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from registrations.exports import neutralise

from .figures import Figures, Rating

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
PERCENT = "0%"
AVERAGE = "0.0"
DATE = "DD/MM/YYYY"
DATETIME = "DD/MM/YYYY HH:MM"


def _text(value: str) -> str:
    # openpyxl refuses control characters that XML 1.0 cannot hold.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def _sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    formats: dict[int, str] | None = None,
    widths: dict[int, int] | None = None,
) -> None:
    """A sheet with a bold header row, frozen, filterable; ``formats`` by column (0-based)."""
    sheet = workbook.create_sheet(title=title[:31])
    formats = formats or {}
    for column, label in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column, value=_text(str(label)))
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                cell.value = _text(value)
                # Stored as text whatever it looks like: never a formula.
                cell.data_type = "s"
            else:
                cell.value = value
            if value is not None and (column - 1) in formats:
                cell.number_format = formats[column - 1]
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for column, label in enumerate(header, start=1):
        width = (widths or {}).get(column - 1) or min(max(len(str(label)) + 2, 12), 40)
        sheet.column_dimensions[get_column_letter(column)].width = width


def _naive(moment: datetime) -> datetime:
    """Spreadsheets know no time zones: the event's local time, as shown in the report."""
    return moment.replace(tzinfo=None)


def _rating_row(kind: str, rating: Rating) -> list[Any]:
    return [kind, rating.label, rating.count, rating.average, *rating.distribution]


def write_xlsx(figures: Figures, *, target: BinaryIO) -> None:
    """Writes the workbook of ``figures`` to ``target``."""
    key = figures.key
    event = figures.event
    workbook = Workbook()
    workbook.remove(workbook.active)

    yes, no = _("Yes"), _("No")
    summary = [
        (_("Event"), event.title, None),
        (_("Theme"), event.theme, None),
        (_("Starts"), _naive(event.local(event.start)), DATETIME),
        (_("Ends"), _naive(event.local(event.end)), DATETIME),
        (_("Format"), str(event.get_format_display()), None),
        (_("Registered"), key.registered, None),
        (_("Registered in person"), key.registered_in_person, None),
        (_("Registered online"), key.registered_online, None),
        (_("Attended"), key.attended, None),
        (_("Attended in person"), key.attended_in_person, None),
        (_("Attended online"), key.attended_online, None),
        (_("Did not attend"), key.no_shows, None),
        (_("No-show rate"), key.no_show_rate, PERCENT),
        (_("Cancelled"), key.cancelled, None),
        (_("Left on the waitlist"), key.waitlisted, None),
        (_("In-person capacity"), key.capacity_in_person, None),
        (_("Online capacity"), key.capacity_online, None),
        (_("Capacity used"), key.capacity_used, PERCENT),
        (_("Organisations"), key.organisations, None),
        (_("Countries"), key.countries, None),
        (_("Sessions"), key.sessions, None),
        (_("Speakers"), key.speakers, None),
        (_("Survey: invited"), key.survey_invited, None),
        (_("Survey: answers"), key.survey_responses, None),
        (_("Survey: response rate"), key.response_rate, PERCENT),
        (_("Overall rating (1 to 5)"), key.overall_rating, AVERAGE),
        (_("Report made"), _naive(event.local(figures.generated_at)), DATETIME),
    ]
    _sheet(
        workbook,
        _("Summary"),
        [_("Figure"), _("Value")],
        [(label, value) for label, value, _format in summary],
        widths={0: 32, 1: 48},
    )
    # Formats by row here: the one column holds counts, shares and times.
    sheet = workbook.worksheets[0]
    for row_number, (_label, value, number_format) in enumerate(summary, start=2):
        if number_format and value is not None:
            sheet.cell(row=row_number, column=2).number_format = number_format

    _sheet(
        workbook,
        _("Registrations per day"),
        [_("Day"), _("New in person"), _("New online"), _("Total in person"), _("Total online")],
        [
            (d.day, d.in_person, d.online, d.total_in_person, d.total_online)
            for d in figures.registrations
        ],
        formats={0: DATE},
    )
    _sheet(
        workbook,
        _("Attendees"),
        [
            _("Number"),
            _("Attendance"),
            _("Organisation type"),
            _("Country"),
            _("Registered on"),
            _("Attended"),
            _("Sessions attended"),
            _("Hours attended"),
        ],
        [
            (
                row.number,
                row.mode,
                row.organisation_type,
                row.country,
                row.registered_on,
                yes if row.attended else no,
                row.sessions,
                row.hours,
            )
            for row in figures.attendees
        ],
        formats={4: DATE, 7: "0.00"},
    )
    _sheet(
        workbook,
        _("Organisations"),
        [_("Organisation"), _("Type"), _("Country"), _("Attendees")],
        [(o.name, o.type, o.country, o.attendees) for o in figures.organisations],
        widths={0: 48, 1: 30},
    )
    _sheet(
        workbook,
        _("Organisation types"),
        [_("Type of organisation"), _("Attendees")],
        [(bar.label, int(bar.value)) for bar in figures.by_organisation_type],
        widths={0: 40},
    )
    _sheet(
        workbook,
        _("Countries"),
        [_("Country"), _("Attendees")],
        [(bar.label, int(bar.value)) for bar in figures.by_country],
        widths={0: 30},
    )
    _sheet(
        workbook,
        _("Sessions"),
        [
            _("Starts"),
            _("Ends"),
            _("Session"),
            _("Kind"),
            _("Track"),
            _("Room"),
            _("Speakers"),
            _("Attended"),
            _("Ratings"),
            _("Average rating"),
        ],
        [
            (
                _naive(row.start),
                _naive(row.end),
                row.title,
                row.kind,
                row.track,
                row.room,
                row.speakers,
                row.attended,
                row.rating.count if row.rating else 0,
                row.rating.average if row.rating else None,
            )
            for row in figures.sessions
        ],
        formats={0: DATETIME, 1: DATETIME, 9: AVERAGE},
        widths={0: 17, 1: 17, 2: 50, 6: 50},
    )
    _sheet(
        workbook,
        _("Speakers"),
        [_("Name"), _("Organisation"), _("Role"), _("Sessions")],
        [(s.name, s.organisation, s.roles, s.sessions) for s in figures.speakers],
        widths={0: 30, 1: 48, 2: 24},
    )
    ratings = []
    if figures.overall:
        ratings.append(_rating_row(_("Overall"), figures.overall))
    ratings += [
        _rating_row(_("Session"), row.rating)
        for row in figures.sessions
        if row.rating and row.rating.count
    ]
    ratings += [_rating_row(_("Question"), rating) for rating in figures.ratings]
    _sheet(
        workbook,
        _("Feedback"),
        [_("About"), _("Rated"), _("Ratings"), _("Average"), "1", "2", "3", "4", "5"],
        ratings,
        formats={3: AVERAGE},
        widths={1: 50},
    )
    _sheet(
        workbook,
        _("Comments"),
        [_("Question"), _("Session"), _("Comment")],
        [(q.question, q.session, q.text) for q in figures.quotes],
        widths={0: 40, 1: 40, 2: 80},
    )
    workbook.properties.title = event.title
    workbook.properties.creator = "eventsite"
    workbook.save(target)
