"""Registration: sign-up, seats, waitlists and the changes organisers and attendees make.

Every function here opens its own transaction, writes an audit entry with the change and
queues emails for after the commit. Seats are given out only under the event lock (see
``capacity``).
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agenda.enums import Audience, EventFormat, EventStatus, RegistrationWindow
from agenda.models import Event, Session
from members.membership import membership_eligibility
from members.services import find_or_create_organisation, find_or_create_person

from . import capacity
from .emails import queue_email
from .enums import (
    ACTIVE_STATUSES,
    AttendanceMode,
    EmailKind,
    PickStatus,
    QuestionKind,
    RegistrationStatus,
)
from .exceptions import (
    InvalidTransition,
    InvitationInvalid,
    InvitationRequired,
    NotEligible,
    RegistrationError,
    RegistrationNotOpen,
    SessionsOverlap,
)
from .models import (
    Answer,
    AuditEntry,
    Invitation,
    PrivacyNotice,
    Question,
    Registration,
    SessionPick,
)
from .selectors import current_privacy_notices, registration_rules
from .signals import registration_changed

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass
class RegistrationRequest:
    """What a registrant submits, from the form or the API."""

    first_name: str
    last_name: str
    email: str
    organisation_name: str
    organisation_type: str
    organisation_country: str
    job_title: str = ""
    mode: str = ""
    answers: dict[int, Any] = field(default_factory=dict)
    accessibility_needs: str = ""
    dietary_needs: str = ""
    privacy_accepted: bool = False
    photo_consent: bool = False
    participant_list_consent: bool = False
    session_ids: list[int] = field(default_factory=list)
    invitation_code: str = ""
    language: str = "en"


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool
    # The place in the line when registered (None unless waitlisted), as its email tells it.
    waitlist_position: int | None = None


# --- checks --------------------------------------------------------------------------------------


def check_registration_open(*, event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise RegistrationNotOpen(_("This event has been cancelled."))
    if event.status == EventStatus.POSTPONED:
        raise RegistrationNotOpen(
            _("This event has been postponed; registration will reopen with the new dates.")
        )
    window = event.registration_window()
    if window == RegistrationWindow.NOT_OFFERED:
        raise RegistrationNotOpen(_("This event does not take registrations online."))
    if window == RegistrationWindow.NOT_YET_OPEN:
        opens = event.local(event.registration_opens)
        raise RegistrationNotOpen(
            _("Registration opens on %(date)s.") % {"date": opens.strftime("%Y-%m-%d %H:%M")}
        )
    if window == RegistrationWindow.CLOSED:
        raise RegistrationNotOpen(_("Registration for this event is closed."))


def check_mode(*, event: Event, mode: str) -> str:
    if event.format == EventFormat.ONLINE:
        return AttendanceMode.ONLINE
    if event.format == EventFormat.IN_PERSON:
        return AttendanceMode.IN_PERSON
    if mode not in AttendanceMode.values:
        raise RegistrationError(
            _("Choose whether you will attend in person or online."), field="mode"
        )
    return mode


def check_answers(
    *, event: Event, answers: dict[int, Any], questions: Iterable[Question] | None = None
) -> dict[Question, Any]:
    """The answers to the event's questions (``questions`` when already read), checked against
    each question's kind."""
    cleaned: dict[Question, Any] = {}
    for question in Question.objects.filter(event=event) if questions is None else questions:
        value = answers.get(question.pk)
        empty = value in (None, "", [])
        if empty:
            if question.required:
                raise RegistrationError(
                    _("Please answer: %(question)s") % {"question": question.label},
                    code="answer_required",
                    field=f"question_{question.pk}",
                )
            continue
        if question.kind == QuestionKind.YES_NO:
            if not isinstance(value, bool):
                raise RegistrationError(
                    _("Answer yes or no."), code="answer_invalid", field=f"question_{question.pk}"
                )
        elif question.kind == QuestionKind.SINGLE_CHOICE:
            if value not in question.choices:
                raise RegistrationError(
                    _("Choose one of the options."),
                    code="answer_invalid",
                    field=f"question_{question.pk}",
                )
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            if not isinstance(value, list) or not set(value) <= set(question.choices):
                raise RegistrationError(
                    _("Choose among the options."),
                    code="answer_invalid",
                    field=f"question_{question.pk}",
                )
        else:
            value = str(value).strip()
            limit = 200 if question.kind == QuestionKind.SHORT_TEXT else 5000
            if len(value) > limit:
                raise RegistrationError(
                    _("Please keep this answer under %(limit)s characters.") % {"limit": limit},
                    code="answer_too_long",
                    field=f"question_{question.pk}",
                )
        cleaned[question] = value
    return cleaned


