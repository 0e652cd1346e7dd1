import logging

from celery import shared_task
from django.utils import timezone

from .enums import EmailStatus
from .mail import deliver, send_due_emails
from .models import OutboxEmail

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=8, acks_late=True)
def send_email(self, email_id: int) -> str:
    """Sends one outbox email; a temporary failure is retried after the email's backoff."""
    status = deliver(email_id)
    if status == EmailStatus.PENDING and not self.request.is_eager:
        email = OutboxEmail.objects.get(pk=email_id)
        delay = (
            (email.next_attempt_at - timezone.now()).total_seconds()
            if email.next_attempt_at
            else 60
        )
        raise self.retry(countdown=max(delay, 1))
    return status


@shared_task(acks_late=True)
def send_emails(email_ids: list[int]) -> dict[str, int]:
    """Sends outbox emails handed over together (``dispatch.dispatch_soon``); each one that
    failed for now is retried on its own (``send_email``) after its backoff. Returns how many
    ended in each status."""
    ended: dict[str, int] = {}
    for email_id in email_ids:
        status = deliver(email_id)
        ended[status] = ended.get(status, 0) + 1
        if status != EmailStatus.PENDING:
            continue
        due = OutboxEmail.objects.filter(pk=email_id).values_list("next_attempt_at", flat=True)
        next_attempt = due.first()
        delay = (next_attempt - timezone.now()).total_seconds() if next_attempt else 60
        try:
            send_email.apply_async((email_id,), countdown=max(delay, 1))
        except Exception:  # the periodic sweep sends it when due
            logger.warning("Broker unavailable; outbox email %s waits for the sweep", email_id)
    return ended


@shared_task
def send_pending_emails() -> int:
    """Sends what is due and still pending: emails whose queueing found no broker, and retries."""
    return send_due_emails()


@shared_task
def send_reminders() -> int:
    from .services import send_due_reminders

    return send_due_reminders()
