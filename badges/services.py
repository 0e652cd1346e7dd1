"""Badges and the door: issuing codes, checking people in, undoing, and scanner devices.

Every function here opens its own transaction. A badge is issued when it is first needed (the
badge page, a print run, a scanner's list): registrations know nothing of badges, and a scan
judges the registration as it is at that moment, so a cancelled or declined registration is
refused at once ("not confirmed"). A badge issued before a cancellation or a decline stays dead
even if the registration is confirmed again later: the next scan, or the next time the badge is
needed, revokes it and a new code is issued.

Locking: a check-in, an undo, a revocation and a re-issue lock the registration's row, so they
happen one after the other for one person; the database's constraints hold "one check-in per
registration (and session)" whatever happens.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Event, Session, SessionSpeaker
from registrations.enums import PickStatus, RegistrationStatus
from registrations.models import AuditEntry, Registration, SessionPick

from .codes import MalformedCode, TamperedCode, new_code, parse_code
from .enums import BadgeRole, LogEntryKind, RevokeReason, ScanResult
from .exceptions import BadgeNotAvailable, CheckInAlreadyUndone, DeviceRevoked
from .models import Badge, CheckIn, Device, ScanLog, code_hash
from .selectors import public_event_title

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser | None

# Statuses that kill every badge issued before them, even if the registration comes back.
ENDING_STATUSES = (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED)


# --- who scans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scanner:
    """A device (by its token) or a signed-in organiser: whoever sent the scan."""

    device: Device | None = None
    user: Any = None

    @property
    def key(self) -> str:
        """Whose idempotency keys these are."""
        if self.device is not None:
            return f"device:{self.device.pk}"
        return f"user:{self.user.pk}"

    @property
    def user_or_none(self) -> Any:
        return self.user if self.user is not None and self.user.is_authenticated else None

    def shows_accessibility_needs(self) -> bool:
        if self.device is not None:
            return self.device.shows_accessibility_needs
        user = self.user_or_none
        return bool(user and user.has_perm("badges.view_accessibility_needs"))

    def made(self, checkin: CheckIn) -> bool:
        if self.device is not None:
            return checkin.device_id == self.device.pk
        return checkin.device_id is None and checkin.user_id == getattr(self.user, "pk", None)


@dataclass
class ScanOutcome:
    result: str
    response: dict[str, Any]
    checkin: CheckIn | None = None
    conflict: bool = False
    # True when the answer is the one stored for an earlier request with the same key.
    replayed: bool = False
    registration: Registration | None = field(default=None, repr=False)


# --- badges --------------------------------------------------------------------------------------


def default_role(registration: Registration) -> str:
    speaks = SessionSpeaker.objects.filter(
        session__event_id=registration.event_id, speaker__person_id=registration.person_id
    ).exists()
    return BadgeRole.SPEAKER if speaks else BadgeRole.ATTENDEE


def ended_since(registration: Registration, issued_at: datetime) -> str | None:
    """The status (cancelled or declined) the registration took after ``issued_at``, if any."""
    return (
        AuditEntry.objects.filter(
            registration_id=registration.pk, to_status__in=ENDING_STATUSES, at__gt=issued_at
        )
        .order_by("-at")
        .values_list("to_status", flat=True)
        .first()
    )


def _revoke(badge: Badge, *, reason: str, now: datetime | None = None) -> None:
    badge.revoked_at = now or timezone.now()
    badge.revoke_reason = reason
    badge.save(update_fields=["revoked_at", "revoke_reason"])


def issue_badge(*, registration: Registration, role: str | None = None) -> Badge:
    """The registration's valid badge, issued now if it has none.

    A badge issued before the registration was cancelled or declined is revoked and replaced,
    so a code handed out before the cancellation never works again.
    Saves: at most one revoked badge and one new badge. Locks: the registration's row.
    Raises ``BadgeNotAvailable`` unless the registration is confirmed.
    """
    with transaction.atomic():
        registration = _lock_registration(registration.pk)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise BadgeNotAvailable()
        badge = Badge.objects.filter(registration=registration, revoked_at__isnull=True).first()
        if badge is not None:
            ended = ended_since(registration, badge.issued_at)
            if ended is None:
                return badge
            _revoke(badge, reason=ended)
        return _new_badge(registration, role=role or (badge.role if badge else None))


def reissue_badge(*, registration: Registration, actor: User = None) -> Badge:
    """A new code for a lost badge; the old code is refused ("revoked") from the commit on.

    Saves: the old badge revoked, a new badge. Locks: the registration's row.
    """
    with transaction.atomic():
        registration = _lock_registration(registration.pk)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise BadgeNotAvailable()
        old = Badge.objects.filter(registration=registration, revoked_at__isnull=True).first()
        if old is not None:
            _revoke(old, reason=RevokeReason.REISSUED)
        badge = _new_badge(registration, role=old.role if old else None)
    logger.info(
        "Badge of registration %s re-issued by %s",
        registration.pk,
        getattr(actor, "pk", None) or "system",
    )
    return badge


def issue_missing_badges(*, event: Event) -> int:
    """Gives every confirmed registration of the event a valid badge; returns how many were made.

    One query when every confirmed registration has its badge already. Saves: new badges and
    the stale ones revoked (see ``issue_badge``).
    """
    valid = Badge.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True)
    stale = valid.filter(
        Exists(
            AuditEntry.objects.filter(
                registration=OuterRef("registration"),
                to_status__in=ENDING_STATUSES,
                at__gt=OuterRef("issued_at"),
            )
        )
    )
    missing = list(
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .filter(~Exists(valid) | Exists(stale))
        .order_by("pk")
    )
    if not missing:
        return 0
    speakers = set(
        SessionSpeaker.objects.filter(
            session__event=event, speaker__person__isnull=False
        ).values_list("speaker__person_id", flat=True)
    )
    made = 0
    for registration in missing:
        role = BadgeRole.SPEAKER if registration.person_id in speakers else BadgeRole.ATTENDEE
        try:
            issue_badge(registration=registration, role=role)
        except BadgeNotAvailable:
            continue  # cancelled in the meantime
        made += 1
    return made


def _new_badge(registration: Registration, *, role: str | None) -> Badge:
    badge = Badge(
        registration=registration,
        event_id=registration.event_id,
        code=new_code(event_id=registration.event_id),
        role=role or default_role(registration),
    )
    badge.save()
    return badge


# --- check-in ------------------------------------------------------------------------------------


def perform_checkin(
    *,
    event: Event,
    scanner: Scanner,
    code: str | None = None,
    registration_id: int | None = None,
    session: Session | None = None,
    idempotency_key: str = "",
    scanned_at: datetime | None = None,
) -> ScanOutcome:
    """Checks a person in by their badge's code (or, found by name, by their registration).

    The answer is one of ``ScanResult``, with what the door needs about the person. A scan
    sent again with the same ``idempotency_key`` by the same device or person gets the stored
    answer and changes nothing, even when both arrive at the same moment. ``scanned_at`` marks
    a scan made offline and sent later; if someone else checked the person in meanwhile, the
    scan is logged as a conflict.
    Saves: one scan log entry, always; a check-in when the answer is "checked in"; the badge
    revoked when it predates a cancellation. Locks: the registration's row.
    The caller has made sure that the scanner may work at this event and that ``session``
    belongs to it.
    """
    now = timezone.now()
    if scanned_at is not None and scanned_at > now:
        scanned_at = now  # a device clock running ahead
    if idempotency_key:
        stored = _stored_outcome(scanner, idempotency_key)
        if stored is not None:
            return stored
    try:
        with transaction.atomic():
            outcome = _scan(
                event=event,
                scanner=scanner,
                code=code,
                registration_id=registration_id,
                session=session,
                scanned_at=scanned_at,
                now=now,
            )
            ScanLog.objects.create(
                event=event,
                at=now,
                scanned_at=scanned_at,
                device=scanner.device,
                user=scanner.user_or_none,
                actor_key=scanner.key,
                idempotency_key=idempotency_key,
                code_hash=code_hash(_canonical(code))[:16] if code is not None else "",
                registration=outcome.registration,
                session=session,
                checkin=outcome.checkin,
                result=outcome.result,
                offline=scanned_at is not None,
                conflict=outcome.conflict,
                response=outcome.response,
            )
    except IntegrityError:
        # The same scan sent twice at the same moment: the first one's answer stands, and
        # everything this one did was rolled back with the failed insert.
        stored = _stored_outcome(scanner, idempotency_key) if idempotency_key else None
        if stored is None:
            raise
        return stored
    return outcome


def _canonical(code: str | None) -> str:
    return (code or "").strip().upper()


def _stored_outcome(scanner: Scanner, idempotency_key: str) -> ScanOutcome | None:
    log = (
        ScanLog.objects.filter(actor_key=scanner.key, idempotency_key=idempotency_key)
        .only("result", "response", "conflict", "checkin_id")
        .first()
    )
    if log is None:
        return None
    return ScanOutcome(
        result=log.result, response=log.response, conflict=log.conflict, replayed=True
    )


def _scan(
    *,
    event: Event,
    scanner: Scanner,
    code: str | None,
    registration_id: int | None,
    session: Session | None,
    scanned_at: datetime | None,
    now: datetime,
) -> ScanOutcome:
    badge: Badge | None = None
    if code is not None:
        try:
            parsed = parse_code(code)
        except MalformedCode:
            return _refused(ScanResult.MALFORMED, session=session)
        except TamperedCode:
            return _refused(ScanResult.TAMPERED, session=session)
        if parsed.event_id != event.pk:
            extra = {"other_event": public_event_title(event_id=parsed.event_id)}
            return _refused(ScanResult.OTHER_EVENT, session=session, extra=extra)
        badge = Badge.objects.filter(code=_canonical(code), event=event).first()
        if badge is None:
            return _refused(ScanResult.UNKNOWN, session=session)
        registration_id = badge.registration_id
    registration = _lock_registration(registration_id, event=event)
    if registration is None:
        return _refused(ScanResult.UNKNOWN, session=session)
    if badge is None:
        badge = Badge.objects.filter(registration=registration, revoked_at__isnull=True).first()

    person = _attendee(registration, badge, scanner)
    if badge is not None and badge.revoked_at is not None:
        return _answer(
            ScanResult.REVOKED,
            registration,
            session,
            person,
            extra={"revoke_reason": badge.revoke_reason},
        )
    if registration.status != RegistrationStatus.CONFIRMED:
        return _answer(
            ScanResult.NOT_CONFIRMED,
            registration,
            session,
            person,
            extra={"status": registration.status},
        )
    # A badge can only predate a cancellation if the registration changed after it was issued.
    if badge is not None and code is not None and registration.updated_at > badge.issued_at:
        ended = ended_since(registration, badge.issued_at)
        if ended is not None:
            _revoke(badge, reason=ended, now=now)
            return _answer(
                ScanResult.REVOKED, registration, session, person, extra={"revoke_reason": ended}
            )
    if session is not None and session.requires_signup and not _has_seat(registration, session):
        return _answer(
            ScanResult.NOT_CONFIRMED,
            registration,
            session,
            person,
            extra={"status": "not_signed_up"},
        )

    existing = _active_checkin(registration, session)
    if existing is None:
        checkin = CheckIn(
            registration=registration,
            event=event,
            session=session,
            badge=badge,
            at=scanned_at or now,
            recorded_at=now,
            device=scanner.device,
            user=scanner.user_or_none,
            offline=scanned_at is not None,
        )
        try:
            with transaction.atomic():
                checkin.save()
        except IntegrityError:
            # Only without the row lock (SQLite in tests has none to take): someone was faster.
            existing = _active_checkin(registration, session)
            if existing is None:
                raise
        else:
            return _answer(
                ScanResult.CHECKED_IN,
                registration,
                session,
                person,
                checkin=checkin,
                extra={"checkin": _checkin_info(checkin)},
            )
    conflict = scanned_at is not None and not scanner.made(existing)
    outcome = _answer(
        ScanResult.ALREADY_CHECKED_IN,
        registration,
        session,
        person,
        checkin=existing,
        extra={"checkin": _checkin_info(existing), "conflict": conflict},
    )
    outcome.conflict = conflict
    return outcome


def _lock_registration(pk: int, *, event: Event | None = None) -> Registration | None:
    """The registration's row, locked until the end of the transaction, with its person."""
    rows = Registration.objects.select_for_update(of=("self",)).select_related(
        "person__organisation"
    )
    if event is not None:
        return rows.filter(pk=pk, event=event).first()
    return rows.get(pk=pk)