def check_sessions(*, event: Event, session_ids: list[int]) -> list[Session]:
    """The picked sessions: each must need sign-up at this event; none may overlap another."""
    ids = sorted(set(session_ids))
    if not ids:
        return []
    sessions = list(
        Session.objects.filter(event=event, requires_signup=True, pk__in=ids).order_by("start")
    )
    if len(sessions) != len(ids):
        raise RegistrationError(
            _("One of the chosen sessions cannot be picked for this event."),
            code="session_invalid",
            field="sessions",
        )
    for earlier, later in itertools.pairwise(sessions):
        if later.start < earlier.end:
            raise SessionsOverlap(
                _("“%(first)s” and “%(second)s” take place at the same time; pick one of them.")
                % {"first": earlier.title, "second": later.title},
                field="sessions",
            )
    return sessions


def find_invitation(*, event: Event, code: str) -> Invitation:
    code = code.strip().upper()
    invitation = Invitation.objects.filter(event=event, code=code).first()
    if invitation is None:
        raise InvitationInvalid(_("This invitation code is not valid for this event."))
    return invitation


def check_invitation(*, invitation: Invitation, email: str) -> None:
    if invitation.revoked_at is not None:
        raise InvitationInvalid(_("This invitation has been withdrawn."))
    if invitation.expires_at is not None and invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation has expired."))
    if invitation.uses >= invitation.max_uses:
        raise InvitationInvalid(_("This invitation has already been used."))
    if invitation.email and invitation.email.lower() != email.strip().lower():
        raise InvitationInvalid(_("This invitation was issued for another email address."))


def _no_privacy_notice() -> RegistrationError:
    return RegistrationError(
        _("Registration is not possible until the privacy notice is published."),
        code="no_privacy_notice",
    )


def current_privacy_notice(*, event: Event) -> PrivacyNotice:
    """The notice in force for the event: its own latest if it has one, else the network's."""
    notice = current_privacy_notices(event.pk).first()
    if notice is None:
        raise _no_privacy_notice()
    return notice


# --- registering ---------------------------------------------------------------------------------


