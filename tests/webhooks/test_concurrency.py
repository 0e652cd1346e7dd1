"""Workers racing for the same deliveries, on PostgreSQL with real threads."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories.webhooks import WebhookFactory
from webhooks import services
from webhooks.enums import DeliveryStatus
from webhooks.models import WebhookDelivery

WORKERS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deliveries_sent_by_racing_workers_reach_the_receiver_once_each(postgres, event, receiver):
    webhook = WebhookFactory(target_url=receiver.url, events=[event])
    ids = [
        WebhookDelivery.objects.create(webhook=webhook, event_type="ping", payload={}).pk
        for _ in range(5)
    ]
    barrier = threading.Barrier(WORKERS)

    def worker(_n: int) -> None:
        barrier.wait()
        try:
            for delivery_id in ids:
                services.deliver(delivery_id, now=timezone.now())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(worker, range(WORKERS)))

    assert sorted(int(r.headers["X-Eventsite-Delivery"]) for r in receiver.requests) == ids
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {
        (DeliveryStatus.DELIVERED, 1)
    }
