"""Attendance that the door does not see: online joins and the organisers' own marks.

An online attendee's join link (in their emails and on their personal page) passes through the
site, which notes when they joined and sends them on to the meeting. Organisers correct what was
recorded with marks, for the whole event or one session; ``selectors`` says how marks weigh
against check-ins and joins.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.enums import EventFormat, EventStatus
from agenda.models import Session
from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.models import AuditEntry, Registration

from .exceptions import AttendanceMarkRefused, JoinNotAvailable
from .models import AttendanceMark, OnlineJoin
from .selectors import NOT_ATTENDED_KINDS

Actor = AbstractBaseUser | AnonymousUser | None

# The link leads to the meeting from this long before the start until this long after the end:
# people test their sound early, and meetings run late.
JOIN_OPENS_BEFORE = timedelta(minutes=30)
JOIN_CLOSES_AFTER = timedelta(minutes=30)
# Clicks closer together than this are one join: people click twice, reload, or reconnect.
JOIN_REPEAT_WINDOW = timedelta(minutes=10)


# --- online joins --------------------------------------------------------------------------------


def attends_online(registration: Registration) -> bool:
    return (
        registration.mode == AttendanceMode.ONLINE
        or registration.event.format == EventFormat.ONLINE
    )


def join_opens_at(registration: Registration) -> datetime:
    return registration.event.start - JOIN_OPENS_BEFORE


def check_join(*, registration: Registration, now: datetime | None = None) -> None:
    """Raises ``JoinNotAvailable`` (its code says why) unless the link may lead to the meeting now.

    It may for a confirmed online attendee of an event that is not cancelled and has a meeting
    link, from ``JOIN_OPENS_BEFORE`` the start to ``JOIN_CLOSES_AFTER`` the end.
    """
    now = now or timezone.now()
    event = registration.event
    if registration.status != RegistrationStatus.CONFIRMED:
        raise JoinNotAvailable(
            _("Your registration is %(status)s, so the link to the meeting is not for you.")
            % {"status": registration.get_status_display().lower()},
            code="join_not_confirmed",
        )
    if event.status == EventStatus.CANCELLED:
        raise JoinNotAvailable(_("This event is cancelled."), code="join_event_cancelled")
    if not attends_online(registration):
        raise JoinNotAvailable(
            _("You attend in person, so the online meeting is not for you."),
            code="join_in_person",
        )
    if not event.online_url:
        raise JoinNotAvailable(
            _("The organisers have not given the link to the meeting yet."), code="join_no_link"
        )
    if now < join_opens_at(registration):
        raise JoinNotAvailable(
            _("The meeting is not open yet."),
            code="join_not_yet_open",
            opens_at=join_opens_at(registration),
        )
    if now > event.end + JOIN_CLOSES_AFTER:
        raise JoinNotAvailable(_("This event has ended."), code="join_ended")


def joinable_session(
    *, registration: Registration, session_id: int | None, now: datetime | None = None
) -> Session | None:
    """The session of ``session_id`` if the join is into it: a session of the event (not a break)
    that is on at ``now``, counting the same margins as the event's link. Otherwise None."""
    if session_id is None:
        return None
    now = now or timezone.now()
    return (
        Session.objects.filter(
            pk=session_id,
            event_id=registration.event_id,
            start__lte=now + JOIN_OPENS_BEFORE,
            end__gte=now - JOIN_CLOSES_AFTER,
        )
        .exclude(kind__in=NOT_ATTENDED_KINDS)
        .first()
    )


def record_join(
    *,
    registration: Registration,
    session: Session | None = None,
    now: datetime | None = None,
) -> OnlineJoin:
    """Notes that ``registration`` joined the meeting (of ``session`` if given) at ``now``.

    Call ``check_join`` first. A click within ``JOIN_REPEAT_WINDOW`` of the last one for the same
    session saves nothing and returns that one. Saves: at most one OnlineJoin. Locks: the
    registration's row, so that two clicks at once make one row.
    """
    now = now or timezone.now()
    with transaction.atomic():
        Registration.objects.select_for_update().filter(pk=registration.pk).first()
        recent = (
            OnlineJoin.objects.filter(
                registration=registration,
                session=session,
                joined_at__gt=now - JOIN_REPEAT_WINDOW,
                joined_at__lte=now,
            )
            .order_by("-joined_at")
            .first()
        )
        if recent is not None:
            return recent
        return OnlineJoin.objects.create(registration=registration, session=session, joined_at=now)


# --- organisers' marks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkChange:
    mark: AttendanceMark | None
    changed: bool


def _audit_label(actor: Actor) -> tuple[AbstractBaseUser | None, str]:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return user, (user.get_username() if user is not None else "system")


def set_attendance_mark(
    *,
    registration: Registration,
    attended: bool | None,
    actor: Actor,
    session: Session | None = None,
    note: str = "",
    now: datetime | None = None,
) -> MarkChange:
    """Records an organiser's decision that ``registration`` attended the event (or ``session``),
    or did not; ``attended=None`` removes the decision, leaving what was recorded to decide.

    Only confirmed registrations are marked. Saves: the mark (created, changed or deleted) and,
    if anything changed, an audit entry of the registration, in one transaction. Locks: the
    registration's row.
    """
    now = now or timezone.now()
    if session is not None and session.event_id != registration.event_id:
        raise AttendanceMarkRefused(_("This session belongs to another event."), field="session")
    user, label = _audit_label(actor)
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != RegistrationStatus.CONFIRMED:
            raise AttendanceMarkRefused(
                _("Only confirmed registrations are marked; this one is %(status)s.")
                % {"status": current.get_status_display().lower()}
            )
        mark = AttendanceMark.objects.filter(registration=current, session=session).first()
        note = note.strip()[:200]
        if attended is None:
            if mark is None:
                return MarkChange(mark=None, changed=False)
            mark.delete()
            mark = None
            action = "attendance_mark_removed"
        else:
            if mark is not None and mark.attended == attended and (not note or note == mark.note):
                return MarkChange(mark=mark, changed=False)
            if mark is None:
                mark = AttendanceMark(registration=current, session=session)
            mark.attended = attended
            mark.note = note or mark.note
            mark.marked_by = user
            mark.marked_at = now
            mark.save()
            action = "marked_attended" if attended else "marked_absent"
        AuditEntry.objects.create(
            registration=current,
            at=now,
            actor=user,
            actor_label=label,
            action=action,
            from_status=current.status,
            to_status=current.status,
            reason=" – ".join(part for part in (session.title if session else "", note) if part),
        )
    return MarkChange(mark=mark, changed=True)
