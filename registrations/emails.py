"""Emails to registrants: written to the outbox in the caller's transaction, rendered when sent.

Nothing here talks to a mail server. ``queue_email`` saves an ``OutboxEmail`` with its kind,
recipient and subject and, instead of bodies, the few facts its templates need that can change
before it is sent: the registration's status, mode, language, waitlist position and session picks
at that moment (``OutboxEmail.context``). It asks for the email to be sent once the transaction
commits (``dispatch``: at once, or gathered with the others its process commits within a few
milliseconds). The sending task renders the bodies and the calendar attachment
(``render_email``) from the registration and those facts, outside the transaction that wrote the
email and its locks, so the email says what it would have said when it was written, and a
registration holds the event's lock only while it counts and inserts. If the broker is
unreachable at commit, the row stays pending and the periodic ``send_pending_emails`` task sends
it later, so nothing is lost.
"""

import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .dispatch import dispatch_soon
from .enums import EmailKind, RegistrationStatus
from .models import OutboxEmail, Registration, SessionPick

logger = logging.getLogger(__name__)


def _subjects() -> dict[str, str]:
    return {
        EmailKind.CONFIRMATION: _("Your registration is confirmed: %(event)s"),
        EmailKind.PENDING: _("We received your registration: %(event)s"),
        EmailKind.WAITLISTED: _("You are on the waitlist: %(event)s"),
        EmailKind.PROMOTED: _("A place is yours: %(event)s"),
        EmailKind.APPROVED: _("Your registration is approved: %(event)s"),
        EmailKind.DECLINED: _("Your registration: %(event)s"),
        EmailKind.CANCELLED: _("Your registration is cancelled: %(event)s"),
        EmailKind.REMINDER: _("Tomorrow: %(event)s"),
        EmailKind.CHANGED: _("Your registration was updated: %(event)s"),
        EmailKind.MESSAGE: _("%(subject)s – %(event)s"),
        EmailKind.FEEDBACK: _("How was it? Your feedback on %(event)s"),
        EmailKind.DATA_REQUEST: _("Please confirm your data request: %(event)s"),
        EmailKind.DATA_EXPORT: _("Your data: %(event)s"),
    }


def one_line(text: str) -> str:
    """Collapses all whitespace, CR and LF included, so no text can start a new header line."""
    return " ".join(str(text).split())


@functools.lru_cache(maxsize=32)
def _subjects_in(language: str) -> dict[str, str]:
    # The catalogues do not change while the process runs.
    with translation.override(language):
        return _subjects()


def subject_line(kind: str, *, event_title: str, language: str, subject: str = "") -> str:
    """The email's subject in ``language``: one line, at most the outbox's 250 characters."""
    text = _subjects_in(language)[kind] % {"event": event_title, "subject": one_line(subject)}
    return one_line(text)[:250]


def manage_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("registrations:manage", kwargs={"token": registration.token})


def _jsonable(value: Any, *, key: str) -> Any:
    """The context value as stored: lazy translations resolved in the current language."""
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, key=f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, key=key) for v in value]
    raise TypeError(
        f"Email context value {key!r} is a {type(value).__name__}; the outbox stores JSON "
        "(str, int, float, bool, list, dict), e.g. an object's title instead of the object."
    )


def queue_email(
    *,
    registration: Registration,
    kind: str,
    context: dict | None = None,
    subject: str = "",
    attachments: list[dict] | None = None,
    picks: Iterable[SessionPick] | None = None,
) -> OutboxEmail:
    """Writes the email to the outbox, to be rendered in the registrant's language when sent.

    ``context`` adds values for the kind's templates (JSON: str, int, float, bool, list, dict;
    lazy translations are resolved now, in the registrant's language). Without
    ``attachments``, the email carries what ``calendar.email_attachments`` gives its kind as the
    registration stood now: the calendar invitation, its cancellation, or nothing. ``picks``:
    the registration's session picks as they stand, when the caller has them at hand (otherwise
    they are read).
    Saves: one OutboxEmail holding the registration's status, mode, language, waitlist position
    and picks of this moment. Queues: the email's sending, on commit
    (``dispatch.dispatch_soon``). Reads: the waitlist position of a waitlisted registration
    (one count).
    """
    from .capacity import waitlist_position

    language = registration.language
    email_subject = subject_line(
        kind, event_title=registration.event.title, language=language, subject=subject
    )
    with translation.override(language):
        extra = _jsonable(context or {}, key="context")
    if picks is None:
        rows = registration.session_picks.values_list("session_id", "status")
    else:
        rows = [(pick.session_id, pick.status) for pick in picks]
    written = {
        "language": language,
        "status": registration.status,
        "mode": registration.mode,
        "waitlist_position": (
            waitlist_position(registration)
            if registration.status == RegistrationStatus.WAITLISTED
            else None
        ),
        "picks": [[session_id, status] for session_id, status in rows],
        "own_attachments": attachments is not None,
        "extra": extra,
    }
    email = OutboxEmail.objects.create(
        registration=registration,
        kind=kind,
        to=registration.person.email,
        subject=email_subject,
        attachments=attachments or [],
        context=written,
    )
    transaction.on_commit(lambda: dispatch_soon(email.pk))
    return email