def _has_seat(registration: Registration, session: Session) -> bool:
    return SessionPick.objects.filter(
        registration=registration, session=session, status=PickStatus.CONFIRMED
    ).exists()


def _active_checkin(registration: Registration, session: Session | None) -> CheckIn | None:
    return (
        CheckIn.objects.filter(registration=registration, session=session, undone_at__isnull=True)
        .select_related("device", "user")
        .first()
    )


MESSAGES = {
    ScanResult.CHECKED_IN: lambda: _("Welcome! Checked in."),
    ScanResult.ALREADY_CHECKED_IN: lambda: _("Already checked in."),
    ScanResult.NOT_CONFIRMED: lambda: _("This registration is not confirmed."),
    ScanResult.REVOKED: lambda: _("This badge has been revoked. Please go to the desk."),
    ScanResult.OTHER_EVENT: lambda: _("This badge is for another event."),
    ScanResult.UNKNOWN: lambda: _("No such badge. Please go to the desk."),
    ScanResult.TAMPERED: lambda: _("This code has been altered or forged."),
    ScanResult.MALFORMED: lambda: _("This is not a badge code."),
}


def _refused(
    result: str, *, session: Session | None, extra: dict[str, Any] | None = None
) -> ScanOutcome:
    """An answer about a code that names nobody: no person in it."""
    response = {
        "result": result,
        "message": MESSAGES[result](),
        "session": _session_info(session),
        "attendee": None,
        **(extra or {}),
    }
    return ScanOutcome(result=result, response=response)


