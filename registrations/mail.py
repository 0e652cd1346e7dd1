"""Sending one outbox email through Django's mail backend, and what a failure means."""

import logging
import smtplib
import socket
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .emails import fill_email
from .enums import EmailStatus
from .models import OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most two hours, between attempts."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


def is_temporary(error: Exception) -> bool:
    """SMTP 4xx replies and network trouble pass; 5xx replies and refused recipients do not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPException | OSError | socket.timeout)


def deliver(email_id: int) -> str:
    """Sends the email if it is still pending and due; returns its status afterwards.

    Takes a row lock (skipping a row another worker holds) so that two workers never send the
    same email; safe to call any number of times. An email written without bodies is rendered
    first (``emails.render_email``), outside the transaction that wrote it. Saves: the email's
    status, attempts, error, and its rendered bodies and attachments. A rendering that fails
    marks the email failed (the admin can queue it again).
    """
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=EmailStatus.PENDING)
            .first()
        )
        if email is None:
            return (
                OutboxEmail.objects.filter(pk=email_id).values_list("status", flat=True).first()
                or ""
            )
        email.attempts += 1
        try:
            # Written without bodies: rendered now, once, and kept, so that every attempt sends
            # the same message and the outbox records what was sent.
            with transaction.atomic():  # a savepoint: a failed read leaves the row writable
                rendered = fill_email(email)
        except Exception as error:  # a broken template or a vanished registration: no retry
            logger.exception("Outbox email %s could not be rendered", email_id)
            email.status = EmailStatus.FAILED
            email.last_error = f"Rendering failed: {type(error).__name__}: {error}"[:2000]
            email.next_attempt_at = None
            email.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
            return email.status
        message = EmailMultiAlternatives(subject=email.subject, body=email.body_text, to=[email.to])
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        for attachment in email.attachments:
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        try:
            message.send()
        except Exception as error:
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if is_temporary(error) and email.attempts < MAX_ATTEMPTS:
                email.next_attempt_at = timezone.now() + backoff(email.attempts)
            else:
                email.status = EmailStatus.FAILED
                email.next_attempt_at = None
        else:
            email.status = EmailStatus.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            email.next_attempt_at = None
        email.save(
            update_fields=[
                "status", "attempts", "last_error", "next_attempt_at", "sent_at", *rendered
            ]
        )  # fmt: skip
        return email.status


def send_due_emails(*, now: datetime | None = None, limit: int = 500) -> int:
    """Delivers pending emails that are due: retries whose time has come, and emails older than
    a minute that never reached a worker (the broker was down when they were written).
    """
    now = now or timezone.now()
    due = OutboxEmail.objects.filter(status=EmailStatus.PENDING).filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1))
    )
    ids = list(due.order_by("created_at").values_list("pk", flat=True)[:limit])
    for email_id in ids:
        deliver(email_id)
    return len(ids)
