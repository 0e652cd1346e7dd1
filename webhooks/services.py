"""Webhooks: recording deliveries with the change that causes them, and sending them.

Deliveries are an outbox: ``record`` writes them in the transaction of the registration or
check-in (the signals' receivers call it), and queues their sending for after the commit; the
periodic ``send_due`` sends what is due, so a broker outage loses nothing. ``deliver`` claims a
delivery with one conditional UPDATE before sending, so two workers never send it twice and no
lock is held while the receiver answers.
"""

import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import routing
from .enums import PING, DeliveryStatus
from .models import Webhook, WebhookDelivery, new_secret
from .sending import DeliveryRefused, post
from .signing import sign

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd … failed attempt; after the last, the delivery has failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a claimed delivery is left to its worker before the sweep may take it again: more
# than the request's timeout, so a worker that died mid-send delays it, never loses it.
LEASE = timedelta(minutes=2)
# The delivery log keeps personal data (the payloads): finished entries go after this long.
LOG_DAYS = 30


def backoff(attempts: int) -> timedelta | None:
    """The wait before the next attempt after ``attempts`` failed ones; None: give up."""
    return BACKOFF[attempts - 1] if 1 <= attempts <= len(BACKOFF) else None


# --- recording -----------------------------------------------------------------------------------


def record(*, event_id: int, event_type: str, build: Any) -> list[WebhookDelivery]:
    """Writes one delivery per active webhook wanting ``event_type`` of this event.

    Call inside the transaction of the change. ``build`` makes the payload ({"event", "data"})
    and is called only when some webhook wants it. Without a matching webhook this costs one
    cache read and no query. Saves: the deliveries. Queues: their sending, on commit.
    """
    candidates = routing.targets(event_id=event_id, event_type=event_type)
    if not candidates:
        return []
    # The cache may be a moment behind: only webhooks active in this transaction get rows.
    webhook_ids = list(
        Webhook.objects.filter(pk__in=candidates, active=True)
        .filter(Q(all_events=True) | Q(events__pk=event_id))
        .values_list("pk", flat=True)
        .distinct()
    )
    if not webhook_ids:
        return []
    payload = build()
    deliveries = [
        WebhookDelivery.objects.create(webhook_id=pk, event_type=event_type, payload=payload)
        for pk in sorted(webhook_ids)
    ]
    _queue([d.pk for d in deliveries])
    return deliveries


def _queue(delivery_ids: list[int]) -> None:
    def send() -> None:
        from .tasks import deliver_webhook

        for delivery_id in delivery_ids:
            try:
                deliver_webhook.delay(delivery_id)
            except Exception:
                # No broker, or an unexpected failure sending in-process: the change is
                # committed and the delivery stays pending; the sweep sends it.
                logger.warning("Webhook delivery %s not queued", delivery_id, exc_info=True)

    transaction.on_commit(send)


# --- organisers' actions -------------------------------------------------------------------------


def rotate_secret(*, webhook: Webhook) -> Webhook:
    """Gives the webhook a new signing secret; the old one stops working at once.

    Saves: the webhook. Deliveries not yet sent are signed with the new secret when sent.
    """
    with transaction.atomic():
        webhook.secret = new_secret()
        webhook.secret_rotated_at = timezone.now()
        webhook.save(update_fields=["secret", "secret_rotated_at"])
    return webhook


def send_ping(*, webhook: Webhook) -> WebhookDelivery:
    """Sends a test event to the webhook, active or not, so organisers can check the receiver.

    Saves: one delivery. Queues: its sending, on commit.
    """
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            webhook=webhook,
            event_type=PING,
            payload={"event": None, "data": {"webhook": webhook.name}},
        )
        _queue([delivery.pk])
    return delivery


def retry_now(*, deliveries: list[WebhookDelivery]) -> int:
    """Sends the given deliveries again as soon as possible, failed ones included.

    Delivered ones are left alone. Saves: the deliveries, pending and due now, their attempts
    counted afresh. Queues: their sending, on commit. Returns how many were queued.
    """
    ids = [d.pk for d in deliveries if d.status != DeliveryStatus.DELIVERED]
    with transaction.atomic():
        count = (
            WebhookDelivery.objects.filter(pk__in=ids)
            .exclude(status=DeliveryStatus.DELIVERED)
            .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None)
        )
        _queue(ids)
    return count