def _answer(
    result: str,
    registration: Registration,
    session: Session | None,
    person: dict[str, Any],
    *,
    checkin: CheckIn | None = None,
    extra: dict[str, Any] | None = None,
) -> ScanOutcome:
    message = MESSAGES[result]()
    if result == ScanResult.NOT_CONFIRMED:
        status = (extra or {}).get("status")
        if status == "not_signed_up":
            message = _("Not signed up for this session.")
        else:
            message = _("Not confirmed: %(status)s.") % {
                "status": registration.get_status_display().lower()
            }
    response = {
        "result": result,
        "message": message,
        "session": _session_info(session),
        "attendee": person,
        **(extra or {}),
    }
    return ScanOutcome(result=result, response=response, checkin=checkin, registration=registration)


def _attendee(registration: Registration, badge: Badge | None, scanner: Scanner) -> dict[str, Any]:
    """What the door needs to know about a person, and no more: never the email address."""
    person = registration.person
    role = badge.role if badge is not None else BadgeRole.ATTENDEE
    data = {
        "registration": registration.pk,
        "name": person.full_name,
        "organisation": person.organisation.name if person.organisation else "",
        "role": role,
        "role_label": str(BadgeRole(role).label),
        "mode": registration.mode,
        "mode_label": str(registration.get_mode_display()),
        "needs_assistance": bool(registration.accessibility_needs.strip()),
    }
    if scanner.shows_accessibility_needs():
        data["accessibility_needs"] = registration.accessibility_needs
    return data


