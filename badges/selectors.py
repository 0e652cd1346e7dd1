"""Reads for the door: which events a scanner may work at, its offline list, search and counts.

A device sees only the events it was given; an organiser sees every event. Nothing here returns
an email address or a badge code: the offline list carries each code's SHA-256, which lets a
scanner recognise a code it reads without being able to make one.
"""

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from agenda.models import Event, Session
from registrations.enums import AttendanceMode, PickStatus, RegistrationStatus
from registrations.models import Registration, SessionPick

from .enums import BadgeRole
from .models import Badge, CheckIn, Device, ScanLog, code_hash

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 20


def public_event_title(*, event_id: int) -> dict[str, str] | None:
    """The slug and title of a public event (a badge of another event names it), else None."""
    event = Event.objects.public().filter(pk=event_id).values("slug", "title").first()
    return dict(event) if event else None


def events_for_scanner(*, device: Device | None) -> QuerySet[Event]:
    """The events a device was given; every event for an organiser (``device`` None)."""
    events = Event.objects.all()
    if device is not None:
        events = events.filter(checkin_devices=device)
    return events


def scanner_event(*, slug: str, device: Device | None) -> Event | None:
    return events_for_scanner(device=device).filter(slug=slug).first()


def event_session(*, event: Event, session_id: int) -> Session | None:
    return Session.objects.filter(pk=session_id, event=event).first()


def _active_checkins(session: Session | None) -> QuerySet[CheckIn]:
    checkins = CheckIn.objects.filter(undone_at__isnull=True)
    if session is None:
        return checkins.filter(session__isnull=True)
    return checkins.filter(session=session)


def _signed_up(session: Session | None) -> set[int] | None:
    """For a session that needs sign-up, the registrations holding a seat in it."""
    if session is None or not session.requires_signup:
        return None
    return set(
        SessionPick.objects.filter(session=session, status=PickStatus.CONFIRMED).values_list(
            "registration_id", flat=True
        )
    )


def checkin_list(
    *, event: Event, session: Session | None = None, shows_needs: bool = False
) -> list[dict[str, Any]]:
    """Every badge of the event as a scanner needs it to answer offline, sorted by name.

    A valid badge of a confirmed registration carries the person's name, organisation, role,
    attendance mode, whether they need assistance and when they were checked in; any other
    badge carries only its status ("revoked", "cancelled", …), enough to refuse it.
    Issue missing badges first (``services.issue_missing_badges``). Queries: one, two for a
    session that needs sign-up.
    """
    checked_in_at = Subquery(
        _active_checkins(session).filter(registration=OuterRef("registration")).values("at")[:1]
    )
    badges = (
        Badge.objects.filter(event=event)
        .select_related("registration__person__organisation")
        .annotate(checked_in_at=checked_in_at)
        .order_by(
            "registration__person__last_name", "registration__person__first_name", "-issued_at"
        )
    )
    signed_up = _signed_up(session)
    entries = []
    for badge in badges:
        registration = badge.registration
        entry: dict[str, Any] = {"code_hash": code_hash(badge.code)}
        if badge.revoked_at is not None:
            entry["status"] = "revoked"
        elif registration.status != RegistrationStatus.CONFIRMED:
            entry["status"] = registration.status
        else:
            if signed_up is not None and registration.pk not in signed_up:
                entry["status"] = "not_signed_up"
            else:
                entry["status"] = RegistrationStatus.CONFIRMED
            entry.update(_door_data(registration, badge.role, badge.checked_in_at, shows_needs))
        entries.append(entry)
    return entries


def _door_data(
    registration: Registration, role: str, checked_in_at: datetime | None, shows_needs: bool
) -> dict[str, Any]:
    person = registration.person
    data = {
        "registration": registration.pk,
        "name": person.full_name,
        "organisation": person.organisation.name if person.organisation else "",
        "role": role,
        "mode": registration.mode,
        "needs_assistance": bool(registration.accessibility_needs.strip()),
        "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
    }
    if shows_needs:
        data["accessibility_needs"] = registration.accessibility_needs
    return data


def search_attendees(
    *, event: Event, query: str, session: Session | None = None, shows_needs: bool = False
) -> list[dict[str, Any]]:
    """Registrations of the event whose name or email matches every word of ``query``.

    At most ``SEARCH_LIMIT``, sorted by name; a query shorter than ``SEARCH_MIN_LENGTH`` finds
    nobody. The email is searched, never returned. Queries: one.
    """
    words = query.split()
    if len(query.strip()) < SEARCH_MIN_LENGTH or not words:
        return []
    registrations = Registration.objects.filter(event=event)
    for word in words[:5]:
        registrations = registrations.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    role = Subquery(
        Badge.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True).values("role")[
            :1
        ]
    )
    checked_in_at = Subquery(
        _active_checkins(session).filter(registration=OuterRef("pk")).values("at")[:1]
    )
    registrations = registrations.select_related("person__organisation").annotate(
        badge_role=role, checked_in_at=checked_in_at
    )
    if session is not None and session.requires_signup:
        registrations = registrations.annotate(
            signed_up=Exists(
                SessionPick.objects.filter(
                    registration=OuterRef("pk"), session=session, status=PickStatus.CONFIRMED
                )
            )
        )
    results = []
    for registration in registrations.order_by("person__last_name", "person__first_name", "pk")[
        :SEARCH_LIMIT
    ]:
        status = registration.status
        if status == RegistrationStatus.CONFIRMED and not getattr(registration, "signed_up", True):
            status = "not_signed_up"
        results.append(
            {
                "status": status,
                **_door_data(
                    registration,
                    registration.badge_role or BadgeRole.ATTENDEE,
                    registration.checked_in_at,
                    shows_needs,
                ),
            }
        )
    return results


def checkin_stats(*, event: Event, session: Session | None = None) -> dict[str, int]:
    """Checked in of expected, at the door or at a session, and the conflicts to look at.

    Expected: the confirmed in-person registrations (for a session that needs sign-up, those
    holding a seat in it). Queries: three.
    """
    if session is not None and session.requires_signup:
        expected = SessionPick.objects.filter(
            session=session,
            status=PickStatus.CONFIRMED,
            registration__status=RegistrationStatus.CONFIRMED,
            registration__mode=AttendanceMode.IN_PERSON,
        ).count()
    else:
        expected = Registration.objects.filter(
            event=event, status=RegistrationStatus.CONFIRMED, mode=AttendanceMode.IN_PERSON
        ).count()
    return {
        "expected": expected,
        "checked_in": _active_checkins(session).filter(event=event).count(),
        "conflicts": ScanLog.objects.filter(event=event, conflict=True).count(),
    }
