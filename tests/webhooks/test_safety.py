"""What a webhook may not do: reach our own network, receive special-category data or secrets,
or slow down registrations and scans when nobody listens."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges.services import Scanner, perform_checkin
from registrations import services as registrations
from registrations.models import Registration
from registrations.signals import registration_changed
from tests.factories.badges import BadgeFactory, DeviceFactory
from tests.factories.registrations import QuestionFactory, registration_request
from tests.factories.webhooks import WebhookFactory
from webhooks import routing
from webhooks.enums import DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.validators import validate_target_url

pytestmark = pytest.mark.django_db


def test_delivery_to_a_private_address_is_refused_unless_allowed(
    event, webhook, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False

    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=event, request=registration_request(1))

    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("Refused")


def test_delivery_to_a_name_resolving_to_loopback_is_refused(
    event, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    port = receiver.url.split(":")[2].split("/")[0]
    # "localhost" resolves to 127.0.0.1 (and ::1): the check is on what the name resolves to.
    webhook = WebhookFactory(target_url=f"http://127.0.0.1:{port}/hooks/", events=[event])
    type(webhook).objects.filter(pk=webhook.pk).update(target_url=f"http://localhost:{port}/hooks/")

    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=event, request=registration_request(1))

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().last_error.startswith("Refused")


def test_delivery_over_plain_http_is_refused_in_production(
    event, webhook, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.DEBUG = False

    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(event=event, request=registration_request(1))

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().last_error == "Refused: the address must use https."


@pytest.mark.parametrize(
    "url",
    [
        "http://crm.example.org/hooks/",
        "https://127.0.0.1/hooks/",
        "https://10.1.2.3/hooks/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hooks/",
        "https://[::ffff:192.168.1.1]/hooks/",
        "https://localhost/hooks/",
        "https://user:pass@crm.example.org/hooks/",
    ],
)
def test_target_url_refused_in_production(settings, url):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    settings.DEBUG = False

    with pytest.raises(ValidationError):
        validate_target_url(url)


def test_target_url_public_https_accepted(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False

    validate_target_url("https://crm.example.org/hooks/?source=eventsite")
    validate_target_url("https://93.184.216.34/hooks/")


def test_payload_carries_no_needs_sensitive_answers_badge_code_or_token(
    event, webhook, receiver, django_capture_on_commit_callbacks
):
    plain = QuestionFactory(event=event, label="Which workshop?")
    sensitive = QuestionFactory(event=event, label="Religious holidays?", sensitive=True)
    request = registration_request(
        1,
        answers={plain.pk: "Posting of workers", sensitive.pk: "Ramadan observance"},
        accessibility_needs="Wheelchair user",
        dietary_needs="Halal meals",
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration = registrations.register(event=event, request=request).registration
    badge = BadgeFactory(registration=registration)
    device = DeviceFactory(events=[event])
    with django_capture_on_commit_callbacks(execute=True):
        perform_checkin(event=event, scanner=Scanner(device=device), code=badge.code)

    bodies = [r.body.decode() for r in receiver.requests]
    registered = receiver.requests[0].json["data"]
    assert len(bodies) == 2
    assert registered["answers"] == [
        {"question_id": plain.pk, "question": "Which workshop?", "value": "Posting of workers"}
    ]
    for forbidden in (
        "Wheelchair",
        "Halal",
        "Ramadan",
        "Religious",
        badge.code,
        registration.token,
        device.token,
        "accessibility",
        "dietary",
    ):
        assert all(forbidden not in body for body in bodies), forbidden


def test_receiver_without_webhooks_costs_no_query_with_the_cache_warm(event):
    registration = registrations.register(event=event, request=registration_request(1))
    routing.routes()

    with CaptureQueriesContext(connection) as queries:
        registration_changed.send(
            sender=Registration,
            registration=registration.registration,
            action="cancelled",
            from_status="confirmed",
            to_status="cancelled",
        )

    assert len(queries) == 0


def test_receiver_with_a_webhook_of_another_event_costs_no_query_with_the_cache_warm(event):
    registration = registrations.register(event=event, request=registration_request(1))
    WebhookFactory(all_events=False, events=[BadgeFactory().event])
    routing.routes()

    with CaptureQueriesContext(connection) as queries:
        registration_changed.send(
            sender=Registration,
            registration=registration.registration,
            action="cancelled",
            from_status="confirmed",
            to_status="cancelled",
        )

    assert len(queries) == 0


def test_routes_cold_cost_one_query_without_webhooks(db, django_assert_num_queries):
    cache.delete(routing.CACHE_KEY)

    with django_assert_num_queries(1):
        routing.routes()
    with django_assert_num_queries(0):
        routing.routes()


def test_routes_follow_webhook_changes(event):
    routing.routes()
    webhook = WebhookFactory(events=[event])
    created = routing.targets(event_id=event.pk, event_type="registration.created")
    webhook.active = False
    webhook.save()
    turned_off = routing.targets(event_id=event.pk, event_type="registration.created")
    webhook.active = True
    webhook.save()
    webhook.events.clear()
    without_events = routing.targets(event_id=event.pk, event_type="registration.created")

    assert (created, turned_off, without_events) == ([webhook.pk], [], [])
