"""Emails to registrants, written to the outbox in the caller's transaction.

Nothing here talks to a mail server: ``queue_email`` saves an ``OutboxEmail`` and asks for it to
be sent once the transaction commits. If the broker is unreachable then, the row stays pending
and the periodic ``send_pending_emails`` task sends it later, so nothing is lost.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .enums import EmailKind
from .models import OutboxEmail, Registration

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
    }


def one_line(text: str) -> str:
    """Collapses all whitespace, CR and LF included, so no text can start a new header line."""
    return " ".join(str(text).split())


def manage_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("registrations:manage", kwargs={"token": registration.token})


def queue_email(
    *,
    registration: Registration,
    kind: str,
    context: dict | None = None,
    subject: str = "",
    attachments: list[dict] | None = None,
) -> OutboxEmail:
    """Writes the email to the outbox in the registrant's language and queues its sending.

    Without ``attachments``, the email carries what ``calendar.email_attachments`` gives its
    kind: the calendar invitation, its cancellation, or nothing.
    Saves: one OutboxEmail. Queues: ``send_email`` on commit.
    """
    from .calendar import email_attachments
    from .selectors import registration_summary

    with translation.override(registration.language):
        full_context = {
            "registration": registration,
            "person": registration.person,
            "event": registration.event,
            "manage_url": manage_url(registration),
            "event_url": settings.SITE_URL + registration.event.get_absolute_url(),
            "summary": registration_summary(registration),
            "kind": kind,
            "message": "",
            **(context or {}),
        }
        email_subject = one_line(
            _subjects()[kind] % {"event": registration.event.title, "subject": one_line(subject)}
        )
        body_text = render_to_string(f"emails/registration_{kind}.txt", full_context)
        body_html = render_to_string(f"emails/registration_{kind}.html", full_context)
        if attachments is None:
            attachments = email_attachments(registration=registration, kind=kind)
    email = OutboxEmail.objects.create(
        registration=registration,
        kind=kind,
        to=registration.person.email,
        subject=email_subject[:250],
        body_text=body_text,
        body_html=body_html,
        attachments=attachments,
    )
    transaction.on_commit(lambda: dispatch(email.pk))
    return email


def dispatch(email_id: int) -> None:
    """Hands the email to Celery; a broker outage leaves it pending for the periodic sweep."""
    from .tasks import send_email

    try:
        send_email.delay(email_id)
    except Exception:  # the broker's client raises many kinds; the row is safe either way
        logger.warning("Broker unavailable; outbox email %s stays pending", email_id, exc_info=True)
