"""Many devices scanning the same badge at the same moment, on PostgreSQL with real threads."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from badges.models import CheckIn, ScanLog
from tests.factories import EventFactory
from tests.factories.badges import BadgeFactory, DeviceFactory

from .conftest import CHECKIN_URL


def together(count: int, one) -> list:
    """Runs ``one(n)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def run(n: int):
        barrier.wait()
        try:
            return one(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def client_for(device) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {device.token}")
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_scans_from_five_devices_make_one_checkin(postgres):
    event = EventFactory()
    badge = BadgeFactory(registration__event=event)
    devices = [DeviceFactory(events=[event]) for _n in range(5)]

    def one(n: int) -> str:
        client = client_for(devices[n % 5])
        response = client.post(
            CHECKIN_URL, {"event": event.slug, "code": badge.code}, format="json"
        )
        return response.json()["result"]

    results = together(20, one)

    assert results.count("checked_in") == 1
    assert results.count("already_checked_in") == 19
    assert CheckIn.objects.count() == 1
    assert ScanLog.objects.count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_scan_sent_ten_times_at_once_gets_one_answer(postgres):
    event = EventFactory()
    badge = BadgeFactory(registration__event=event)
    device = DeviceFactory(events=[event])

    def one(n: int) -> dict:
        response = client_for(device).post(
            CHECKIN_URL,
            {"event": event.slug, "code": badge.code, "idempotency_key": "retry-me"},
            format="json",
        )
        return response.json()

    answers = together(10, one)

    assert [a["result"] for a in answers] == ["checked_in"] * 10
    assert len({a["checkin"]["id"] for a in answers}) == 1
    assert CheckIn.objects.count() == 1
    assert ScanLog.objects.count() == 1
