"""The organisers' admin: webhooks with their secret, test pings, the delivery log."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.factories.webhooks import WebhookFactory
from webhooks.enums import DeliveryStatus
from webhooks.models import Webhook, WebhookDelivery

WEBHOOKS = reverse("admin:webhooks_webhook_changelist")
DELIVERIES = reverse("admin:webhooks_webhookdelivery_changelist")


@pytest.fixture
def organiser(db):
    user = get_user_model().objects.create_user("hooks-organiser", is_staff=True)
    user.groups.add(Group.objects.get(name="organisers"))
    return user


@pytest.fixture
def organiser_client(organiser) -> Client:
    client = Client()
    client.force_login(organiser)
    return client


def deliveries(webhook, count: int) -> list[WebhookDelivery]:
    return [
        WebhookDelivery.objects.create(
            webhook=webhook,
            event_type="registration.created",
            payload={"event": None, "data": {}},
            status=DeliveryStatus.FAILED,
            attempts=6,
            last_response_code=503,
            last_error="HTTP 503",
        )
        for _ in range(count)
    ]


def test_admin_webhook_added_by_organiser_has_a_secret_shown_to_them(
    organiser_client, organiser, event, receiver
):
    response = organiser_client.post(
        reverse("admin:webhooks_webhook_add"),
        {
            "name": "Our CRM",
            "target_url": receiver.url,
            "active": "on",
            "events": [event.pk],
            "event_types": ["registration.created", "checkin.created"],
        },
    )
    webhook = Webhook.objects.get()
    page = organiser_client.get(reverse("admin:webhooks_webhook_change", args=[webhook.pk]))

    assert response.status_code == 302
    assert webhook.created_by == organiser
    assert webhook.event_types == ["registration.created", "checkin.created"]
    assert list(webhook.events.all()) == [event]
    assert webhook.secret in page.content.decode()


def test_admin_webhook_without_events_or_all_events_is_refused(organiser_client, receiver):
    response = organiser_client.post(
        reverse("admin:webhooks_webhook_add"),
        {"name": "Our CRM", "target_url": receiver.url, "event_types": ["checkin.created"]},
    )

    assert response.status_code == 200
    assert "events" in response.context["adminform"].form.errors
    assert Webhook.objects.count() == 0


def test_admin_webhook_http_address_refused_in_production(organiser_client, event, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False

    response = organiser_client.post(
        reverse("admin:webhooks_webhook_add"),
        {
            "name": "Our CRM",
            "target_url": "http://crm.example.org/hooks/",
            "all_events": "on",
            "event_types": ["checkin.created"],
        },
    )

    assert response.context["adminform"].form.errors["target_url"] == [
        "The address must start with https://."
    ]


def test_admin_rotate_secret_action_replaces_the_secret(organiser_client, webhook):
    old = webhook.secret

    organiser_client.post(WEBHOOKS, {"action": "rotate_secret", "_selected_action": [webhook.pk]})

    webhook.refresh_from_db()
    assert webhook.secret != old
    assert webhook.secret_rotated_at is not None


def test_admin_send_test_ping_action_reaches_the_receiver(
    organiser_client, webhook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            WEBHOOKS, {"action": "send_test_ping", "_selected_action": [webhook.pk]}
        )

    assert [r.json["type"] for r in receiver.requests] == ["ping"]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_admin_retry_now_action_sends_a_failed_delivery_again(
    organiser_client, webhook, receiver, django_capture_on_commit_callbacks
):
    [delivery] = deliveries(webhook, 1)

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            DELIVERIES, {"action": "retry_now", "_selected_action": [delivery.pk]}
        )

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert len(receiver.requests) == 1


def test_admin_delivery_log_is_read_only(organiser_client, webhook):
    [delivery] = deliveries(webhook, 1)

    add = organiser_client.get(reverse("admin:webhooks_webhookdelivery_add"))
    delete = organiser_client.post(
        reverse("admin:webhooks_webhookdelivery_delete", args=[delivery.pk]), {"post": "yes"}
    )
    organiser_client.post(
        reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk]),
        {"status": "delivered", "last_error": ""},
    )

    delivery.refresh_from_db()
    assert (add.status_code, delete.status_code) == (403, 403)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "HTTP 503")


def test_admin_delivery_log_filters_by_status(organiser_client, webhook):
    deliveries(webhook, 2)
    WebhookDelivery.objects.create(
        webhook=webhook, event_type="ping", payload={}, status=DeliveryStatus.DELIVERED
    )

    response = organiser_client.get(DELIVERIES, {"status__exact": "failed"})

    assert len(response.context["cl"].result_list) == 2


# The lists


@pytest.mark.parametrize("count", [1, 30])
def test_admin_webhook_changelist_queries(
    organiser_client, event, count, django_assert_num_queries
):
    WebhookFactory.create_batch(count, events=[event])

    with django_assert_num_queries(7):
        response = organiser_client.get(WEBHOOKS)

    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [1, 30])
def test_admin_delivery_changelist_queries(
    organiser_client, webhook, count, django_assert_num_queries
):
    deliveries(webhook, count)

    with django_assert_num_queries(11):
        response = organiser_client.get(DELIVERIES)

    assert len(response.context["cl"].result_list) == count


def test_admin_pages_open_for_organiser(organiser_client, webhook):
    [delivery] = deliveries(webhook, 1)

    pages = [
        reverse("admin:webhooks_webhook_add"),
        reverse("admin:webhooks_webhook_change", args=[webhook.pk]),
        reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk]),
    ]

    assert [organiser_client.get(page).status_code for page in pages] == [200, 200, 200]


def test_admin_webhook_turned_back_on_forgets_why_it_was_off(organiser_client, webhook, event):
    Webhook.objects.filter(pk=webhook.pk).update(active=False, disabled_reason="410 Gone")

    organiser_client.post(
        reverse("admin:webhooks_webhook_change", args=[webhook.pk]),
        {
            "name": webhook.name,
            "target_url": webhook.target_url,
            "active": "on",
            "events": [event.pk],
            "event_types": ["checkin.created"],
        },
    )

    webhook.refresh_from_db()
    assert (webhook.active, webhook.disabled_reason) == (True, "")
