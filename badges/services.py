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

import functools
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Exists, Model, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Event, Session, SessionSpeaker
from members.models import Organisation, Person
from registrations.enums import AttendanceMode, PickStatus, RegistrationStatus
from registrations.models import AuditEntry, Registration, SessionPick

from .codes import MalformedCode, TamperedCode, new_code, parse_code
from .enums import BadgeRole, LogEntryKind, RevokeReason, ScanResult
from .exceptions import BadgeNotAvailable, CheckInAlreadyUndone, DeviceRevoked
from .models import Badge, CheckIn, Device, ScanLog, code_hash
from .selectors import fetch_row, join, public_event_title, quoted, select_list
from .signals import checkin_recorded, checkin_undone

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

    One query when every confirmed registration has its badge already: those without a valid
    badge and those whose valid badge was issued before a cancellation or a decline, as two
    joins (an ``OR`` of the two would make the database test each registration in turn).
    Saves: new badges and the stale ones revoked (see ``issue_badge``).
    """
    confirmed = Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED
    ).order_by()
    # Looked up by registration only: naming the event too lets the planner, with statistics
    # not yet gathered after a bulk import, scan the event's badges once per registration.
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
        confirmed.filter(~Exists(valid)).union(confirmed.filter(Exists(stale))).order_by("pk")
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

    A scan of a badge is five statements in one transaction: BEGIN; the badge with its
    registration (locked), person and organisation; the check-in, inserted unless there is one
    (``ON CONFLICT DO NOTHING``: the constraint decides); the scan log entry; COMMIT. A badge
    checked in already adds the lookup of that check-in. (tests/badges/test_checkin_queries.py
    counts them; docs/benchmarks.md says why each is as it is.)
    """
    now = timezone.now()
    if scanned_at is not None and scanned_at > now:
        scanned_at = now  # a device clock running ahead
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
            # The unique key on (scanner, idempotency key) makes this insert fail for a scan
            # sent again, so no scan looks for a stored answer first: a retry does the scan's
            # work, fails here, is rolled back whole, and answers from the log below.
            user = scanner.user_or_none
            log = ScanLog(
                event_id=event.pk,
                at=now,
                scanned_at=scanned_at,
                device_id=scanner.device.pk if scanner.device is not None else None,
                user_id=user.pk if user is not None else None,
                actor_key=scanner.key,
                idempotency_key=idempotency_key,
                code_hash=code_hash(_canonical(code))[:16] if code is not None else "",
                registration_id=(
                    outcome.registration.pk if outcome.registration is not None else None
                ),
                session_id=session.pk if session is not None else None,
                checkin_id=outcome.checkin.pk if outcome.checkin is not None else None,
                result=outcome.result,
                offline=scanned_at is not None,
                conflict=outcome.conflict,
                response=outcome.response,
            )
            _insert(log)
    except IntegrityError:
        # The same scan sent again, earlier or at the same moment: the first one's answer
        # stands, and everything this one did was rolled back with the failed insert.
        stored = _stored_outcome(scanner, idempotency_key) if idempotency_key else None
        if stored is None:
            raise
        return stored
    return outcome


def _canonical(code: str | None) -> str:
    return (code or "").strip().upper()


def _stored_outcome(scanner: Scanner, idempotency_key: str) -> ScanOutcome | None:
    try:
        log = ScanLog.objects.only("result", "response", "conflict").get(
            actor_key=scanner.key, idempotency_key=idempotency_key
        )
    except ScanLog.DoesNotExist:
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
        badge = _badge_locking_registration(code=_canonical(code), event=event)
        if badge is None:
            return _refused(ScanResult.UNKNOWN, session=session)
        registration = badge.registration
    else:
        found = (
            None if registration_id is None else _lock_registration(registration_id, event=event)
        )
        if found is None:
            return _refused(ScanResult.UNKNOWN, session=session)
        registration = found
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

    checkin = CheckIn(
        registration_id=registration.pk,
        event_id=event.pk,
        session_id=session.pk if session is not None else None,
        badge_id=badge.pk if badge is not None else None,
        at=scanned_at or now,
        recorded_at=now,
        device=scanner.device,
        user=scanner.user_or_none,
        offline=scanned_at is not None,
    )
    # The constraints checkin_one_per_registration(_and_session) decide.
    if _insert(checkin, unless_conflict=True):
        checkin_recorded.send(sender=CheckIn, checkin=checkin)
        return _answer(
            ScanResult.CHECKED_IN,
            registration,
            session,
            person,
            checkin=checkin,
            extra={"checkin": _checkin_info(checkin)},
        )
    existing = _active_checkin(registration, session)
    if existing is None:
        # The insert met a check-in that is gone now: impossible, since undoing a check-in
        # takes the registration's lock too (on SQLite, the database's write lock).
        raise IntegrityError("check-in neither inserted nor found")
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


