"""Issuing badges, devices and undoing check-ins, through the services."""

import pytest
from django.contrib.auth import get_user_model

from badges import services
from badges.codes import parse_code
from badges.exceptions import BadgeNotAvailable, CheckInAlreadyUndone, DeviceRevoked
from badges.models import Badge, Device
from registrations import services as registration_services
from registrations.enums import RegistrationStatus
from tests.factories import PersonFactory, SessionFactory, SessionSpeakerFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory


def test_issue_badge_makes_one_code_bound_to_the_event(event):
    registration = RegistrationFactory(event=event)

    badge = services.issue_badge(registration=registration)
    again = services.issue_badge(registration=registration)

    assert again == badge
    assert parse_code(badge.code).event_id == event.pk
    assert Badge.objects.count() == 1


@pytest.mark.parametrize(
    "status",
    [RegistrationStatus.PENDING, RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED],
)
def test_issue_badge_refused_unless_confirmed(event, status):
    registration = RegistrationFactory(event=event, status=status)

    with pytest.raises(BadgeNotAvailable):
        services.issue_badge(registration=registration)

    assert Badge.objects.count() == 0


def test_issue_badge_for_a_speaker_has_the_speaker_role(event):
    person = PersonFactory()
    registration = RegistrationFactory(event=event, person=person)
    SessionSpeakerFactory(session=SessionFactory(event=event), speaker__person=person)

    assert services.issue_badge(registration=registration).role == "speaker"


def test_issue_badge_after_cancel_and_return_replaces_the_old_code(event, badge):
    registration = badge.registration
    registration_services.decline(registration=registration, actor=None)
    registration_services.reopen(registration=registration, actor=None)
    registration_services.approve(registration=registration, actor=None)

    fresh = services.issue_badge(registration=registration)

    badge.refresh_from_db()
    assert fresh != badge
    assert (badge.revoke_reason, badge.revoked_at is not None) == ("declined", True)


def test_reissue_badge_keeps_the_role_and_revokes_the_old(event, badge):
    badge.role = "press"
    badge.save()

    new = services.reissue_badge(registration=badge.registration)

    badge.refresh_from_db()
    assert new.role == "press"
    assert badge.revoke_reason == "reissued"
    assert Badge.objects.filter(revoked_at__isnull=True).get() == new


def test_issue_missing_badges_covers_confirmed_registrations_only(event, badge):
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)

    made = services.issue_missing_badges(event=event)
    again = services.issue_missing_badges(event=event)

    assert (made, again) == (1, 0)
    assert Badge.objects.count() == 2


def test_undo_checkin_twice_is_refused(event):
    checkin = CheckInFactory(registration__event=event)
    services.undo_checkin(checkin=checkin, actor=None)

    with pytest.raises(CheckInAlreadyUndone):
        services.undo_checkin(checkin=checkin, actor=None)


def test_create_device_returns_a_token_it_does_not_keep(event):
    user = get_user_model().objects.create_user("maker")

    device, token = services.create_device(name="Gate", events=[event], created_by=user)

    stored = Device.objects.get()
    assert stored.token_hash == Device.hash_token(token)
    assert token not in (stored.token_hash, stored.token_hint)
    assert list(stored.events.all()) == [event]
    assert device.created_by == user


def test_revoke_device_twice_is_refused(device):
    services.revoke_device(device=device)

    with pytest.raises(DeviceRevoked):
        services.revoke_device(device=device)
