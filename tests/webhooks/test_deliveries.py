"""Deliveries written with the change, sent after the commit, signed, retried, logged."""

import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from badges.services import Scanner, perform_checkin, undo_checkin
from registrations import services as registrations
from registrations.enums import RegistrationStatus
from tests.factories.badges import BadgeFactory, DeviceFactory
from tests.factories.registrations import open_event, registration_request
from tests.factories.webhooks import WebhookFactory
from webhooks import services
from webhooks.enums import DeliveryStatus, WebhookEventType
from webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def verify(received, secret: str, *, tolerance: int = 300) -> bool:
    """The receiving side's check, written from docs/webhooks.md, not from the project's code."""
    timestamp = received.headers["X-Eventsite-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(received.headers["X-Eventsite-Signature"], f"sha256={expected}")


def test_register_writes_delivery_in_its_transaction_and_sends_it_on_commit(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = registrations.register(event=event, request=registration_request(1))
        pending = list(WebhookDelivery.objects.values_list("event_type", "status"))
        sent_before_commit = len(receiver.requests)
    for callback in callbacks:
        callback()

    delivery = WebhookDelivery.objects.get()
    assert pending == [(WebhookEventType.REGISTRATION_CREATED, DeliveryStatus.PENDING)]
    assert sent_before_commit == 0
    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert verify(received, webhook.secret)
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["User-Agent"] == "eventsite-webhooks"
    assert received.headers["X-Eventsite-Event"] == "registration.created"
    assert received.headers["X-Eventsite-Delivery"] == str(delivery.pk)
    assert received.json["id"] == delivery.pk
    assert received.json["type"] == "registration.created"
    assert received.json["event"] == {"slug": "moving-talents", "title": "Moving Talents"}
    assert received.json["data"]["id"] == result.registration.pk
    assert received.json["data"]["status"] == RegistrationStatus.CONFIRMED
    assert received.json["data"]["email"] == "ana1@example.org"
    assert received.json["data"]["organisation"] == {
        "name": "Ministry of Labour",
        "type": "national_authority",
        "country": "SI",
    }
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert delivery.delivered_at is not None


def test_register_rolled_back_leaves_no_delivery(event, webhook, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        registrations.register(event=event, request=registration_request(1))
        raise RuntimeError("the request failed after registering")

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_signature_with_another_secret_does_not_verify(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=event, request=registration_request(1))

    assert not verify(receiver.requests[0], "not-the-secret")


def test_cancel_and_promotion_send_registration_changed(
    event, receiver, django_capture_on_commit_callbacks
):
    full = open_event(capacity_in_person=1)
    WebhookFactory(target_url=receiver.url, events=[full])
    first = registrations.register(event=full, request=registration_request(1)).registration
    second = registrations.register(event=full, request=registration_request(2)).registration

    with django_capture_on_commit_callbacks(execute=True):
        registrations.cancel(registration=first, actor=None)

    changed = [r.json for r in receiver.requests if r.json["type"] == "registration.changed"]
    assert [(c["data"]["id"], c["data"]["action"], c["data"]["to_status"]) for c in changed] == [
        (first.pk, "cancelled", "cancelled"),
        (second.pk, "promoted", "confirmed"),
    ]
    assert changed[1]["data"]["from_status"] == "waitlisted"


def test_checkin_through_perform_checkin_sends_checkin_created_and_undone(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    badge = BadgeFactory(registration__event=event)
    device = DeviceFactory(name="Door 1", events=[event])

    with django_capture_on_commit_callbacks(execute=True):
        outcome = perform_checkin(event=event, scanner=Scanner(device=device), code=badge.code)
    with django_capture_on_commit_callbacks(execute=True):
        undo_checkin(checkin=outcome.checkin, actor=None)

    created, undone = (r.json for r in receiver.requests)
    assert created["type"] == "checkin.created"
    assert created["data"] == {
        "id": outcome.checkin.pk,
        "registration_id": badge.registration.pk,
        "session_id": None,
        "at": outcome.checkin.at.isoformat(),
        "device": "Door 1",
        "offline": False,
        "undone_at": None,
    }
    assert undone["type"] == "checkin.undone"
    assert undone["data"]["undone_at"] is not None


def test_webhook_scoped_to_one_event_gets_nothing_of_another(
    webhook, receiver, django_capture_on_commit_callbacks
):
    other = open_event(slug="other-event")

    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=other, request=registration_request(1))

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_webhook_for_all_events_gets_every_event(
    event, receiver, django_capture_on_commit_callbacks
):
    WebhookFactory(target_url=receiver.url, all_events=True)
    other = open_event(slug="other-event")

    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=other, request=registration_request(1))

    assert [r.json["event"]["slug"] for r in receiver.requests] == ["other-event"]


def test_webhook_without_the_type_gets_nothing(event, receiver, django_capture_on_commit_callbacks):
    WebhookFactory(target_url=receiver.url, events=[event], event_types=["checkin.created"])

    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=event, request=registration_request(1))

    assert receiver.requests == []


def test_inactive_webhook_gets_nothing(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    webhook.active = False
    webhook.save()

    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=event, request=registration_request(1))

    assert WebhookDelivery.objects.count() == 0


def test_renewed_link_sends_nothing(event, webhook, receiver, django_capture_on_commit_callbacks):
    registration = registrations.register(event=event, request=registration_request(1)).registration
    count = WebhookDelivery.objects.count()

    registrations.revoke_token(registration=registration, actor=None)

    assert WebhookDelivery.objects.count() == count


# --- failures and retries ------------------------------------------------------------------------


def _one_delivery(event, django_capture_on_commit_callbacks) -> WebhookDelivery:
    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=event, request=registration_request(1))
    return WebhookDelivery.objects.get()


