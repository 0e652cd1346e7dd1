"""POST /api/v1/checkin/batch/: scans queued offline, sent when the network returns."""

from datetime import timedelta

from django.utils import timezone

from badges.models import CheckIn, ScanLog
from tests.factories.badges import BadgeFactory, DeviceFactory

from .conftest import BATCH_URL, device_client


def queued(event, code: str, key: str, minutes_ago: int = 5) -> dict:
    scanned_at = timezone.now() - timedelta(minutes=minutes_ago)
    return {
        "event": event.slug,
        "code": code,
        "idempotency_key": key,
        "scanned_at": scanned_at.isoformat(),
    }


def test_batch_answers_each_scan_in_order(client_of_device, event, badge):
    other = BadgeFactory(registration__event=event)
    scans = [
        queued(event, badge.code, "a"),
        queued(event, "hello", "b"),
        queued(event, other.code, "c"),
    ]

    response = client_of_device.post(BATCH_URL, {"scans": scans}, format="json")

    assert response.status_code == 200
    assert [r["result"] for r in response.json()["results"]] == [
        "checked_in",
        "malformed",
        "checked_in",
    ]
    assert CheckIn.objects.filter(offline=True).count() == 2


def test_batch_sent_again_changes_nothing(client_of_device, event, badge):
    scans = [queued(event, badge.code, "a"), queued(event, badge.code, "b", minutes_ago=4)]
    first = client_of_device.post(BATCH_URL, {"scans": scans}, format="json").json()

    again = client_of_device.post(BATCH_URL, {"scans": scans}, format="json").json()

    assert again == first
    assert [r["result"] for r in first["results"]] == ["checked_in", "already_checked_in"]
    assert CheckIn.objects.count() == 1
    assert ScanLog.objects.count() == 2


def test_batch_same_badge_on_two_offline_devices_is_a_conflict(event, badge):
    first_device = DeviceFactory(name="Door 1", events=[event])
    second_device = DeviceFactory(name="Door 2", events=[event])
    device_client(first_device).post(
        BATCH_URL, {"scans": [queued(event, badge.code, "x", minutes_ago=9)]}, format="json"
    )

    response = device_client(second_device).post(
        BATCH_URL, {"scans": [queued(event, badge.code, "y", minutes_ago=8)]}, format="json"
    )

    answer = response.json()["results"][0]
    assert answer["result"] == "already_checked_in"
    assert answer["conflict"] is True
    assert answer["checkin"]["by"] == "Door 1"
    conflict = ScanLog.objects.get(conflict=True)
    assert (conflict.device, conflict.result) == (second_device, "already_checked_in")
    assert CheckIn.objects.get().device == first_device


def test_batch_online_second_scan_is_no_conflict(client_of_device, event, badge):
    client_of_device.post(
        "/api/v1/checkin/", {"event": event.slug, "code": badge.code}, format="json"
    )
    other = device_client(DeviceFactory(events=[event]))

    answer = other.post(
        "/api/v1/checkin/", {"event": event.slug, "code": badge.code}, format="json"
    ).json()

    assert answer["result"] == "already_checked_in"
    assert answer["conflict"] is False
    assert ScanLog.objects.filter(conflict=True).count() == 0


def test_batch_needs_key_and_time_for_each_scan(client_of_device, event, badge):
    response = client_of_device.post(
        BATCH_URL, {"scans": [{"event": event.slug, "code": badge.code}]}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "scans.0.idempotency_key",
        "scans.0.scanned_at",
    }
    assert ScanLog.objects.count() == 0


def test_batch_of_more_than_200_is_refused(client_of_device, event, badge):
    scans = [queued(event, badge.code, str(n)) for n in range(201)]

    response = client_of_device.post(BATCH_URL, {"scans": scans}, format="json")

    assert response.status_code == 400
    assert ScanLog.objects.count() == 0
