from celery import shared_task
from django.utils import timezone

from .enums import EmailStatus
from .mail import deliver, send_due_emails
from .models import OutboxEmail


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


@shared_task
def send_pending_emails() -> int:
    """Sends what is due and still pending: emails whose queueing found no broker, and retries."""
    return send_due_emails()


@shared_task
def send_reminders() -> int:
    from .services import send_due_reminders

    return send_due_reminders()
