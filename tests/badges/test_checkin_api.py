"""POST /api/v1/checkin/: every answer, idempotent retries, undo, sessions, who may scan."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from badges import services
from badges.codes import new_code
from badges.models import CheckIn, ScanLog
from registrations import services as registration_services
from registrations.enums import PickStatus, RegistrationStatus
from registrations.models import SessionPick
from tests.factories import EventFactory, SessionFactory
from tests.factories.badges import BadgeFactory, DeviceFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.tokens import api_token

from .conftest import CHECKIN_URL, device_client, scan

# --- the answers ---------------------------------------------------------------------------------


def test_checkin_valid_badge_is_checked_in(client_of_device, event, badge, device):
    response = scan(client_of_device, event, badge.code)

    body = response.json()
    assert response.status_code == 200
    assert body["result"] == "checked_in"
    assert body["attendee"]["name"] == "Ana Novak"
    assert body["attendee"]["organisation"] == "Ministry of Labour"
    assert body["attendee"]["role"] == "attendee"
    assert body["attendee"]["mode"] == "in_person"
    assert body["checkin"]["by"] == "Door 1"
    checkin = CheckIn.objects.get()
    assert (checkin.registration, checkin.device, checkin.offline) == (
        badge.registration,
        device,
        False,
    )


def test_checkin_answer_never_carries_the_email(client_of_device, event, badge):
    response = scan(client_of_device, event, badge.code)

    assert "ana.novak@example.org" not in response.content.decode()


def test_checkin_log_keeps_a_hash_never_the_code(client_of_device, event, badge):
    scan(client_of_device, event, badge.code)

    log = ScanLog.objects.get()
    assert log.result == "checked_in"
    assert log.code_hash == hashlib.sha256(badge.code.encode()).hexdigest()[:16]
    assert badge.code not in json.dumps(log.response)


def test_checkin_code_read_in_lower_case_with_spaces_is_accepted(client_of_device, event, badge):
    response = scan(client_of_device, event, f" {badge.code.lower()}\n")

    assert response.json()["result"] == "checked_in"


def test_checkin_second_scan_is_already_checked_in_with_when_and_by_whom(
    client_of_device, event, badge
):
    first = scan(client_of_device, event, badge.code).json()
    other_device = DeviceFactory(name="Door 2", events=[event])

    second = scan(device_client(other_device), event, badge.code).json()

    assert second["result"] == "already_checked_in"
    assert second["checkin"]["by"] == "Door 1"
    assert second["checkin"]["at"] == first["checkin"]["at"]
    assert second["attendee"]["name"] == "Ana Novak"
    assert CheckIn.objects.count() == 1
    assert list(ScanLog.objects.order_by("pk").values_list("result", flat=True)) == [
        "checked_in",
        "already_checked_in",
    ]


@pytest.mark.parametrize(
    "status",
    [
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.DECLINED,
    ],
)
def test_checkin_registration_not_confirmed_is_refused_with_its_status(
    client_of_device, event, badge, status
):
    registration = badge.registration
    registration.status = status
    registration.waitlisted_at = timezone.now()
    registration.save()

    body = scan(client_of_device, event, badge.code).json()

    assert body["result"] == "not_confirmed"
    assert body["status"] == status
    assert body["attendee"]["name"] == "Ana Novak"
    assert CheckIn.objects.count() == 0


def test_checkin_cancelled_through_the_service_fails_at_once(client_of_device, event, badge):
    registration_services.cancel(registration=badge.registration, actor=None)

    body = scan(client_of_device, event, badge.code).json()

    assert (body["result"], body["status"]) == ("not_confirmed", "cancelled")


def test_checkin_reissued_badge_old_code_is_revoked(client_of_device, event, badge):
    new = services.reissue_badge(registration=badge.registration)

    old_answer = scan(client_of_device, event, badge.code).json()
    new_answer = scan(client_of_device, event, new.code).json()

    assert (old_answer["result"], old_answer["revoke_reason"]) == ("revoked", "reissued")
    assert new_answer["result"] == "checked_in"
    assert CheckIn.objects.get().badge == new


def test_checkin_badge_from_before_a_decline_stays_dead_after_reapproval(
    client_of_device, event, badge
):
    registration = badge.registration
    registration_services.decline(registration=registration, actor=None)
    registration_services.reopen(registration=registration, actor=None)
    registration_services.approve(registration=registration, actor=None)

    old_answer = scan(client_of_device, event, badge.code).json()
    fresh = services.issue_badge(registration=registration)
    new_answer = scan(client_of_device, event, fresh.code).json()

    assert (old_answer["result"], old_answer["revoke_reason"]) == ("revoked", "declined")
    assert fresh.code != badge.code
    assert new_answer["result"] == "checked_in"


def test_checkin_code_of_another_event_is_other_event(client_of_device, event, badge):
    other = BadgeFactory(registration__event=EventFactory(title="Skills Shortages 2023"))

    body = scan(client_of_device, event, other.code).json()

    assert body["result"] == "other_event"
    assert body["other_event"]["title"] == "Skills Shortages 2023"
    assert body["attendee"] is None
    assert CheckIn.objects.count() == 0


def test_checkin_signed_code_without_badge_is_unknown(client_of_device, event, badge):
    body = scan(client_of_device, event, new_code(event_id=event.pk)).json()

    assert (body["result"], body["attendee"]) == ("unknown", None)


def test_checkin_forged_check_is_tampered(client_of_device, event, badge):
    event_part, secret, _check = badge.code.split("-")

    body = scan(client_of_device, event, f"{event_part}-{secret}-AAAAAAAAAA").json()

    assert body["result"] == "tampered"


@pytest.mark.parametrize("code", ["", "hello", "https://example.org/", "X" * 500])
def test_checkin_made_up_code_is_malformed(client_of_device, event, badge, code):
    body = scan(client_of_device, event, code).json()

    assert body["result"] == "malformed"
    assert ScanLog.objects.get().result == "malformed"


def test_checkin_every_single_byte_change_is_refused_and_nothing_checked_in(
    client_of_device, event, badge
):
    """Case is not a change: codes are read in either case (see test_badge_codes)."""
    answers = set()

    for position, original in enumerate(badge.code):
        for replacement in "A7-0Q":
            if replacement == original:
                continue
            changed = badge.code[:position] + replacement + badge.code[position + 1 :]
            answers.add(scan(client_of_device, event, changed).json()["result"])

    assert answers == {"tampered", "malformed"}
    assert CheckIn.objects.count() == 0
    assert ScanLog.objects.filter(result__in=["checked_in", "already_checked_in"]).count() == 0


# --- what the door may know ----------------------------------------------------------------------


def test_checkin_device_sees_only_that_assistance_is_needed(client_of_device, event, badge):
    attendee = scan(client_of_device, event, badge.code).json()["attendee"]

    assert attendee["needs_assistance"] is True
    assert "accessibility_needs" not in attendee


def test_checkin_device_allowed_to_see_needs_gets_them(event, badge):
    desk = DeviceFactory(events=[event], shows_accessibility_needs=True)

    attendee = scan(device_client(desk), event, badge.code).json()["attendee"]

    assert attendee["accessibility_needs"] == "Uses a wheelchair; needs step-free access."


def test_checkin_organiser_sees_needs_only_with_the_permission(organiser, event, badge):
    client = APIClient()
    client.force_login(organiser)
    before = scan(client, event, badge.code).json()["attendee"]
    organiser.user_permissions.add(Permission.objects.get(codename="view_accessibility_needs"))
    client.force_login(get_user_model().objects.get(pk=organiser.pk))

    after = scan(client, event, badge.code).json()["attendee"]

    assert "accessibility_needs" not in before
    assert after["accessibility_needs"] == "Uses a wheelchair; needs step-free access."


# --- idempotent retries --------------------------------------------------------------------------


def test_checkin_retry_with_same_key_returns_the_same_answer(client_of_device, event, badge):
    first = scan(client_of_device, event, badge.code, idempotency_key="scan-1")

    retry = scan(client_of_device, event, badge.code, idempotency_key="scan-1")

    assert retry.json() == first.json()
    assert retry.json()["result"] == "checked_in"
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert CheckIn.objects.count() == 1
    assert ScanLog.objects.count() == 1


def test_checkin_same_key_from_another_device_is_another_scan(client_of_device, event, badge):
    scan(client_of_device, event, badge.code, idempotency_key="scan-1")
    other = device_client(DeviceFactory(events=[event]))

    body = scan(other, event, badge.code, idempotency_key="scan-1").json()

    assert body["result"] == "already_checked_in"
    assert ScanLog.objects.count() == 2


def test_checkin_refused_scan_retried_keeps_its_answer(client_of_device, event, badge):
    first = scan(client_of_device, event, "hello", idempotency_key="k").json()

    retry = scan(client_of_device, event, "hello", idempotency_key="k").json()

    assert retry == first
    assert ScanLog.objects.count() == 1


# --- undo ----------------------------------------------------------------------------------------


def test_checkin_undone_then_checked_in_again(client_of_device, organiser_client, event, badge):
    checkin_id = scan(client_of_device, event, badge.code).json()["checkin"]["id"]

    undo = organiser_client.post(f"{CHECKIN_URL}{checkin_id}/undo/")
    again = scan(client_of_device, event, badge.code).json()

    assert undo.status_code == 200
    assert again["result"] == "checked_in"
    assert CheckIn.objects.filter(undone_at__isnull=True).count() == 1
    assert CheckIn.objects.get(pk=checkin_id).undone_at is not None
    assert ScanLog.objects.filter(result="undone").count() == 1


def test_checkin_undo_twice_is_refused(client_of_device, organiser_client, event, badge):
    checkin_id = scan(client_of_device, event, badge.code).json()["checkin"]["id"]
    organiser_client.post(f"{CHECKIN_URL}{checkin_id}/undo/")

    response = organiser_client.post(f"{CHECKIN_URL}{checkin_id}/undo/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "checkin_already_undone"


def test_checkin_device_cannot_undo(client_of_device, event, badge):
    checkin_id = scan(client_of_device, event, badge.code).json()["checkin"]["id"]

    response = client_of_device.post(f"{CHECKIN_URL}{checkin_id}/undo/")

    assert response.status_code == 403
    assert CheckIn.objects.get().undone_at is None


# --- sessions and search -------------------------------------------------------------------------


def test_checkin_session_is_separate_from_the_door(client_of_device, event, badge):
    session = SessionFactory(event=event)
    scan(client_of_device, event, badge.code)

    first = scan(client_of_device, event, badge.code, session=session.pk).json()
    second = scan(client_of_device, event, badge.code, session=session.pk).json()

    assert first["result"] == "checked_in"
    assert first["session"] == {"id": session.pk, "title": session.title}
    assert second["result"] == "already_checked_in"
    assert CheckIn.objects.count() == 2


def test_checkin_session_of_another_event_is_a_bad_request(client_of_device, event, badge):
    session = SessionFactory()

    response = scan(client_of_device, event, badge.code, session=session.pk)

    assert response.status_code == 400
    assert "session" in response.json()["error"]["fields"]
    assert ScanLog.objects.count() == 0


def test_checkin_session_with_sign_up_needs_a_seat(client_of_device, event, badge):
    workshop = SessionFactory(event=event, requires_signup=True, capacity=10)

    refused = scan(client_of_device, event, badge.code, session=workshop.pk).json()
    SessionPick.objects.create(
        registration=badge.registration, session=workshop, status=PickStatus.CONFIRMED
    )
    accepted = scan(client_of_device, event, badge.code, session=workshop.pk).json()

    assert (refused["result"], refused["status"]) == ("not_confirmed", "not_signed_up")
    assert accepted["result"] == "checked_in"


def test_checkin_by_registration_found_in_search(client_of_device, event, badge):
    response = client_of_device.post(
        CHECKIN_URL, {"event": event.slug, "registration": badge.registration.pk}, format="json"
    )

    assert response.json()["result"] == "checked_in"
    assert CheckIn.objects.get().badge == badge
    assert ScanLog.objects.get().code_hash == ""


def test_checkin_by_registration_of_another_event_is_unknown(client_of_device, event, badge):
    elsewhere = RegistrationFactory()

    response = client_of_device.post(
        CHECKIN_URL, {"event": event.slug, "registration": elsewhere.pk}, format="json"
    )

    assert response.json()["result"] == "unknown"
    assert CheckIn.objects.count() == 0


def test_checkin_needs_a_code_or_a_registration(client_of_device, event):
    response = client_of_device.post(CHECKIN_URL, {"event": event.slug}, format="json")

    assert response.status_code == 400


def test_checkin_offline_scan_keeps_the_devices_time(client_of_device, event, badge):
    scanned_at = timezone.now() - timedelta(minutes=7)

    scan(client_of_device, event, badge.code, scanned_at=scanned_at.isoformat())

    checkin = CheckIn.objects.get()
    assert checkin.at == scanned_at
    assert checkin.offline is True


def test_checkin_offline_time_in_the_future_is_taken_as_now(client_of_device, event, badge):
    scan(client_of_device, event, badge.code, scanned_at=(timezone.now() + timedelta(days=1)))

    assert CheckIn.objects.get().at <= timezone.now()


# --- who may scan --------------------------------------------------------------------------------


def test_checkin_without_credentials_is_401(event, badge):
    response = scan(APIClient(), event, badge.code)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Device"
    assert ScanLog.objects.count() == 0


def test_checkin_revoked_device_is_401(client_of_device, device, event, badge):
    services.revoke_device(device=device)

    response = scan(client_of_device, event, badge.code)

    assert response.status_code == 401
    assert CheckIn.objects.count() == 0


def test_checkin_wrong_device_token_is_401(event, badge):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Device not-a-token")

    assert scan(client, event, badge.code).status_code == 401


def test_checkin_device_token_is_stored_only_as_its_hash(device):
    assert device.token_hash == hashlib.sha256(device.token.encode()).hexdigest()
    assert device.token not in device.token_hash


def test_checkin_organiser_by_session_can_scan(organiser_client, event, badge, organiser):
    body = scan(organiser_client, event, badge.code).json()

    assert body["result"] == "checked_in"
    assert CheckIn.objects.get().user == organiser


def test_checkin_staff_without_permission_is_403(event, badge):
    user = get_user_model().objects.create_user("helper", is_staff=True)
    client = APIClient()
    client.force_login(user)

    assert scan(client, event, badge.code).status_code == 403


def test_checkin_device_of_another_event_gets_404_and_nothing_is_written(event, badge):
    elsewhere = device_client(DeviceFactory(events=[EventFactory()]))

    response = scan(elsewhere, event, badge.code)

    assert response.status_code == 404
    assert CheckIn.objects.count() == 0
    assert ScanLog.objects.count() == 0


def test_checkin_device_of_another_event_cannot_batch_there(event, badge):
    own_event = EventFactory()
    own_badge = BadgeFactory(registration__event=own_event)
    elsewhere = device_client(DeviceFactory(events=[own_event]))
    scans = [
        {"event": own_event.slug, "code": own_badge.code, "idempotency_key": "1"},
        {"event": event.slug, "code": badge.code, "idempotency_key": "2"},
    ]
    now = timezone.now().isoformat()

    response = elsewhere.post(
        "/api/v1/checkin/batch/",
        {"scans": [{**s, "scanned_at": now} for s in scans]},
        format="json",
    )

    assert response.status_code == 404
    assert CheckIn.objects.count() == 0
    assert ScanLog.objects.count() == 0


def test_checkin_organiser_with_api_token_can_scan(organiser, event, badge):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(organiser, [event])}")

    assert scan(client, event, badge.code).json()["result"] == "checked_in"


def test_checkin_organisers_group_may_scan_but_not_see_needs(organiser):
    assert organiser.has_perm("badges.add_checkin")
    assert organiser.has_perm("badges.change_checkin")
    assert not organiser.has_perm("badges.view_accessibility_needs")