def register(
    *, event: Event, request: RegistrationRequest, actor: Actor = None
) -> RegistrationResult:
    """Registers a person for an event under its audience, approval and capacity rules.

    Submitting again for the same email returns the existing registration and sends its email
    again, a declined one included (the decision stands); a cancelled one registers anew at the
    end of the line. Everything that needs no lock is read and checked first (from the event's
    annotations when it came from ``selectors.events_for_registration``); the event's lock is
    taken last, held only while the seat is counted and the rows are written.
    Saves, in one transaction: the organisation and person if new, the registration, its answers
    and session picks, an audit entry, the invitation's use, one outbox email (rendered when
    sent). Queues: that email's sending, on commit. Locks: the event row, then the picked
    sessions' rows, then the invitation's row.
    """
    check_registration_open(event=event)
    mode = check_mode(event=event, mode=request.mode)
    if not request.privacy_accepted:
        raise RegistrationError(
            _("Please accept the privacy notice to register."),
            code="privacy_required",
            field="privacy_accepted",
        )
    rules = registration_rules(event=event)
    answers = check_answers(event=event, answers=request.answers, questions=rules.questions)
    sessions = check_sessions(event=event, session_ids=request.session_ids)
    if rules.privacy_notice_id is None:
        raise _no_privacy_notice()

    invitation = None
    if request.invitation_code:
        invitation = find_invitation(event=event, code=request.invitation_code)
        check_invitation(invitation=invitation, email=request.email)
    if event.audience == Audience.INVITATION and invitation is None:
        raise InvitationRequired(
            _("This event is by invitation only. Please enter the code you received.")
        )
    if event.audience == Audience.MEMBERS and invitation is None:
        eligibility = membership_eligibility(
            organisation_type=request.organisation_type, country=request.organisation_country
        )
        if not eligibility.eligible:
            raise NotEligible(
                _(
                    "%(reason)s If you think you should take part, ask the organisers for an "
                    "invitation."
                )
                % {"reason": eligibility.reason}
            )

    with transaction.atomic():
        # In the registration's transaction, before the lock: one commit for all the rows, and
        # nothing kept of a registration that fails.
        organisation = find_or_create_organisation(
            name=request.organisation_name,
            type=request.organisation_type,
            country=request.organisation_country,
        )
        person = find_or_create_person(
            email=request.email,
            first_name=request.first_name,
            last_name=request.last_name,
            organisation=organisation,
            job_title=request.job_title,
            country=request.organisation_country,
        )
        event = capacity.lock_event_seats(event)
        existing = Registration.objects.filter(event=event, person=person).first()
        if existing is not None and (
            existing.is_active or existing.status == RegistrationStatus.DECLINED
        ):
            # A declined person cannot get round the decision by registering again; they are
            # told by email, like anyone re-submitting, so the page reveals nothing to a stranger
            # who types their address. Organisers can reopen the registration.
            resend_status_email(registration=existing)
            return RegistrationResult(existing, created=False)
        if invitation is not None:
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            check_invitation(invitation=invitation, email=request.email)
            invitation.uses += 1
            invitation.save(update_fields=["uses"])

        registration = existing or Registration(event=event, person=person)
        previous = registration.status if existing else ""
        registration.mode = mode
        registration.language = request.language
        registration.invitation = invitation or registration.invitation
        in_person = mode == AttendanceMode.IN_PERSON
        registration.accessibility_needs = request.accessibility_needs.strip() if in_person else ""
        registration.dietary_needs = request.dietary_needs.strip() if in_person else ""
        registration.privacy_notice_id = rules.privacy_notice_id
        registration.privacy_accepted_at = timezone.now()
        registration.photo_consent = request.photo_consent
        registration.participant_list_consent = request.participant_list_consent
        registration.status = RegistrationStatus.PENDING
        registration.waitlisted_at = None
        if not rules.requires_approval:
            _allocate(registration)
        registration.save()

        if existing is not None:
            Answer.objects.filter(registration=registration).delete()
            SessionPick.objects.filter(registration=registration).delete()
        Answer.objects.bulk_create(
            Answer(registration=registration, question=question, value=value)
            for question, value in answers.items()
        )
        # Without a seat, the picks wait outside the sessions' lines.
        picks = [
            SessionPick(registration=registration, session=session, status=PickStatus.WAITLISTED)
            for session in sessions
        ]
        if registration.status == RegistrationStatus.CONFIRMED:
            _decide_picks(picks)
        SessionPick.objects.bulk_create(picks)
        _audit(
            registration,
            actor=actor,
            action="registered" if not existing else "registered_again",
            from_status=previous,
            reason=_("Invitation %(code)s") % {"code": invitation.code} if invitation else "",
        )
        email = queue_email(
            registration=registration, kind=status_email_kind(registration), picks=picks
        )
    return RegistrationResult(
        registration, created=True, waitlist_position=email.context["waitlist_position"]
    )