def _badge_locking_registration(*, code: str, event: Event) -> Badge | None:
    """The badge of this code at this event, its registration locked (on PostgreSQL), with the
    person and their organisation: one statement (as SQL: see ``selectors.fetch_row``)."""
    connection = connections[router.db_for_write(Registration)]
    sql = (
        f"SELECT {select_list(Badge)}, {select_list(Registration)}, {select_list(Person)},"  # noqa: S608
        f" {select_list(Organisation)} FROM {quoted(Badge)}{join(Badge, 'registration')}"
        f"{join(Registration, 'person')}{join(Person, 'organisation', outer=True)}"
        f" WHERE {quoted(Badge, 'code')} = %s AND {quoted(Badge, 'event')} = %s"
    )
    if connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {quoted(Registration)}"
    found = fetch_row(
        [Badge, Registration, Person, Organisation], sql, [code, event.pk], using=connection.alias
    )
    if found is None:
        return None
    badge, registration, person, organisation = found
    person.organisation = organisation if person.organisation_id is not None else None
    registration.person = person
    registration.event = event
    badge.registration = registration
    badge.event = event
    return badge


def _insert(instance: Model, *, unless_conflict: bool = False) -> bool:
    """Inserts the instance in one statement; returns whether it went in (and sets its pk).

    ``unless_conflict``: ``INSERT … ON CONFLICT DO NOTHING``, so that the database's
    constraints decide, whatever else runs at the same moment, without a savepoint's two round
    trips around a plain insert (``bulk_create(ignore_conflicts=True)`` would not say whether
    the row went in). Without it, a conflict raises ``IntegrityError``. Written as SQL for the
    same reason as the scan's reads (``selectors.fetch_row``); sends none of Django's model
    signals (the scan sends its own, ``signals.checkin_recorded``).
    """
    model = type(instance)
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    fields, sql, returning = _insert_statement(connection.alias, model, unless_conflict)
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning:
            row = cursor.fetchone()
            pk = None if row is None else row[0]
        else:
            # SQLite before 3.35 has no RETURNING, as Django's own inserts allow for.
            pk = (
                connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
                if cursor.rowcount == 1
                else None
            )
    if pk is None:
        return False
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
    return True


@functools.cache
def _insert_statement(
    alias: str, model: type[Model], unless_conflict: bool
) -> tuple[list, str, bool]:
    """The fields an insert of ``model`` writes, its SQL, and whether it returns the new pk."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    returning = connection.features.can_return_columns_from_insert
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f"{' ON CONFLICT DO NOTHING' if unless_conflict else ''}"
        f"{f' RETURNING {quote(meta.pk.column)}' if returning else ''}"
    )
    return fields, sql, returning


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
    """The registration's check-in (at the door, or at ``session``) not undone, with its device
    and user: one statement (as SQL: see ``selectors.fetch_row``), at most one row (the
    constraints)."""
    User = get_user_model()
    where = f"{quoted(CheckIn, 'registration')} = %s AND {quoted(CheckIn, 'undone_at')} IS NULL"
    params: list[Any] = [registration.pk]
    if session is None:
        where += f" AND {quoted(CheckIn, 'session')} IS NULL"
    else:
        where += f" AND {quoted(CheckIn, 'session')} = %s"
        params.append(session.pk)
    found = fetch_row(
        [CheckIn, Device, User],
        f"SELECT {select_list(CheckIn)}, {select_list(Device)}, {select_list(User)}"  # noqa: S608
        f" FROM {quoted(CheckIn)}{join(CheckIn, 'device', outer=True)}"
        f"{join(CheckIn, 'user', outer=True)} WHERE {where}",
        params,
    )
    if found is None:
        return None
    checkin, device, user = found
    checkin.device = device if checkin.device_id is not None else None
    checkin.user = user if checkin.user_id is not None else None
    return checkin


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
            message = not_confirmed_message(registration.get_status_display())
    response = {
        "result": result,
        "message": message,
        "session": _session_info(session),
        "attendee": person,
        **(extra or {}),
    }
    return ScanOutcome(result=result, response=response, checkin=checkin, registration=registration)


def not_confirmed_message(status_label: str) -> str:
    """What the door says of a registration in this status (its label, translated)."""
    return _("Not confirmed: %(status)s.") % {"status": status_label.lower()}


def _attendee(registration: Registration, badge: Badge | None, scanner: Scanner) -> dict[str, Any]:
    """What the door needs to know about a person, and no more: never the email address."""
    person = registration.person
    role = badge.role if badge is not None else BadgeRole.ATTENDEE
    data = {
        "registration": registration.pk,
        "name": person.full_name,
        "organisation": person.organisation.name if person.organisation else "",
        "role": role,
        "role_label": _label(BadgeRole, role),
        "mode": registration.mode,
        "mode_label": _label(AttendanceMode, registration.mode),
        "needs_assistance": bool(registration.accessibility_needs.strip()),
    }
    if scanner.shows_accessibility_needs():
        data["accessibility_needs"] = registration.accessibility_needs
    return data


@functools.cache
def _labels(choices: type[models.TextChoices]) -> dict[str, Any]:
    return dict(choices.choices)


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The value's label, translated now (``get_FOO_display`` rebuilt its choices each time)."""
    return str(_labels(choices).get(value, value))


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
        checkin_undone.send(sender=CheckIn, checkin=current)
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
