"""The report as a PDF publication, laid out by WeasyPrint from ``templates/reports/report/``.

``report_charts`` draws the charts of some ``Figures`` (``charts``), ``render_pdf`` lays out the
whole document: a cover with the event's title and theme, contents, key figures, registrations
over time, who attended, the sessions, speakers and organisations, feedback, documents and
photos, and how the numbers were counted. Page numbers and the section's name run in the
margins; the charts are SVG, so they stay sharp at any zoom.

Photos are read from storage and scaled down to what a printed page needs, so that a gallery
of camera originals does not make a heavy file; one that cannot be read is left out (and
logged), rather than the whole report failing.
"""

import io
import logging
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from agenda.models import Photo

from .charts import ORANGE, Chart, bar_chart, column_chart, line_chart
from .figures import Figures, KeyFigures, Rating, milestones, weekly

logger = logging.getLogger(__name__)

# Longest side of a photo in the PDF, in pixels: sharp in print at the size the report shows it.
PHOTO_PIXELS = 1200
SITE_NAME = "EU LMPN Events"


def number(value: float | int | None) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


def percent(value: float | None) -> str:
    """A share as a whole percentage, e.g. ``14%``; "—" when there is none."""
    if value is None:
        return "—"
    return _("%(value)s%%") % {"value": number(round(value * 100))}


def average(value: float | None) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, decimal_pos=1, use_l10n=True)


@dataclass(frozen=True)
class Tile:
    """One of the key figures on their page: a big number, what it is, and a note."""

    value: str
    label: str
    note: str = ""


def key_tiles(key: KeyFigures, *, has_in_person: bool, has_online: bool) -> list[Tile]:
    not_offered = _("not offered at this event")
    capacity_note = (
        _("of %(places)s places taken") % {"places": number(key.places)}
        if key.places
        else _("no limit on places")
    )
    return [
        Tile(
            number(key.registered),
            _("Registered"),
            _("confirmed registrations"),
        ),
        Tile(
            number(key.attended),
            _("Attended"),
            _("%(share)s of those registered") % {"share": percent(1 - key.no_show_rate)}
            if key.no_show_rate is not None
            else "",
        ),
        Tile(
            percent(key.no_show_rate),
            _("No-show rate"),
            ngettext(
                "%(count)s registered did not come",
                "%(count)s registered did not come",
                key.no_shows,
            )
            % {"count": number(key.no_shows)},
        ),
        Tile(
            number(key.attended_in_person) if has_in_person else "—",
            _("In person"),
            _("of %(count)s registered in person") % {"count": number(key.registered_in_person)}
            if has_in_person
            else not_offered,
        ),
        Tile(
            number(key.attended_online) if has_online else "—",
            _("Online"),
            _("of %(count)s registered online") % {"count": number(key.registered_online)}
            if has_online
            else not_offered,
        ),
        Tile(percent(key.capacity_used), _("Capacity used"), capacity_note),
        Tile(number(key.organisations), _("Organisations"), _("represented among attendees")),
        Tile(number(key.countries), _("Countries"), _("represented among attendees")),
    ]