def _allocate(registration: Registration) -> None:
    """Confirms the registration if its mode has a free seat, else puts it on the waitlist.

    Call with the event row locked.
    """
    free = capacity.free_seats(registration.event, registration.mode)
    if free is None or free > 0:
        registration.status = RegistrationStatus.CONFIRMED
        registration.waitlisted_at = None
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = timezone.now()


def _park_picks(registration: Registration) -> None:
    """Without a seat, a registration's picks wait outside the sessions' lines."""
    SessionPick.objects.filter(registration=registration).update(
        status=PickStatus.WAITLISTED, waitlisted_at=None
    )


def _decide_picks(picks: list[SessionPick]) -> None:
    """A seat in each picked session that has one free, else its line, for a confirmed
    registration (not saved). Locks the sessions' rows, counts under the lock."""
    sessions = {s.pk: s for s in capacity.lock_sessions(p.session_id for p in picks)}
    now = timezone.now()
    for pick in picks:
        free = capacity.session_free_seats(sessions[pick.session_id])
        if free is None or free > 0:
            pick.status, pick.waitlisted_at = PickStatus.CONFIRMED, None
        else:
            pick.status, pick.waitlisted_at = PickStatus.WAITLISTED, now


def _allocate_picks(registration: Registration) -> None:
    picks = list(SessionPick.objects.filter(registration=registration).select_related("session"))
    _decide_picks(picks)
    for pick in picks:
        pick.save(update_fields=["status", "waitlisted_at"])


def _release_picks(registration: Registration, *, actor: Actor) -> None:
    """Frees the registration's session seats and gives each to the next in that session's line."""
    picks = list(SessionPick.objects.filter(registration=registration))
    freed = [p.session_id for p in picks if p.status == PickStatus.CONFIRMED]
    SessionPick.objects.filter(registration=registration).delete()
    for session in capacity.lock_sessions(freed):
        _fill_session(session, actor=actor)


def _fill_session(session: Session, *, actor: Actor) -> None:
    while True:
        free = capacity.session_free_seats(session)
        if free is not None and free <= 0:
            return
        pick = (
            SessionPick.objects.filter(
                session=session,
                status=PickStatus.WAITLISTED,
                waitlisted_at__isnull=False,
                registration__status=RegistrationStatus.CONFIRMED,
            )
            .select_related("registration__person", "registration__event")
            .order_by("waitlisted_at", "pk")
            .first()
        )
        if pick is None:
            return
        pick.status, pick.waitlisted_at = PickStatus.CONFIRMED, None
        pick.save(update_fields=["status", "waitlisted_at"])
        _audit(
            pick.registration,
            actor=actor,
            action="session_promoted",
            reason=session.title,
        )
        queue_email(
            registration=pick.registration,
            kind=EmailKind.CHANGED,
            context={"promoted_session": {"title": session.title}},
        )


def status_email_kind(registration: Registration) -> str:
    return {
        RegistrationStatus.CONFIRMED: EmailKind.CONFIRMATION,
        RegistrationStatus.WAITLISTED: EmailKind.WAITLISTED,
        RegistrationStatus.PENDING: EmailKind.PENDING,
        RegistrationStatus.CANCELLED: EmailKind.CANCELLED,
        RegistrationStatus.DECLINED: EmailKind.DECLINED,
    }[registration.status]


def resend_status_email(*, registration: Registration) -> None:
    """Sends the email of the registration's current state again. Saves: one outbox email."""
    with transaction.atomic():
        queue_email(registration=registration, kind=status_email_kind(registration))


def _audit(
    registration: Registration,
    *,
    actor: Actor,
    action: str,
    from_status: str = "",
    reason: str = "",
) -> None:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = user.get_username() if user is not None else ("system" if actor is None else "attendee")
    AuditEntry.objects.create(
        registration=registration,
        actor=user,
        actor_label=label,
        action=action,
        from_status=from_status,
        to_status=registration.status,
        reason=reason,
    )
    registration_changed.send(
        sender=Registration,
        registration=registration,
        action=action,
        from_status=from_status,
        to_status=registration.status,
    )


# --- changes of state ----------------------------------------------------------------------------


