"""The offline check-in list, made to scale with the event: its ETag moves with every change
that alters an entry, whichever way the change is written, and with nothing else; its JSON is
what DRF's renderer makes of the entries; on PostgreSQL a scanner holding the current list is
answered after one query of the list's own, without a badge looked for or an entry read."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from agenda.models import Event, Session
from badges import services
from badges.codes import new_code
from badges.enums import BadgeRole
from badges.models import Badge, CheckIn, Device, code_hash
from members.models import Organisation
from registrations import services as registration_services
from registrations.enums import AttendanceMode, PickStatus, RegistrationStatus
from registrations.models import Registration, SessionPick
from tests.factories import EventFactory, OrganisationFactory, PersonFactory, SessionFactory
from tests.factories.badges import BadgeFactory, CheckInFactory, DeviceFactory
from tests.factories.registrations import RegistrationFactory

from .conftest import device_client, scan

# Each change is committed on its own, as in production: on PostgreSQL the list's version is
# made of the transactions that wrote its rows.
pytestmark = pytest.mark.django_db(transaction=True)


def list_url(event, session=None) -> str:
    query = f"?session={session.pk}" if session else ""
    return f"/api/v1/events/{event.slug}/checkin-list/{query}"


@dataclass
class Door:
    """An event at its door: Ana checked in, Ben not yet, Cleo cancelled (badge kept)."""

    event: Event
    device: Device
    client: APIClient
    ana: Badge
    ben: Badge
    cleo: Badge
    checkin: CheckIn


@pytest.fixture
def door() -> Door:
    event = EventFactory(slug="large-conference")
    device = DeviceFactory(events=[event])
    ana, ben, cleo = (
        BadgeFactory(
            registration__event=event,
            registration__person=PersonFactory(first_name=first, last_name=last),
            registration__accessibility_needs=needs,
        )
        for first, last, needs in (
            ("Ana", "Novak", "Step-free access."),
            ("Ben", "Okafor", ""),
            ("Cleo", "Petit", ""),
        )
    )
    Registration.objects.filter(pk=cleo.registration_id).update(status=RegistrationStatus.CANCELLED)
    checkin = CheckInFactory(registration=ana.registration, badge=ana)
    return Door(event, device, device_client(device), ana, ben, cleo, checkin)


def new_name(door: Door) -> None:
    person = door.ben.registration.person
    person.first_name = "Benedict"
    person.save()


def new_organisation(door: Door) -> None:
    person = door.ben.registration.person
    person.organisation = OrganisationFactory(name="Labour Inspectorate")
    person.save()


def organisation_renamed(door: Door) -> None:
    organisation = door.ben.registration.person.organisation
    organisation.name = "Ministry of Labour and Social Affairs"
    organisation.save()


def organisation_renamed_in_bulk(door: Door) -> None:
    Organisation.objects.filter(pk=door.ben.registration.person.organisation_id).update(
        name="Renamed"
    )


def person_replaced(door: Door) -> None:
    # As anonymisation does: another person, in bulk, the registration's update time unmoved.
    stand_in = PersonFactory(first_name="", last_name="")
    Registration.objects.filter(pk=door.ben.registration_id).update(person=stand_in)


def checked_in(door: Door) -> None:
    scan(door.client, door.event, door.ben.code)


def checkin_undone(door: Door) -> None:
    services.undo_checkin(checkin=door.checkin, actor=None)


def checkin_time_corrected(door: Door) -> None:
    CheckIn.objects.filter(pk=door.checkin.pk).update(at=datetime(2030, 1, 1, 9, tzinfo=UTC))


def checkin_deleted(door: Door) -> None:
    door.checkin.delete()


def cancelled(door: Door) -> None:
    registration_services.cancel(registration=door.ben.registration, actor=None)


def confirmed_in_bulk(door: Door) -> None:
    Registration.objects.filter(pk=door.cleo.registration_id).update(
        status=RegistrationStatus.CONFIRMED
    )


def mode_changed_in_bulk(door: Door) -> None:
    Registration.objects.filter(pk=door.ben.registration_id).update(mode=AttendanceMode.ONLINE)


def needs_erased_in_bulk(door: Door) -> None:
    # As the erasure of special-category data does.
    Registration.objects.filter(event=door.event).update(accessibility_needs="")


def registered(door: Door) -> None:
    RegistrationFactory(event=door.event)  # confirmed, its badge issued by the list


def badge_reissued(door: Door) -> None:
    services.reissue_badge(registration=door.ben.registration)


def badge_revoked_in_bulk(door: Door) -> None:
    Badge.objects.filter(pk=door.cleo.pk).update(revoked_at=datetime(2030, 1, 1, tzinfo=UTC))


def code_replaced_in_bulk(door: Door) -> None:
    # As anonymisation does: the code changes in place.
    Badge.objects.filter(pk=door.cleo.pk).update(code=new_code(event_id=door.event.pk))


def role_changed_in_bulk(door: Door) -> None:
    Badge.objects.filter(pk=door.ben.pk).update(role=BadgeRole.PRESS)


def badge_deleted(door: Door) -> None:
    door.cleo.delete()


def device_shown_needs(door: Door) -> None:
    Device.objects.filter(pk=door.device.pk).update(shows_accessibility_needs=True)


CHANGES = [
    new_name,
    new_organisation,
    organisation_renamed,
    organisation_renamed_in_bulk,
    person_replaced,
    checked_in,
    checkin_undone,
    checkin_time_corrected,
    checkin_deleted,
    cancelled,
    confirmed_in_bulk,
    mode_changed_in_bulk,
    needs_erased_in_bulk,
    registered,
    badge_reissued,
    badge_revoked_in_bulk,
    code_replaced_in_bulk,
    role_changed_in_bulk,
    badge_deleted,
    device_shown_needs,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_checkin_list_etag_changes_with_every_change_to_an_entry(door, change):
    first = door.client.get(list_url(door.event))
    etag = first.headers["ETag"]

    change(door)
    after = door.client.get(list_url(door.event), HTTP_IF_NONE_MATCH=etag)

    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert after.json()["entries"] != first.json()["entries"]


def test_checkin_list_etag_holds_through_changes_at_another_event(door):
    other = BadgeFactory(registration__event=EventFactory(slug="other-event"))
    etag = door.client.get(list_url(door.event)).headers["ETag"]

    CheckInFactory(registration=other.registration, badge=other)
    RegistrationFactory(event=other.event)
    again = door.client.get(list_url(door.event), HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.headers["ETag"] == etag


def signup_session(door: Door):
    session = SessionFactory(event=door.event, requires_signup=True)
    SessionPick.objects.create(
        registration=door.ana.registration, session=session, status=PickStatus.CONFIRMED
    )
    return session


def seat_taken(door: Door, session) -> None:
    SessionPick.objects.create(
        registration=door.ben.registration, session=session, status=PickStatus.CONFIRMED
    )


def seat_given_up_in_bulk(door: Door, session) -> None:
    SessionPick.objects.filter(session=session).update(status=PickStatus.WAITLISTED)


def signup_dropped(door: Door, session) -> None:
    Session.objects.filter(pk=session.pk).update(requires_signup=False)


def checked_in_at_session(door: Door, session) -> None:
    scan(door.client, door.event, door.ana.code, session=session.pk)


@pytest.mark.parametrize(
    "change",
    [seat_taken, seat_given_up_in_bulk, signup_dropped, checked_in_at_session],
    ids=lambda change: change.__name__,
)
def test_checkin_list_of_a_session_etag_changes_with_its_seats_and_checkins(door, change):
    session = signup_session(door)
    first = door.client.get(list_url(door.event, session))
    etag = first.headers["ETag"]

    change(door, session)
    after = door.client.get(list_url(door.event, session), HTTP_IF_NONE_MATCH=etag)

    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert after.json()["entries"] != first.json()["entries"]


def test_checkin_list_of_a_session_differs_from_the_door_list(door):
    session = signup_session(door)

    at_door = door.client.get(list_url(door.event))
    at_session = door.client.get(
        list_url(door.event, session), HTTP_IF_NONE_MATCH=at_door.headers["ETag"]
    )

    statuses = {e["code_hash"]: e["status"] for e in at_session.json()["entries"]}
    assert at_session.status_code == 200
    assert statuses[code_hash(door.ben.code)] == "not_signed_up"


# --- the JSON ------------------------------------------------------------------------------------


def test_checkin_list_json_is_what_drf_renders_of_the_entries():
    event = EventFactory(slug="json-check")
    user = get_user_model().objects.create_user("desk", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_checkin", "view_accessibility_needs"],
            content_type__app_label="badges",
        )
    )
    client = APIClient()
    client.force_login(user)
    quoted = BadgeFactory(
        registration__event=event,
        registration__person=PersonFactory(
            first_name='Zoë "Z"', last_name="Ančić\\", organisation=None
        ),
        registration__accessibility_needs="Line one\nline two \u2028 and «more» 🙂",
    )
    ben = RegistrationFactory(
        event=event,
        person=PersonFactory(
            first_name="Ben", last_name="Bauer", organisation=OrganisationFactory(name="A&B <C>")
        ),
        mode=AttendanceMode.ONLINE,
    )
    revoked = BadgeFactory(registration=ben, revoked_at=datetime(2030, 1, 1, tzinfo=UTC))
    plain = BadgeFactory(registration=ben)  # issued later: listed first
    declined = BadgeFactory(
        registration__event=event,
        registration__person=PersonFactory(last_name="Dias"),
        registration__status=RegistrationStatus.DECLINED,
    )
    on_the_second = datetime(2030, 5, 4, 9, 30, 0, tzinfo=UTC)
    with_fraction = datetime(2030, 5, 4, 9, 31, 2, 120000, tzinfo=UTC)
    CheckInFactory(registration=quoted.registration, badge=quoted, at=on_the_second)
    CheckInFactory(registration=plain.registration, badge=plain, at=with_fraction)

    response = client.get(list_url(event))

    body = response.json()
    expected_entries = [
        {
            "code_hash": code_hash(quoted.code),
            "status": "confirmed",
            "registration": quoted.registration_id,
            "name": 'Zoë "Z" Ančić\\',
            "organisation": "",
            "role": "attendee",
            "mode": "in_person",
            "needs_assistance": True,
            "checked_in_at": "2030-05-04T09:30:00+00:00",
            "accessibility_needs": "Line one\nline two \u2028 and «more» 🙂",
        },
        {
            "code_hash": code_hash(plain.code),
            "status": "confirmed",
            "registration": ben.pk,
            "name": "Ben Bauer",
            "organisation": "A&B <C>",
            "role": "attendee",
            "mode": "online",
            "needs_assistance": False,
            "checked_in_at": "2030-05-04T09:31:02.120000+00:00",
            "accessibility_needs": "",
        },
        {"code_hash": code_hash(revoked.code), "status": "revoked"},
        {"code_hash": code_hash(declined.code), "status": "declined"},
    ]
    expected = JSONRenderer().render(
        {
            "event": "json-check",
            "session": None,
            "generated_at": datetime.fromisoformat(body["generated_at"]),
            "entries": expected_entries,
        }
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == expected
    assert b"\\u2028" in response.content


@pytest.mark.parametrize("shows_needs", [False, True])
def test_checkin_list_entry_tells_the_door_what_search_tells_it(door, shows_needs):
    Device.objects.filter(pk=door.device.pk).update(shows_accessibility_needs=shows_needs)

    entries = door.client.get(list_url(door.event)).json()["entries"]
    found = door.client.get(
        f"/api/v1/events/{door.event.slug}/checkin-search/", {"q": "Ana Novak"}
    ).json()["results"]

    entry = next(e for e in entries if e["code_hash"] == code_hash(door.ana.code))
    assert {k: v for k, v in entry.items() if k != "code_hash"} == found[0]
    assert ("accessibility_needs" in entry) == shows_needs


# --- what a scanner's poll costs -----------------------------------------------------------------


def test_issue_missing_badges_takes_one_query_when_none_is_missing(door, django_assert_num_queries):
    with django_assert_num_queries(1):
        made = services.issue_missing_badges(event=door.event)

    assert made == 0


def test_issue_missing_badges_replaces_a_badge_issued_before_a_cancellation(door):
    registration = door.ben.registration
    registration_services.cancel(registration=registration, actor=None)
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CONFIRMED)

    made = services.issue_missing_badges(event=door.event)

    door.ben.refresh_from_db()
    assert made == 1
    assert (door.ben.revoke_reason, door.ben.revoked_at is not None) == ("cancelled", True)
    assert Badge.objects.filter(registration=registration, revoked_at__isnull=True).count() == 1


@pytest.mark.postgres
def test_checkin_list_current_on_the_scanner_answers_304_with_one_query_of_its_own(postgres, door):
    etag = door.client.get(list_url(door.event)).headers["ETag"]

    with CaptureQueriesContext(connection) as queries:
        again = door.client.get(list_url(door.event), HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    # device, event, the list's version: no badge looked for, no entry read
    assert len(queries) == 3


@pytest.mark.postgres
def test_checkin_list_after_issuing_badges_is_fetched_once_more_then_304(postgres, door):
    first = door.client.get(list_url(door.event)).headers["ETag"]
    RegistrationFactory(event=door.event)

    issued = door.client.get(list_url(door.event), HTTP_IF_NONE_MATCH=first)
    # Its ETag is the version read before the badge was issued, so that no registration
    # confirmed meanwhile can hide behind it: the next poll fetches the list once more.
    again = door.client.get(list_url(door.event), HTTP_IF_NONE_MATCH=issued.headers["ETag"])
    settled = door.client.get(list_url(door.event), HTTP_IF_NONE_MATCH=again.headers["ETag"])

    assert (issued.status_code, again.status_code, settled.status_code) == (200, 200, 304)
    assert len(issued.json()["entries"]) == 4
    assert again.json()["entries"] == issued.json()["entries"]
