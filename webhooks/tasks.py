from celery import shared_task
from django.utils import timezone

from .enums import DeliveryStatus
from .models import WebhookDelivery
from .services import deliver, send_due


@shared_task(bind=True, max_retries=6, acks_late=True)
def deliver_webhook(self, delivery_id: int) -> str:
    """Sends one delivery; a failed attempt is tried again when its backoff has passed."""
    status = deliver(delivery_id)
    if status == DeliveryStatus.PENDING and not self.request.is_eager:
        next_at = (
            WebhookDelivery.objects.filter(pk=delivery_id)
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if next_at is not None:
            raise self.retry(countdown=max((next_at - timezone.now()).total_seconds(), 1))
    return status


@shared_task
def send_due_webhooks() -> int:
    """Sends what is due and still pending: retries, and deliveries that found no broker."""
    return send_due()