# --- sending -------------------------------------------------------------------------------------


def envelope(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "type": delivery.event_type,
        "created": delivery.created_at.isoformat(),
        "event": delivery.payload.get("event"),
        "data": delivery.payload.get("data"),
    }


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        envelope(delivery), cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _claim(delivery_id: int, now: datetime) -> bool:
    """Takes the delivery for this worker if it is pending and due: one conditional UPDATE."""
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    )
    return claimed == 1


def deliver(delivery_id: int, *, now: datetime | None = None) -> str:
    """Sends the delivery if it is pending and due; returns its status afterwards.

    Safe to call any number of times, from any number of workers: only the one whose claim
    succeeds sends. 2xx: delivered. 410: the webhook is turned off and the delivery failed.
    Anything else (other codes, redirects, timeouts, refused connections, a refused address):
    another attempt after ``backoff``, until ``MAX_ATTEMPTS``. Saves: the delivery's status,
    attempts, response code and a short error (never the payload); the webhook when disabled.
    """
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return (
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
            or ""
        )
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    if not webhook.active and delivery.event_type != PING:
        return _finish(delivery, DeliveryStatus.FAILED, error="The webhook is turned off.")

    body = body_of(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "eventsite-webhooks",
        "X-Eventsite-Event": delivery.event_type,
        "X-Eventsite-Delivery": str(delivery.pk),
        "X-Eventsite-Timestamp": timestamp,
        "X-Eventsite-Signature": f"sha256={sign(webhook.secret, timestamp, body)}",
    }
    code = None
    try:
        code = post(webhook.target_url, body=body, headers=headers)
    except DeliveryRefused as error:
        error_text = str(error)
    except TimeoutError:
        error_text = "Timed out."
    except OSError as error:
        error_text = f"Connection failed: {type(error).__name__}"
    else:
        if 200 <= code < 300:
            return _finish(delivery, DeliveryStatus.DELIVERED, code=code)
        if code == 410:
            with transaction.atomic():
                Webhook.objects.filter(pk=webhook.pk).update(
                    active=False, disabled_reason="The receiver answered 410 Gone."
                )
                routing.forget()
                return _finish(
                    delivery,
                    DeliveryStatus.FAILED,
                    code=code,
                    error="410 Gone: webhook turned off.",
                )
        error_text = f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    wait = backoff(delivery.attempts)
    if wait is None:
        return _finish(delivery, DeliveryStatus.FAILED, code=code, error=error_text)
    delivery.status = DeliveryStatus.PENDING
    delivery.last_response_code = code
    delivery.last_error = error_text[:300]
    delivery.next_attempt_at = now + wait
    delivery.save(update_fields=["status", "last_response_code", "last_error", "next_attempt_at"])
    return delivery.status


def _finish(
    delivery: WebhookDelivery, status: str, *, code: int | None = None, error: str = ""
) -> str:
    delivery.status = status
    delivery.last_response_code = code
    delivery.last_error = error[:300]
    delivery.next_attempt_at = None
    delivery.delivered_at = timezone.now() if status == DeliveryStatus.DELIVERED else None
    delivery.save(
        update_fields=[
            "status", "last_response_code", "last_error", "next_attempt_at", "delivered_at"
        ]
    )  # fmt: skip
    return status


def send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Sends pending deliveries that are due: retries whose time has come, claims whose worker
    died, and deliveries older than a minute that never reached a worker. Also deletes finished
    log entries older than ``LOG_DAYS``. Returns how many it tried to send."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1))
    )
    ids = list(due.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        deliver(delivery_id, now=now)
    WebhookDelivery.objects.exclude(status=DeliveryStatus.PENDING).filter(
        created_at__lt=now - timedelta(days=LOG_DAYS)
    ).delete()
    return len(ids)
