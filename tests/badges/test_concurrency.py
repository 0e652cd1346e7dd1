"""Many devices scanning the same badge at the same moment, on PostgreSQL with real threads."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from rest_framework.test import APIClient

from badges.models import CheckIn, ScanLog
from tests.factories import EventFactory, SessionFactory
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_devices_scanning_many_badges_at_once_check_each_in_once(postgres):
    event = EventFactory()
    badges = [BadgeFactory(registration__event=event) for _n in range(6)]
    devices = [DeviceFactory(events=[event]) for _n in range(4)]

    def one(n: int) -> tuple[str, str]:
        badge = badges[n % 6]
        response = client_for(devices[n % 4]).post(
            CHECKIN_URL,
            {"event": event.slug, "code": badge.code, "idempotency_key": f"scan-{n}"},
            format="json",
        )
        return badge.code, response.json()["result"]

    results = together(24, one)

    firsts = sorted(code for code, result in results if result == "checked_in")
    assert firsts == sorted(badge.code for badge in badges)
    assert [result for _code, result in results].count("already_checked_in") == 18
    assert CheckIn.objects.count() == 6
    assert ScanLog.objects.count() == 24


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_door_and_session_scans_at_once_make_one_checkin_each(postgres):
    event = EventFactory()
    session = SessionFactory(event=event)
    badge = BadgeFactory(registration__event=event)
    devices = [DeviceFactory(events=[event]) for _n in range(4)]

    def one(n: int) -> str:
        scan = {"event": event.slug, "code": badge.code}
        if n % 2:
            scan["session"] = session.pk
        return client_for(devices[n % 4]).post(CHECKIN_URL, scan, format="json").json()["result"]

    results = together(12, one)

    assert results.count("checked_in") == 2
    assert sorted(CheckIn.objects.values_list("session_id", flat=True), key=str) == sorted(
        [None, session.pk], key=str
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_scans_racing_an_undo_leave_at_most_one_checkin(postgres):
    event = EventFactory()
    badge = BadgeFactory(registration__event=event)
    devices = [DeviceFactory(events=[event]) for _n in range(5)]
    organiser = get_user_model().objects.create_user("racing-organiser", is_staff=True)
    # The organisers group comes from a data migration, which a transactional test empties.
    organiser.user_permissions.add(Permission.objects.get(codename="change_checkin"))
    first = client_for(devices[0]).post(
        CHECKIN_URL, {"event": event.slug, "code": badge.code}, format="json"
    )
    checkin_id = first.json()["checkin"]["id"]

    def one(n: int) -> str:
        if n == 0:
            client = APIClient()
            client.force_login(organiser)
            return str(client.post(f"/api/v1/checkin/{checkin_id}/undo/").status_code)
        response = client_for(devices[n % 5]).post(
            CHECKIN_URL, {"event": event.slug, "code": badge.code}, format="json"
        )
        return response.json()["result"]

    results = together(8, one)

    # Scans after the undo check the person in again, once; scans before it find the first.
    rechecked = results[1:].count("checked_in")
    assert results[0] == "200"
    assert rechecked in (0, 1)
    assert CheckIn.objects.count() == 1 + rechecked
    assert CheckIn.objects.filter(undone_at__isnull=True).count() == rechecked