def _transition(
    registration: Registration,
    *,
    allowed_from: tuple[str, ...],
    actor: Actor,
) -> tuple[Registration, str]:
    """Locks the event, then re-reads the registration; refuses a change from another state."""
    capacity.lock_event(registration.event_id)
    current = Registration.objects.select_related("event", "person").get(pk=registration.pk)
    if current.status not in allowed_from:
        raise InvalidTransition(
            _("This registration is %(status)s; that change is not possible.")
            % {"status": current.get_status_display().lower()}
        )
    return current, current.status


def cancel(*, registration: Registration, actor: Actor, reason: str = "") -> Registration:
    """Cancels a registration (the attendee's or an organiser's decision) and fills its seat.

    Saves: the registration, its released session picks, audit entries, emails to the cancelled
    person and to whoever is promoted. Locks: the event row, then session rows.
    """
    with transaction.atomic():
        current, previous = _transition(registration, allowed_from=ACTIVE_STATUSES, actor=actor)
        current.status = RegistrationStatus.CANCELLED
        current.waitlisted_at = None
        current.save(update_fields=["status", "waitlisted_at", "updated_at"])
        _release_picks(current, actor=actor)
        _audit(current, actor=actor, action="cancelled", from_status=previous, reason=reason)
        queue_email(registration=current, kind=EmailKind.CANCELLED)
        if previous == RegistrationStatus.CONFIRMED:
            _fill_seats(current.event, current.mode, actor=actor)
    return current


def approve(*, registration: Registration, actor: Actor, reason: str = "") -> Registration:
    """Approves a pending registration: it takes a seat, or a waitlist place when full."""
    with transaction.atomic():
        current, previous = _transition(
            registration, allowed_from=(RegistrationStatus.PENDING,), actor=actor
        )
        _allocate(current)
        current.save(update_fields=["status", "waitlisted_at", "updated_at"])
        if current.status == RegistrationStatus.CONFIRMED:
            _allocate_picks(current)
        _audit(current, actor=actor, action="approved", from_status=previous, reason=reason)
        kind = (
            EmailKind.APPROVED
            if current.status == RegistrationStatus.CONFIRMED
            else EmailKind.WAITLISTED
        )
        queue_email(registration=current, kind=kind)
    return current


def decline(*, registration: Registration, actor: Actor, reason: str = "") -> Registration:
    """Declines a registration; a seat it held goes to the next on the waitlist."""
    with transaction.atomic():
        current, previous = _transition(registration, allowed_from=ACTIVE_STATUSES, actor=actor)
        current.status = RegistrationStatus.DECLINED
        current.waitlisted_at = None
        current.save(update_fields=["status", "waitlisted_at", "updated_at"])
        _release_picks(current, actor=actor)
        _audit(current, actor=actor, action="declined", from_status=previous, reason=reason)
        queue_email(registration=current, kind=EmailKind.DECLINED)
        if previous == RegistrationStatus.CONFIRMED:
            _fill_seats(current.event, current.mode, actor=actor)
    return current


def reopen(*, registration: Registration, actor: Actor, reason: str = "") -> Registration:
    """Puts a declined registration back to pending approval, for organisers to decide again."""
    with transaction.atomic():
        current, previous = _transition(
            registration, allowed_from=(RegistrationStatus.DECLINED,), actor=actor
        )
        current.status = RegistrationStatus.PENDING
        current.save(update_fields=["status", "updated_at"])
        _audit(current, actor=actor, action="reopened", from_status=previous, reason=reason)
    return current


def promote(*, registration: Registration, actor: Actor, reason: str = "") -> Registration:
    """An organiser gives a waitlisted person a seat now, even beyond the mode's capacity."""
    with transaction.atomic():
        current, previous = _transition(
            registration, allowed_from=(RegistrationStatus.WAITLISTED,), actor=actor
        )
        current.status = RegistrationStatus.CONFIRMED
        current.waitlisted_at = None
        current.save(update_fields=["status", "waitlisted_at", "updated_at"])
        _allocate_picks(current)
        _audit(current, actor=actor, action="promoted", from_status=previous, reason=reason)
        queue_email(registration=current, kind=EmailKind.PROMOTED)
    return current