def report_charts(figures: Figures) -> dict[str, Chart]:
    """The charts the report shows for ``figures``; a chart without data is left out."""
    charts: dict[str, Chart] = {}
    event, key = figures.event, figures.key
    days = figures.registrations
    if days:
        series = []
        limits = []
        if event.has_in_person:
            series.append((_("In person"), [d.total_in_person for d in days]))
            if key.capacity_in_person:
                limits.append(
                    (
                        _("In-person capacity (%(count)s)")
                        % {"count": number(key.capacity_in_person)},
                        key.capacity_in_person,
                    )
                )
        if event.has_online:
            series.append((_("Online"), [d.total_online for d in days]))
            if key.capacity_online:
                limits.append(
                    (
                        _("Online capacity (%(count)s)") % {"count": number(key.capacity_online)},
                        key.capacity_online,
                    )
                )
        charts["registrations"] = line_chart(
            [d.day for d in days],
            series,
            limits=limits,
            ylabel=_("Confirmed registrations (cumulative)"),
            alt=_(
                "Line chart: confirmed registrations added up day by day, from %(first)s to "
                "%(last)s, reaching %(total)s, against the capacity."
            )
            % {
                "first": formats.date_format(days[0].day, "SHORT_DATE_FORMAT"),
                "last": formats.date_format(days[-1].day, "SHORT_DATE_FORMAT"),
                "total": number(key.registered),
            },
        )
    weeks = weekly(days)
    if len(weeks) > 1:
        series = []
        if event.has_in_person:
            series.append((_("In person"), [w[1] for w in weeks]))
        if event.has_online:
            series.append((_("Online"), [w[2] for w in weeks]))
        charts["weekly"] = column_chart(
            [formats.date_format(w[0], "d/m") for w in weeks],
            series,
            ylabel=_("New registrations"),
            stacked=True,
            alt=_("Column chart of the confirmed registrations made each week: %(weeks)s.")
            % {
                "weeks": ", ".join(
                    f"{formats.date_format(w[0], 'SHORT_DATE_FORMAT')} {w[1] + w[2]}" for w in weeks
                )
            },
        )
    if figures.by_organisation_type:
        bars = figures.by_organisation_type
        charts["organisation_types"] = bar_chart(
            [bar.label for bar in bars],
            [bar.value for bar in bars],
            xlabel=_("Attendees"),
            alt=_("Bar chart of attendees by type of organisation: %(bars)s.")
            % {"bars": _list(bars)},
        )
    if figures.by_country:
        bars = figures.by_country
        charts["countries"] = bar_chart(
            [bar.label for bar in bars],
            [bar.value for bar in bars],
            xlabel=_("Attendees"),
            alt=_("Bar chart of attendees by country: %(bars)s.") % {"bars": _list(bars)},
            colour=ORANGE,
        )
    several_days = event.local(event.start).date() != event.local(event.end).date()
    if figures.sessions:
        sessions = figures.sessions
        charts["sessions"] = bar_chart(
            [_session_label(row.start, row.title, several_days=several_days) for row in sessions],
            [row.attended for row in sessions],
            xlabel=_("Attendees"),
            alt=_(
                "Bar chart of attendance per session, in programme order; the table below "
                "gives the same numbers."
            ),
        )
    rated = [row for row in figures.sessions if row.rating and row.rating.count]
    if rated:
        charts["session_ratings"] = _rating_chart(
            [
                (_session_label(row.start, row.title, several_days=several_days), row.rating)
                for row in rated
            ],
            alt=_(
                "Bar chart of the average rating of each session, from 1 to 5; the table of "
                "sessions gives the same numbers."
            ),
        )
    if figures.overall and figures.overall.count:
        overall = figures.overall
        labels = [_("5 (best)"), "4", "3", "2", _("1 (worst)")]
        counts = list(reversed(overall.distribution))
        charts["overall"] = bar_chart(
            labels,
            counts,
            xlabel=_("Answers"),
            alt=_("Bar chart of the overall ratings: %(bars)s.")
            % {"bars": ", ".join(f"{label}: {n}" for label, n in zip(labels, counts, strict=True))},
        )
    return charts


def _rating_chart(rows: list[tuple[str, Rating]], *, alt: str) -> Chart:
    return bar_chart(
        [label for label, _r in rows],
        [r.average or 0 for _l, r in rows],
        xlabel=_("Average rating (1 to 5)"),
        xmax=5.6,
        value_labels=[
            _("%(average)s (%(count)s)") % {"average": average(r.average), "count": number(r.count)}
            for _l, r in rows
        ],
        alt=alt,
    )


def _session_label(start, title: str, *, several_days: bool) -> str:
    """A session in a chart: its start and title, on one line (the table has it in full).

    Kept short on purpose: WeasyPrint draws an SVG's text letter by letter.
    """
    when = f"{formats.date_format(start, 'D')} {start:%H:%M}" if several_days else f"{start:%H:%M}"
    # One line in the chart: ``charts.bar_chart`` wraps labels longer than this.
    limit = 42 - len(when) - 1
    if len(title) > limit:
        title = title[: limit - 1].rstrip(" ,.:;–-") + "…"
    return f"{when} {title}"


def _list(bars) -> str:
    return ", ".join(f"{bar.label} {number(bar.value)}" for bar in bars)


class Resources:
    """The charts, photos and logo of one report, handed to WeasyPrint by name.

    The HTML names them ``report:<name>`` rather than carrying them as data URIs, which keeps
    it small (WeasyPrint parses it in Python); and the report fetches nothing else, from
    nowhere else.
    """

    SCHEME = "report:"

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, bytes]] = {}

    def add(self, name: str, content_type: str, data: bytes) -> str:
        self.items[name] = (content_type, data)
        return self.SCHEME + name

    def fetcher(self):
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        items = self.items

        class Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                name = url.removeprefix(Resources.SCHEME)
                if not url.startswith(Resources.SCHEME) or name not in items:
                    raise ValueError(f"not part of the report: {url[:80]}")
                content_type, data = items[name]
                return URLFetcherResponse(url, data, {"Content-Type": content_type})

        return Fetcher()


