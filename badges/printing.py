"""Print runs: an event's badges on A4 sheets for the organisers, made by a Celery task.

``start_print_run`` records what to print and queues ``badges.tasks.make_print_run``, which calls
``run_print_run``. The run renders its badges in chunks (``badges.pdf.render_chunks``: what the
badges share is laid out once and stamped onto every sheet) and saves its progress after each
chunk, which the print-run page polls.
"""

import logging
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Lower, Substr, Upper
from django.utils import timezone, translation

from agenda.models import Event
from registrations.enums import AttendanceMode, RegistrationStatus

from .models import Badge, PrintRun, PrintRunStatus
from .pdf import BadgeFace, Layout, badge_face, event_heading, render_chunks
from .services import issue_missing_badges

logger = logging.getLogger(__name__)

# Badges laid out per WeasyPrint document: bounds the memory a run holds and sets how often
# its progress is saved.
CHUNK_SIZE = 100


@dataclass(frozen=True)
class PrintFilters:
    """Which confirmed in-person attendees to print; empty fields mean "all"."""

    roles: tuple[str, ...] = field(default_factory=tuple)
    organisation_types: tuple[str, ...] = field(default_factory=tuple)
    # First letters of last names, inclusive: ("A", "M") prints Abbas to Müller.
    name_from: str = ""
    name_to: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PrintFilters":
        return cls(
            roles=tuple(data.get("roles") or ()),
            organisation_types=tuple(data.get("organisation_types") or ()),
            name_from=(data.get("name_from") or "")[:1].upper(),
            name_to=(data.get("name_to") or "")[:1].upper(),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["roles"] = list(self.roles)
        data["organisation_types"] = list(self.organisation_types)
        return data


def badges_to_print(*, event: Event, filters: PrintFilters) -> QuerySet[Badge]:
    """Valid badges of the event's confirmed in-person attendees, sorted by last and first name.

    Registrations without a badge yet are not included: issue them first
    (``services.issue_missing_badges``). One query, with person and organisation.
    """
    badges = (
        Badge.objects.filter(
            event=event,
            revoked_at__isnull=True,
            registration__status=RegistrationStatus.CONFIRMED,
            registration__mode=AttendanceMode.IN_PERSON,
        )
        .select_related("registration__person__organisation")
        .order_by(
            Lower("registration__person__last_name"),
            Lower("registration__person__first_name"),
            "pk",
        )
    )
    if filters.roles:
        badges = badges.filter(role__in=filters.roles)
    if filters.organisation_types:
        badges = badges.filter(
            registration__person__organisation__type__in=filters.organisation_types
        )
    name_from, name_to = filters.name_from[:1].upper(), filters.name_to[:1].upper()
    if name_from or name_to:
        badges = badges.annotate(initial=Upper(Substr("registration__person__last_name", 1, 1)))
        if name_from:
            badges = badges.filter(initial__gte=name_from)
        if name_to:
            badges = badges.filter(initial__lte=name_to)
    return badges


def start_print_run(
    *, event: Event, requested_by: Any, filters: PrintFilters, language: str
) -> PrintRun:
    """Records a print run and queues the task that makes it.

    Saves: a ``PrintRun`` (queued, ``total`` as counted now). Queues: ``make_print_run`` after
    commit. Locks: nothing.
    """
    from .tasks import make_print_run

    with transaction.atomic():
        print_run = PrintRun.objects.create(
            event=event,
            requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
            filters=filters.to_dict(),
            language=language,
            total=badges_to_print(event=event, filters=filters).count(),
        )
        transaction.on_commit(lambda: make_print_run.delay(print_run.pk))
    return print_run


def _save_progress(print_run: PrintRun, **values: Any) -> None:
    # update(), not save(): the page polls these columns while the run works.
    PrintRun.objects.filter(pk=print_run.pk).update(**values)
    for name, value in values.items():
        setattr(print_run, name, value)


def run_print_run(*, print_run_id: int) -> PrintRun | None:
    """Makes the PDF of a print run; safe to run again (a finished run is left as it is).

    Issues the badges that confirmed registrations lack, renders the chosen ones sorted by name,
    four A6 badges per A4 sheet, and saves the file. Saves: progress after every chunk of
    ``CHUNK_SIZE`` badges, then the file, ``done`` status and time; on an error, ``failed`` and
    the error (and re-raises it, for the task's retry).
    """
    print_run = PrintRun.objects.select_related("event__venue").filter(pk=print_run_id).first()
    if print_run is None or print_run.status == PrintRunStatus.DONE:
        return print_run
    event = print_run.event
    _save_progress(print_run, status=PrintRunStatus.RUNNING, done=0, error="")
    try:
        issue_missing_badges(event=event)
        filters = PrintFilters.from_dict(print_run.filters)
        with translation.override(print_run.language):
            faces: list[BadgeFace] = [
                badge_face(badge) for badge in badges_to_print(event=event, filters=filters)
            ]
            _save_progress(print_run, total=len(faces))
            with tempfile.TemporaryFile() as out:
                render_chunks(
                    faces,
                    heading=event_heading(event),
                    layout=Layout.A4,
                    target=out,
                    chunk_size=CHUNK_SIZE,
                    on_progress=lambda done: _save_progress(print_run, done=done),
                )
                out.seek(0)
                print_run.file.save(f"badges-{event.slug}.pdf", File(out), save=False)
    except Exception as error:
        logger.exception("Print run %s failed", print_run.pk)
        _save_progress(
            print_run,
            status=PrintRunStatus.FAILED,
            error=str(error)[:2000],
            finished_at=timezone.now(),
        )
        raise
    _save_progress(
        print_run,
        file=print_run.file.name,
        done=F("total"),
        status=PrintRunStatus.DONE,
        finished_at=timezone.now(),
    )
    print_run.refresh_from_db()
    return print_run