def test_delivery_answered_500_then_200_is_retried_after_backoff_and_delivered_once(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    before = timezone.now()

    delivery = _one_delivery(event, django_capture_on_commit_callbacks)
    not_yet = services.send_due(now=timezone.now() + timedelta(seconds=30))
    later = timezone.now() + timedelta(minutes=1, seconds=1)
    retried = services.send_due(now=later)
    again = services.send_due(now=later + timedelta(days=1))

    first_try = delivery
    assert first_try.status == DeliveryStatus.PENDING
    assert first_try.last_response_code == 500
    assert first_try.last_error == "HTTP 500"
    assert before + timedelta(minutes=1) <= first_try.next_attempt_at
    assert first_try.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    assert (not_yet, retried, again) == (0, 1, 0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
    )
    assert delivery.last_error == ""
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body


def test_delivery_failing_every_time_waits_longer_and_then_fails(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [503] * 10
    delivery = _one_delivery(event, django_capture_on_commit_callbacks)
    waits = []
    now = timezone.now()
    for _attempt in range(5):
        delivery.refresh_from_db()
        waits.append(round((delivery.next_attempt_at - now).total_seconds() / 60))
        now = delivery.next_attempt_at
        services.send_due(now=now)

    delivery.refresh_from_db()
    assert waits == [1, 5, 30, 120, 720]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED,
        6,
        None,
    )
    assert len(receiver.requests) == 6


def test_delivery_answered_410_turns_the_webhook_off(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [410]

    delivery = _one_delivery(event, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=event, request=registration_request(2))

    webhook.refresh_from_db()
    assert (delivery.status, delivery.last_response_code) == (DeliveryStatus.FAILED, 410)
    assert webhook.active is False
    assert webhook.disabled_reason != ""
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_delivery_timing_out_is_retried_later(
    event, webhook, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT = 0.2
    receiver.delay = 0.6

    delivery = _one_delivery(event, django_capture_on_commit_callbacks)

    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "Timed out."
    assert delivery.last_response_code is None
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)


def test_delivery_redirected_is_not_followed(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [302]
    receiver.redirect_to = receiver.url + "elsewhere/"

    delivery = _one_delivery(event, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.last_response_code) == (DeliveryStatus.PENDING, 302)


def test_delivery_to_a_closed_port_is_retried(event, django_capture_on_commit_callbacks):
    WebhookFactory(target_url="http://127.0.0.1:9/hooks/", events=[event])

    delivery = _one_delivery(event, django_capture_on_commit_callbacks)

    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("Connection failed")


def test_deliver_twice_sends_once(event, webhook, receiver, django_capture_on_commit_callbacks):
    delivery = _one_delivery(event, django_capture_on_commit_callbacks)

    status = services.deliver(delivery.pk)

    assert status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1


def test_delivery_whose_queueing_was_lost_is_sent_by_the_sweep(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    # The commit callbacks never run: the broker was down, or the process died after the commit.
    with django_capture_on_commit_callbacks(execute=False):
        registrations.register(event=event, request=registration_request(1))

    too_early = services.send_due()
    swept = services.send_due(now=timezone.now() + timedelta(minutes=2))

    assert (too_early, swept) == (0, 1)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1


def test_claimed_delivery_of_a_dead_worker_is_sent_after_the_lease(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        registrations.register(event=event, request=registration_request(1))
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    assert services._claim(delivery.pk, now)  # a worker took it and died

    during = services.send_due(now=now + timedelta(minutes=1))
    after = services.send_due(now=now + services.LEASE + timedelta(seconds=1))

    assert (during, after) == (0, 1)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_sweep_deletes_finished_log_entries_after_thirty_days(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    delivery = _one_delivery(event, django_capture_on_commit_callbacks)

    services.send_due(now=timezone.now() + timedelta(days=29))
    kept = WebhookDelivery.objects.filter(pk=delivery.pk).exists()
    services.send_due(now=timezone.now() + timedelta(days=31))

    assert kept
    assert not WebhookDelivery.objects.filter(pk=delivery.pk).exists()


def test_retry_now_sends_a_failed_delivery_again(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [503] * 6
    delivery = _one_delivery(event, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        count = services.retry_now(deliveries=[delivery])

    delivery.refresh_from_db()
    assert count == 1
    assert delivery.attempts == 1
    assert delivery.last_response_code == 503
    assert len(receiver.requests) == 2


def test_ping_reaches_the_receiver_signed(webhook, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(webhook=webhook)

    assert receiver.requests[0].json["type"] == "ping"
    assert verify(receiver.requests[0], webhook.secret)


def test_rotated_secret_signs_the_next_delivery(
    webhook, receiver, django_capture_on_commit_callbacks
):
    old = webhook.secret

    services.rotate_secret(webhook=webhook)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(webhook=Webhook.objects.get(pk=webhook.pk))

    assert webhook.secret != old
    assert len(webhook.secret) >= 43
    assert verify(receiver.requests[0], webhook.secret)
    assert not verify(receiver.requests[0], old)


def test_sweep_is_scheduled_every_minute_as_a_registered_task(settings):
    from eventsite.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-due-webhooks"]

    assert entry["schedule"] == 60.0
    assert entry["task"] in app.tasks


def test_sweep_task_sends_what_is_due(event, webhook, receiver, django_capture_on_commit_callbacks):
    from webhooks.tasks import send_due_webhooks

    with django_capture_on_commit_callbacks(execute=False):
        registrations.register(event=event, request=registration_request(1))
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    sent = send_due_webhooks.delay().get()

    assert sent == 1
    assert len(receiver.requests) == 1