def photo_jpeg(photo: Photo) -> bytes | None:
    """The photo scaled to fit ``PHOTO_PIXELS``, as JPEG; None if it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with photo.image.open("rb") as handle, Image.open(handle) as image:
            scale = min(1.0, PHOTO_PIXELS / max(image.size))
            fitted = (round(image.width * scale), round(image.height * scale))
            # A JPEG is then decoded at a fraction of its size: much faster than in full.
            image.draft("RGB", fitted)
            image.thumbnail(fitted, Image.Resampling.BICUBIC)
            output = io.BytesIO()
            image.convert("RGB").save(output, format="JPEG", quality=82, optimize=True)
    except (OSError, UnidentifiedImageError, ValueError):
        logger.warning("Photo %s of event %s left out of the report", photo.pk, photo.event_id)
        return None
    return output.getvalue()


def _logo() -> bytes | None:
    path = finders.find("img/logo.svg")
    if not path:
        return None
    with open(path, "rb") as handle:
        return handle.read()


def _dates(figures: Figures) -> str:
    event = figures.event
    start, end = event.local(event.start), event.local(event.end)
    if start.date() == end.date():
        return formats.date_format(start, "DATE_FORMAT")
    return (
        f"{formats.date_format(start, 'DATE_FORMAT')} – {formats.date_format(end, 'DATE_FORMAT')}"
    )


def _place(figures: Figures) -> str:
    event = figures.event
    parts = []
    if event.venue_id and event.venue:
        parts.append(f"{event.venue.name}, {event.venue.city}")
    if event.has_online:
        parts.append(_("online"))
    return " · ".join(parts)


def _milestones(figures: Figures) -> list[tuple[str, str]]:
    """Rows of the registrations' table of milestones: what happened, and on which day."""
    event = figures.event
    found = milestones(figures.registrations, figures.key)

    def day(value) -> str:
        return formats.date_format(value, "DATE_FORMAT") if value else "—"

    rows = []
    if event.registration_opens:
        rows.append((_("Registration opened"), day(event.local(event.registration_opens))))
    rows += [
        (_("First confirmed registration"), day(found.first)),
        (_("Half of the registrations in by"), day(found.half)),
    ]
    if figures.key.places:
        rows.append((_("All places taken on"), day(found.full)))
    if found.busiest:
        rows.append(
            (
                _("Busiest day"),
                ngettext(
                    "%(day)s (%(count)s registration)",
                    "%(day)s (%(count)s registrations)",
                    found.busiest_count,
                )
                % {"day": day(found.busiest), "count": number(found.busiest_count)},
            )
        )
    if event.registration_closes:
        rows.append((_("Registration closed"), day(event.local(event.registration_closes))))
    return rows


def context(figures: Figures, charts: dict[str, Chart], resources: Resources) -> dict:
    """What ``templates/reports/report/report.html`` shows."""
    event, key = figures.event, figures.key
    photos = [
        (photo, resources.add(f"photo-{index}.jpg", "image/jpeg", data))
        for index, photo in enumerate(figures.photos)
        if (data := photo_jpeg(photo)) is not None
    ]
    logo = _logo()
    organisations_by_type: dict[str, list] = {}
    for row in figures.organisations:
        organisations_by_type.setdefault(row.type, []).append(row)
    rated = [row for row in figures.sessions if row.rating and row.rating.count]
    tiles = key_tiles(key, has_in_person=event.has_in_person, has_online=event.has_online)
    return {
        "event": event,
        "figures": figures,
        "key": key,
        "tile_rows": [tiles[:4], tiles[4:]],
        "charts": charts,
        "dates": _dates(figures),
        "place": _place(figures),
        "generated": formats.date_format(event.local(figures.generated_at), "DATETIME_FORMAT"),
        "logo": resources.add("logo.svg", "image/svg+xml", logo) if logo else "",
        "chart_src": {
            name: resources.add(f"{name}.svg", "image/svg+xml", chart.svg.encode())
            for name, chart in charts.items()
        },
        "photos": photos,
        "organisations_by_type": sorted(organisations_by_type.items()),
        "rated_sessions": rated,
        "site_name": SITE_NAME,
        "site_url": settings.SITE_URL,
        "milestones": _milestones(figures),
        "registration_opens": (
            formats.date_format(event.local(event.registration_opens), "DATE_FORMAT")
            if event.registration_opens
            else ""
        ),
        "registration_closes": (
            formats.date_format(event.local(event.registration_closes), "DATE_FORMAT")
            if event.registration_closes
            else ""
        ),
        "numbers": {
            "registered": number(key.registered),
            "attended": number(key.attended),
            "no_shows": number(key.no_shows),
            "no_show_rate": percent(key.no_show_rate),
            "capacity_used": percent(key.capacity_used),
            "attended_in_person": number(key.attended_in_person),
            "attended_online": number(key.attended_online),
            "organisations": number(key.organisations),
            "countries": number(key.countries),
            "cancelled": number(key.cancelled),
            "waitlisted": number(key.waitlisted),
            "responses": number(key.survey_responses),
            "invited": number(key.survey_invited),
            "response_rate": percent(key.response_rate),
            "overall": average(key.overall_rating),
        },
        "LANGUAGE_CODE": get_language(),
    }


def render_pdf(figures: Figures, charts: dict[str, Chart], *, target: BinaryIO) -> None:
    """Lays out the report of ``figures`` with ``charts`` and writes the PDF to ``target``."""
    # Imported here: WeasyPrint takes a second to load, which no page of the site should wait for.
    from weasyprint import HTML

    resources = Resources()
    html = render_to_string("reports/report/report.html", context(figures, charts, resources))
    # Tagged, so that screen readers follow headings, lists and tables in reading order.
    HTML(string=html, url_fetcher=resources.fetcher()).write_pdf(target, pdf_tags=True)
