"""Seats: counted and given out only under a lock on the event row.

Locking rules (see CONVENTIONS.md): inside one atomic block, lock the event row first, then
session rows in ascending primary key order; count again under the lock; then write. On
PostgreSQL a lock not obtained within ``REGISTRATIONS_LOCK_TIMEOUT_MS`` becomes ``Busy``. On
SQLite every transaction starts with the database's write lock (``transaction_mode``
IMMEDIATE), which serialises registrations just as well.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone

from agenda.models import Event, Session

from .enums import AttendanceMode, PickStatus, RegistrationStatus
from .exceptions import Busy
from .models import Registration, SessionPick


def _locking() -> bool:
    # A switch for one test only, which proves that the concurrency test can catch overbooking.
    return getattr(settings, "REGISTRATIONS_LOCK_SEATS", True)


def _set_lock_timeout() -> None:
    if connection.vendor == "postgresql":
        timeout = int(getattr(settings, "REGISTRATIONS_LOCK_TIMEOUT_MS", 5000))
        with connection.cursor() as cursor:
            # set_config(…, true) is SET LOCAL; SET itself takes no bound parameter.
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout}ms"])


def lock_event(event_id: int) -> Event:
    """The event row, locked until the end of the transaction. Raises ``Busy`` on timeout."""
    if not _locking():
        return Event.objects.get(pk=event_id)
    _set_lock_timeout()
    try:
        return Event.objects.select_for_update().get(pk=event_id)
    except OperationalError as error:
        raise Busy from error


def lock_event_seats(event: Event) -> Event:
    """Locks the event's row until the end of the transaction and reads its seat limits again
    into ``event`` (they may have changed since it was read): the lock of ``lock_event``,
    without reading the whole row again. Raises ``Busy`` on timeout."""
    seats = Event.objects.filter(pk=event.pk).values_list("capacity_in_person", "capacity_online")
    if not _locking():
        event.capacity_in_person, event.capacity_online = seats.get()
        return event
    _set_lock_timeout()
    try:
        event.capacity_in_person, event.capacity_online = seats.select_for_update().get()
    except OperationalError as error:
        raise Busy from error
    return event


def lock_sessions(session_ids: Iterable[int]) -> list[Session]:
    ids = sorted(set(session_ids))
    if not ids:
        return []
    if not _locking():
        return list(Session.objects.filter(pk__in=ids).order_by("pk"))
    try:
        return list(Session.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    except OperationalError as error:
        raise Busy from error


def capacity_of(event: Event, mode: str) -> int | None:
    return event.capacity_in_person if mode == AttendanceMode.IN_PERSON else event.capacity_online


def confirmed_count(event: Event, mode: str) -> int:
    return Registration.objects.filter(
        event=event, mode=mode, status=RegistrationStatus.CONFIRMED
    ).count()


def free_seats(event: Event, mode: str) -> int | None:
    """Seats left in this mode, or None when the mode has no limit. Call under the event lock."""
    capacity = capacity_of(event, mode)
    if capacity is None:
        return None
    return max(0, capacity - confirmed_count(event, mode))


def session_free_seats(session: Session) -> int | None:
    if session.capacity is None:
        return None
    taken = SessionPick.objects.filter(session=session, status=PickStatus.CONFIRMED).count()
    return max(0, session.capacity - taken)


def next_waitlisted(event: Event, mode: str) -> Registration | None:
    return (
        Registration.objects.filter(event=event, mode=mode, status=RegistrationStatus.WAITLISTED)
        .select_related("person", "event")
        .order_by("waitlisted_at", "pk")
        .first()
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the next person to be promoted; None when not on the waitlist."""
    if registration.status != RegistrationStatus.WAITLISTED or registration.waitlisted_at is None:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        mode=registration.mode,
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at__lte=registration.waitlisted_at,
    ).exclude(pk=registration.pk)
    ahead = ahead.exclude(waitlisted_at=registration.waitlisted_at, pk__gt=registration.pk)
    return ahead.count() + 1


def now():
    return timezone.now()