def _session_info(session: Session | None) -> dict[str, Any] | None:
    return None if session is None else {"id": session.pk, "title": session.title}


def _checkin_info(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.pk,
        "at": checkin.at.isoformat(),
        "by": checkin.by_label,
        "device": str(checkin.device) if checkin.device_id else None,
        "offline": checkin.offline,
    }


def undo_checkin(*, checkin: CheckIn, actor: User) -> CheckIn:
    """Undoes a check-in (a wrong person let in, a mistaken scan); the person can check in again.

    The row stays, marked undone, for the record. Saves: the check-in, a scan log entry.
    Locks: the registration's row. Raises ``CheckInAlreadyUndone``.
    """
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        _lock_registration(checkin.registration_id)
        current = CheckIn.objects.get(pk=checkin.pk)
        if current.undone_at is not None:
            raise CheckInAlreadyUndone()
        current.undone_at = timezone.now()
        current.undone_by = user
        current.save(update_fields=["undone_at", "undone_by"])
        ScanLog.objects.create(
            event_id=current.event_id,
            at=current.undone_at,
            user=user,
            actor_key=f"user:{user.pk}" if user else "system",
            registration_id=current.registration_id,
            session_id=current.session_id,
            checkin=current,
            result=LogEntryKind.UNDONE,
        )
    return current


# --- devices -------------------------------------------------------------------------------------


def new_device_token() -> str:
    return "dev_" + secrets.token_urlsafe(32)


def create_device(
    *,
    name: str,
    events: list[Event],
    created_by: User = None,
    shows_accessibility_needs: bool = False,
) -> tuple[Device, str]:
    """A new scanner device and its token, which is returned here once and never kept.

    Saves: the device with the token's hash, its events.
    """
    token = new_device_token()
    with transaction.atomic():
        device = Device.objects.create(
            name=name,
            token_hash=Device.hash_token(token),
            token_hint=token[:8],
            shows_accessibility_needs=shows_accessibility_needs,
            created_by=created_by if created_by and created_by.is_authenticated else None,
        )
        device.events.set(events)
    return device, token


def set_device_token(*, device: Device) -> str:
    """Gives a device (new or existing) a fresh token; the old one stops working at once."""
    token = new_device_token()
    with transaction.atomic():
        device.token_hash = Device.hash_token(token)
        device.token_hint = token[:8]
        if device.pk is None:
            device.save()
        else:
            device.save(update_fields=["token_hash", "token_hint"])
    return token


def revoke_device(*, device: Device, actor: User = None) -> Device:
    """Stops the device's token from working; its scans and check-ins stay on record."""
    with transaction.atomic():
        current = Device.objects.select_for_update().get(pk=device.pk)
        if current.revoked_at is not None:
            raise DeviceRevoked()
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
    logger.info("Device %s revoked by %s", current.pk, getattr(actor, "pk", None) or "system")
    return current


def touch_device(*, device: Device, now: datetime | None = None) -> None:
    """Notes that the device is in use, at most once a minute (not one write per scan)."""
    now = now or timezone.now()
    if device.last_seen_at is not None and (now - device.last_seen_at).total_seconds() < 60:
        return
    Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    device.last_seen_at = now