def _fill_seats(event: Event, mode: str, *, actor: Actor) -> list[Registration]:
    """Promotes the first of the waitlist while seats are free. Call under the event lock."""
    promoted = []
    while True:
        free = capacity.free_seats(event, mode)
        if free is not None and free <= 0:
            return promoted
        registration = capacity.next_waitlisted(event, mode)
        if registration is None:
            return promoted
        registration.status = RegistrationStatus.CONFIRMED
        registration.waitlisted_at = None
        registration.save(update_fields=["status", "waitlisted_at", "updated_at"])
        _allocate_picks(registration)
        _audit(
            registration,
            actor=actor,
            action="promoted",
            from_status=RegistrationStatus.WAITLISTED,
            reason=_("A seat became free."),
        )
        queue_email(registration=registration, kind=EmailKind.PROMOTED)
        promoted.append(registration)


def fill_free_seats(*, event: Event, actor: Actor = None) -> list[Registration]:
    """Gives free seats of every mode to the waitlist, e.g. after capacity was raised.

    Saves: the promoted registrations, audit entries, emails. Locks: the event row.
    """
    with transaction.atomic():
        locked = capacity.lock_event(event.pk)
        promoted = []
        for mode in AttendanceMode.values:
            promoted += _fill_seats(locked, mode, actor=actor)
    return promoted


def change_mode(*, registration: Registration, mode: str, actor: Actor) -> Registration:
    """Moves an attendee of a hybrid event to the other mode, if it has a seat or a line.

    The new mode's rules apply as to a newcomer: a seat if one is free, else its waitlist; the
    seat left behind goes to that mode's waitlist.
    """
    with transaction.atomic():
        current, previous = _transition(
            registration,
            allowed_from=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
            actor=actor,
        )
        if current.event.format != EventFormat.HYBRID or mode not in AttendanceMode.values:
            raise RegistrationError(_("This event has only one way to attend."), field="mode")
        if mode == current.mode:
            return current
        old_mode = current.mode
        current.mode = mode
        _allocate(current)
        if mode == AttendanceMode.ONLINE:
            current.accessibility_needs = current.dietary_needs = ""
        current.save()
        if current.status == RegistrationStatus.CONFIRMED:
            _allocate_picks(current)
        else:
            _park_picks(current)
        _audit(
            current,
            actor=actor,
            action="mode_changed",
            from_status=previous,
            reason=f"{old_mode} → {mode}",
        )
        queue_email(registration=current, kind=EmailKind.CHANGED)
        if previous == RegistrationStatus.CONFIRMED:
            _fill_seats(current.event, old_mode, actor=actor)
    return current


def change_session_picks(
    *, registration: Registration, session_ids: list[int], actor: Actor
) -> Registration:
    """Replaces the attendee's session picks; dropped seats go to those sessions' lines."""
    sessions = check_sessions(event=registration.event, session_ids=session_ids)
    with transaction.atomic():
        current, previous = _transition(registration, allowed_from=ACTIVE_STATUSES, actor=actor)
        keep = {s.pk for s in sessions}
        existing = {p.session_id: p for p in SessionPick.objects.filter(registration=current)}
        dropped = [p for sid, p in existing.items() if sid not in keep]
        freed = [p.session_id for p in dropped if p.status == PickStatus.CONFIRMED]
        SessionPick.objects.filter(pk__in=[p.pk for p in dropped]).delete()
        added = [s for s in sessions if s.pk not in existing]
        locked = {s.pk: s for s in capacity.lock_sessions([*freed, *(s.pk for s in added)])}
        now = timezone.now()
        for session in added:
            pick = SessionPick(registration=current, session=session)
            free = (
                capacity.session_free_seats(locked[session.pk])
                if current.status == RegistrationStatus.CONFIRMED
                else 0
            )
            if current.status == RegistrationStatus.CONFIRMED and (free is None or free > 0):
                pick.status = PickStatus.CONFIRMED
            else:
                pick.status = PickStatus.WAITLISTED
                pick.waitlisted_at = now if current.status == RegistrationStatus.CONFIRMED else None
            pick.save()
        for session_id in freed:
            _fill_session(locked[session_id], actor=actor)
        _audit(current, actor=actor, action="sessions_changed", from_status=previous)
    return current


