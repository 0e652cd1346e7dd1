"""The organisers' admin: devices with their token shown once, re-issue, undo, the scan log."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from badges.models import Badge, CheckIn, Device, ScanLog
from tests.factories.badges import BadgeFactory, CheckInFactory, DeviceFactory

from .conftest import device_client, scan


@pytest.fixture
def admin_client_of(organiser) -> Client:
    client = Client()
    client.force_login(organiser)
    return client


def test_admin_device_added_shows_its_token_once(admin_client_of, event, badge):
    response = admin_client_of.post(
        reverse("admin:badges_device_add"),
        {"name": "Door phone", "events": [event.pk]},
        follow=True,
    )
    token = re.search(r"token is (dev_[\w-]+)", response.content.decode()).group(1)
    device = Device.objects.get()
    device.token = token

    reloaded = admin_client_of.get(reverse("admin:badges_device_change", args=[device.pk]))

    assert device.token_hash == Device.hash_token(token)
    assert token not in reloaded.content.decode()
    assert scan(device_client(device), event, badge.code).json()["result"] == "checked_in"


def test_admin_device_revoke_action_stops_its_token(admin_client_of, device, event, badge):
    admin_client_of.post(
        reverse("admin:badges_device_changelist"),
        {"action": "revoke", "_selected_action": [device.pk]},
    )

    device.refresh_from_db()
    assert device.revoked_at is not None
    assert scan(device_client(device), event, badge.code).status_code == 401


def test_admin_badge_reissue_action_revokes_the_old_code(admin_client_of, badge):
    admin_client_of.post(
        reverse("admin:badges_badge_changelist"),
        {"action": "reissue", "_selected_action": [badge.pk]},
    )

    badge.refresh_from_db()
    assert badge.revoke_reason == "reissued"
    assert Badge.objects.filter(registration=badge.registration, revoked_at=None).count() == 1


def test_admin_badge_reissue_action_needs_the_change_permission(badge, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_badge"))
    client = Client()
    client.force_login(viewer)

    client.post(
        reverse("admin:badges_badge_changelist"),
        {"action": "reissue", "_selected_action": [badge.pk]},
    )

    badge.refresh_from_db()
    assert badge.revoked_at is None
    assert Badge.objects.filter(registration=badge.registration).count() == 1


def test_admin_checkin_undo_action(admin_client_of, event):
    checkin = CheckInFactory(registration__event=event)

    admin_client_of.post(
        reverse("admin:badges_checkin_changelist"),
        {"action": "undo", "_selected_action": [checkin.pk]},
    )

    checkin.refresh_from_db()
    assert checkin.undone_at is not None
    assert ScanLog.objects.get().result == "undone"


def test_admin_scan_log_filters_by_result(admin_client_of, event, badge, client_of_device):
    scan(client_of_device, event, badge.code)
    scan(client_of_device, event, "hello")

    response = admin_client_of.get(
        reverse("admin:badges_scanlog_changelist"), {"result": "malformed"}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_admin_scan_log_shows_offline_conflicts(admin_client_of, event, badge):
    first, second = DeviceFactory(events=[event]), DeviceFactory(events=[event])
    for n, device in enumerate([first, second]):
        scan(
            device_client(device),
            event,
            badge.code,
            idempotency_key=str(n),
            scanned_at=timezone.now().isoformat(),
        )

    response = admin_client_of.get(
        reverse("admin:badges_scanlog_changelist"), {"conflict__exact": "1"}
    )

    assert [log.device for log in response.context["cl"].result_list] == [second]


@pytest.mark.parametrize("model", ["badge", "device", "checkin", "scanlog"])
def test_admin_lists_open_for_organisers(admin_client_of, event, model):
    BadgeFactory(registration__event=event)
    CheckInFactory(registration__event=event)

    response = admin_client_of.get(reverse(f"admin:badges_{model}_changelist"))

    assert response.status_code == 200


def test_admin_checkin_cannot_be_deleted_or_added(admin_client_of, event):
    checkin = CheckInFactory(registration__event=event)

    add = admin_client_of.get(reverse("admin:badges_checkin_add"))
    delete = admin_client_of.get(reverse("admin:badges_checkin_delete", args=[checkin.pk]))

    assert (add.status_code, delete.status_code) == (403, 403)
    assert CheckIn.objects.count() == 1