def dispatch(email_id: int) -> None:
    """Hands the email to Celery; a broker outage leaves it pending for the periodic sweep."""
    from .tasks import send_email

    try:
        send_email.delay(email_id)
    except Exception:  # the broker's client raises many kinds; the row is safe either way
        logger.warning("Broker unavailable; outbox email %s stays pending", email_id, exc_info=True)


# --- rendering, when the email is sent -----------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str
    attachments: list[dict]


class NothingToRender(Exception):
    """An email without a body and without the registration to render it from."""


def needs_rendering(email: OutboxEmail) -> bool:
    return email.context is not None and not email.body_text


def _picks_as_written(rows: list[list]) -> list[SessionPick]:
    """The picks as they stood, with their sessions as they are now (deleted ones left out)."""
    from agenda.models import Session

    if not rows:
        return []
    sessions = Session.objects.select_related("room").in_bulk([row[0] for row in rows])
    picks = [
        SessionPick(session=sessions[session_id], status=status)
        for session_id, status in rows
        if session_id in sessions
    ]
    return sorted(picks, key=lambda pick: (pick.session.start, pick.session_id))


def _as_written(registration: Registration, written: dict) -> Registration:
    """The registration (in memory only, never saved) as it stood when the email was written."""
    registration.status = written["status"]
    registration.mode = written["mode"]
    registration.language = written["language"]
    return registration


def render_email(email: OutboxEmail) -> RenderedEmail:
    """What the email says: its stored bodies, or, for an email written without them, its
    templates rendered in the registrant's language from the registration and the facts stored
    when it was written (status, mode, waitlist position, picks). The event, the person's name
    and the personal link are as they are now.

    Reads: the registration with its event, venue and person; the picked sessions; for a
    calendar attachment, the registration's audit entries up to the email's writing.
    """
    from .calendar import email_attachments
    from .selectors import RegistrationSummary

    if not needs_rendering(email):
        return RenderedEmail(email.subject, email.body_text, email.body_html, email.attachments)
    if email.registration_id is None:
        raise NothingToRender(f"Outbox email {email.pk} has neither a body nor a registration.")
    written = email.context
    registration = _as_written(
        Registration.objects.select_related("event__venue", "person").get(pk=email.registration_id),
        written,
    )
    event = registration.event
    with translation.override(written["language"]):
        summary = RegistrationSummary(
            status=registration.status,
            status_label=str(registration.get_status_display()),
            mode_label=str(registration.get_mode_display()),
            waitlist_position=written["waitlist_position"],
            picks=_picks_as_written(written["picks"]),
        )
        full_context = {
            "registration": registration,
            "person": registration.person,
            "event": event,
            "manage_url": manage_url(registration),
            "event_url": settings.SITE_URL + event.get_absolute_url(),
            "summary": summary,
            "kind": email.kind,
            "message": "",
            **written["extra"],
        }
        body_text = render_to_string(f"emails/registration_{email.kind}.txt", full_context)
        body_html = render_to_string(f"emails/registration_{email.kind}.html", full_context)
        attachments = (
            email.attachments
            if written["own_attachments"]
            else email_attachments(
                registration=registration, kind=email.kind, written_at=email.created_at
            )
        )
    return RenderedEmail(email.subject, body_text, body_html, attachments)


def fill_email(email: OutboxEmail) -> list[str]:
    """Renders an email written without bodies into its fields (not saved); returns their names.

    Once filled, the email is sent as it is, on every attempt.
    """
    if not needs_rendering(email):
        return []
    rendered = render_email(email)
    email.body_text = rendered.body_text
    email.body_html = rendered.body_html
    email.attachments = rendered.attachments
    return ["body_text", "body_html", "attachments"]