def revoke_token(*, registration: Registration, actor: Actor) -> Registration:
    """Replaces the attendee's personal link; the old one stops working at once."""
    from .models import new_token

    with transaction.atomic():
        registration.token = new_token()
        registration.save(update_fields=["token", "updated_at"])
        _audit(registration, actor=actor, action="link_renewed")
        queue_email(registration=registration, kind=EmailKind.CHANGED)
    return registration


def send_due_reminders(*, now=None) -> int:
    """Queues the reminder for confirmed registrations of events starting within a day.

    Each registration gets at most one reminder. Saves: outbox emails.
    """
    now = now or timezone.now()
    due = (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            event__status=EventStatus.PUBLISHED,
            event__start__gt=now,
            event__start__lte=now + timedelta(days=1),
        )
        .exclude(emails__kind=EmailKind.REMINDER)
        .select_related("event", "person")
    )
    count = 0
    for registration in due:
        with transaction.atomic():
            queue_email(registration=registration, kind=EmailKind.REMINDER)
        count += 1
    return count


# --- calendar updates ----------------------------------------------------------------------------
# Called when agenda says an event's calendar entry changed (registrations.signals); each
# confirmed attendee's calendar must follow, through the outbox like every other email.


def _confirmed_registrations(event: Event):
    return (
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .select_related("event__venue", "person")
        .order_by("pk")
    )


def send_calendar_updates(*, event: Event) -> int:
    """Sends every confirmed attendee the updated invitation after the event's time, place,
    format or join link changed.

    Saves: per confirmed registration, an audit entry and one outbox email carrying the
    invitation (METHOD:REQUEST) with the same UID and the event's raised SEQUENCE. Queues: the
    emails' sending on commit. Locks: none (no seat changes). Returns how many were written.
    """
    from .calendar import REQUEST, invitation_attachment

    count = 0
    with transaction.atomic():
        for registration in _confirmed_registrations(event):
            _audit(registration, actor=None, action="calendar_updated")
            queue_email(
                registration=registration,
                kind=EmailKind.MESSAGE,
                subject=gettext_lazy("The event has changed"),
                context={
                    "message": gettext_lazy(
                        "The organisers have changed the time, place or way of attending this "
                        "event. The calendar invitation attached replaces the one you had; "
                        "please check the details below."
                    )
                },
                attachments=[invitation_attachment(registration, method=REQUEST)],
            )
            count += 1
    return count


def send_calendar_cancellations(*, event: Event) -> int:
    """Tells every confirmed attendee that the event is cancelled, with METHOD:CANCEL.

    The registrations themselves are not changed. Saves: per confirmed registration, an audit
    entry and one outbox email carrying the cancellation (same UID, STATUS:CANCELLED). Queues:
    the emails' sending on commit. Locks: none. Returns how many were written.
    """
    from .calendar import CANCEL, invitation_attachment

    count = 0
    with transaction.atomic():
        for registration in _confirmed_registrations(event):
            _audit(registration, actor=None, action="calendar_cancelled")
            queue_email(
                registration=registration,
                kind=EmailKind.MESSAGE,
                subject=gettext_lazy("The event is cancelled"),
                context={
                    "message": gettext_lazy(
                        "We are sorry: this event has been cancelled and will not take place. "
                        "The calendar update attached removes it from your calendar."
                    )
                },
                attachments=[invitation_attachment(registration, method=CANCEL)],
            )
            count += 1
    return count
