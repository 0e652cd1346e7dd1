"""The daily clean-up: needs and sensitive answers soon after an event, everything personal once
its retention period is over."""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from agenda.models import Event
from badges.models import ScanLog
from members.models import Person
from registrations.models import Answer, Invitation, Registration

from ..conf import anonymise_after, special_category_erased_after
from ..enums import ErasureSource
from ..models import ErasureLog
from .anonymise import (
    Counts,
    anonymise_registrations,
    delete_people,
    forget_event_files,
    scrub_admin_history,
    scrub_scan_responses,
    strip_needs_from_scan_responses,
)

logger = logging.getLogger(__name__)


def _lock_event(event_id: int, *, unless: str) -> Event | None:
    """The event's row, locked, unless ``unless`` (a marker field) was set meanwhile: a second
    run of the task then leaves it alone."""
    return (
        Event.objects.select_for_update().filter(pk=event_id, **{f"{unless}__isnull": True}).first()
    )


def _erase_special_category_of_event(event: Event) -> Counts:
    registrations = Registration.objects.filter(event=event)
    counts = Counts()
    counts.needs = registrations.filter(~Q(accessibility_needs="") | ~Q(dietary_needs="")).update(
        accessibility_needs="", dietary_needs=""
    )
    counts.answers, _ = Answer.objects.filter(
        registration__event=event, question__sensitive=True
    ).delete()
    counts.scans = strip_needs_from_scan_responses(ScanLog.objects.filter(event=event))
    return counts


def erase_special_category(*, now: datetime | None = None) -> list[ErasureLog]:
    """Erases accessibility and dietary needs and answers to sensitive questions of every event
    that ended more than its ``special_category_days`` ago (or the network's default).

    Each event in its own transaction, marked ``special_category_erased_at``, with an erasure
    record. Saves: the registrations, answers and scan log entries concerned.
    Locks: each event's row. Safe to run twice.
    """
    now = now or timezone.now()
    logs = []
    candidates = Event.objects.filter(special_category_erased_at__isnull=True, end__lt=now)
    for event in candidates.order_by("end", "pk"):
        if special_category_erased_after(event) > now:
            continue
        with transaction.atomic():
            locked = _lock_event(event.pk, unless="special_category_erased_at")
            if locked is None:
                continue
            counts = _erase_special_category_of_event(locked)
            Event.objects.filter(pk=locked.pk).update(special_category_erased_at=now)
            logs.append(
                ErasureLog.objects.create(
                    at=now,
                    source=ErasureSource.SPECIAL_CATEGORY,
                    event=locked,
                    counts=counts.as_dict(),
                )
            )
        logger.info("Needs and sensitive answers of event %s erased", event.pk)
    return logs


def anonymise_event(*, event: Event, now: datetime) -> Counts:
    """Anonymises every registration of the event and what else it holds about people.

    Call inside a transaction, with the event's row locked. Beyond the registrations
    (``anonymise``): its invitations lose address and note and are revoked, the scan log
    forgets codes, badge print runs are deleted, and the people left without any registration,
    speaker profile or account are deleted. Reports stay: they hold figures, and quotes the
    organisers chose to publish without a name.
    """
    ids = list(Registration.objects.filter(event=event).values_list("pk", flat=True))
    counts, people = anonymise_registrations(
        registration_ids=ids, now=now, keep_featured_feedback=True
    )
    counts.add(_erase_special_category_of_event(event))
    invitations = Invitation.objects.filter(event=event)
    counts.invitations += invitations.exclude(email="", note="").update(email="", note="")
    invitations.filter(revoked_at__isnull=True).update(revoked_at=now)
    scrub_admin_history(Invitation, invitations.values_list("pk", flat=True))
    counts.scans += scrub_scan_responses(ScanLog.objects.filter(event=event))
    counts.files += forget_event_files(event_ids=[event.pk], include_reports=False)
    orphans = Person.objects.filter(
        pk__in=people,
        registrations__isnull=True,
        speaker_profiles__isnull=True,
        user__isnull=True,
    ).values_list("pk", flat=True)
    counts.people = delete_people(list(orphans))
    counts.events = 1
    return counts


def apply_retention(*, now: datetime | None = None) -> list[ErasureLog]:
    """Anonymises the personal data of every event whose retention period has passed.

    The period runs from the event's end for ``retention_days`` (or the network's default).
    Each event in its own transaction, marked ``personal_data_anonymised_at`` (and its needs as
    erased), with an erasure record naming the event. Saves: see ``anonymise_event``.
    Queues: deleting the event's print run files after each commit. Locks: each event's row.
    Safe to run twice: an event already anonymised is skipped.
    """
    now = now or timezone.now()
    logs = []
    candidates = Event.objects.filter(personal_data_anonymised_at__isnull=True, end__lt=now)
    for event in candidates.order_by("end", "pk"):
        if anonymise_after(event) > now:
            continue
        with transaction.atomic():
            locked = _lock_event(event.pk, unless="personal_data_anonymised_at")
            if locked is None:
                continue
            counts = anonymise_event(event=locked, now=now)
            Event.objects.filter(pk=locked.pk).update(
                personal_data_anonymised_at=now,
                special_category_erased_at=Coalesce("special_category_erased_at", now),
            )
            logs.append(
                ErasureLog.objects.create(
                    at=now, source=ErasureSource.RETENTION, event=locked, counts=counts.as_dict()
                )
            )
        logger.info("Personal data of event %s anonymised", event.pk)
    return logs
